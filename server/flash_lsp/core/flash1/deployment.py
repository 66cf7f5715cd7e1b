"""Deployment fields of a 1.x manifest resource, computed from a simulated resource config the way
`ManifestBuilder._extract_config_properties` reads the real one (docs/flash1.md, "Deployment
fields"). A field whose value we cannot know is left out and named in `uncertain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..module_exec import UNKNOWN
from .api import (
    CPU_CLASSES,
    DEFAULT_PYTHON_VERSION,
    ENUMS,
    IMAGE_TYPES,
    LB_CLASSES,
    all_gpu_groups,
    cpu_disk_limit,
    gpu_ids_string,
)
from .values import ConfigValue, Member, TemplateValue, VolumeValue

_TEMPLATE_DEFAULTS = {
    "containerDiskInGb": 64,
    "dockerArgs": "",
    "startScript": "",
    "advancedStart": False,
    "containerRegistryAuthId": "",
}


def deployment_fields(config: ConfigValue, env: Mapping[str, str]) -> tuple[dict, list[str]]:
    """(fields in emission order, names of fields that could not be predicted)."""
    kw, type_name = config.kwargs, config.type_name
    cpu_class = type_name in CPU_CLASSES
    uncertain: list[str] = []
    out: dict[str, Any] = {}

    def put(key: str, value: Any, truthy: bool = True) -> None:
        if value is UNKNOWN:
            uncertain.append(key)
        elif value or (not truthy and value is not None):
            out[key] = value

    python_version = kw.get("python_version")
    put("imageName", _image(type_name, kw.get("imageName"), python_version, env))
    put("python_version", python_version)
    put("templateId", kw.get("templateId"))
    instances = cpu_instances(kw, cpu_class)
    if not cpu_class:
        put("gpuIds", UNKNOWN if instances is UNKNOWN else "" if instances else _gpu_ids(kw))
    if instances is UNKNOWN:
        uncertain.append("instanceIds")
    elif instances:
        out["instanceIds"] = [ENUMS["CpuInstanceType"][m] for m in instances]
    put("workersMin", kw.get("workersMin", 0), truthy=False)
    put("workersMax", kw.get("workersMax", 1), truthy=False)
    put("idleTimeout", kw.get("idleTimeout", 60), truthy=False)
    put(
        "scalerType",
        _value(kw.get("scalerType", "REQUEST_COUNT" if type_name in LB_CLASSES else "QUEUE_DELAY")),
        truthy=False,
    )
    put("scalerValue", kw.get("scalerValue", 4), truthy=False)
    put("locations", _locations(kw, env))
    if not cpu_class and not instances:
        put("minCudaVersion", _value(kw.get("minCudaVersion", Member("CudaVersion", "V12_8"))), truthy=False)
    put("env", dict(kw["env"]) if isinstance(kw.get("env"), dict) else kw.get("env"), truthy=False)
    volumes = _volumes(kw)
    put("networkVolumes", volumes)
    if not volumes and volumes is not UNKNOWN:
        put("networkVolumeId", kw.get("networkVolumeId"))
    template = template_fields(kw, instances)
    put("template", template)
    return out, uncertain


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Member) else value


def _image(type_name: str, image: Any, python_version: Any, env: Mapping[str, str]) -> Any:
    if image or image is UNKNOWN or type_name not in IMAGE_TYPES:
        return image
    if python_version is UNKNOWN:
        return UNKNOWN
    _kind, repo, variable = IMAGE_TYPES[type_name]
    if env.get(variable):
        return env[variable]
    return f"{repo}:py{python_version or DEFAULT_PYTHON_VERSION}-{env.get('FLASH_IMAGE_TAG', 'latest')}"


def cpu_instances(kw: dict, cpu_class: bool) -> Any:
    """CpuInstanceType member names, [] for none, UNKNOWN."""
    value = kw.get("instanceIds", [Member("CpuInstanceType", "CPU3G_2_8")] if cpu_class else None)
    if value is UNKNOWN or (isinstance(value, list) and UNKNOWN in value):
        return UNKNOWN
    members = []
    for item in value or []:
        if isinstance(item, Member):
            members.append(item.member)
        else:
            match = next((m for m, v in ENUMS["CpuInstanceType"].items() if v == item), None)
            if match is None:
                return UNKNOWN
            members.append(match)
    return members


def _gpu_ids(kw: dict) -> Any:
    gpus = kw.get("gpus", [Member("GpuGroup", "ANY")])
    if gpus is UNKNOWN or gpus is None:
        return gpus if gpus is UNKNOWN else ""
    groups, types = [], []
    for item in gpus:
        member = item if isinstance(item, Member) else _gpu_member(item)
        if member is None:
            return UNKNOWN
        (groups if member.enum == "GpuGroup" else types).append(member.member)
    if "ANY" in groups or "ANY" in types:
        groups, types = all_gpu_groups(), []
    return gpu_ids_string(groups, types)


def _gpu_member(value: Any) -> Member | None:
    for enum in ("GpuGroup", "GpuType"):
        for member, text in ENUMS[enum].items():
            if text == value:
                return Member(enum, member)
    return None


def _locations(kw: dict, env: Mapping[str, str]) -> Any:
    if env.get("RUNPOD_DEFAULT_LOCATIONS"):
        return env["RUNPOD_DEFAULT_LOCATIONS"]
    if kw.get("locations"):
        return kw["locations"]
    if env.get("RUNPOD_DEFAULT_DATACENTER"):
        return env["RUNPOD_DEFAULT_DATACENTER"]
    datacenter = kw.get("datacenter")
    if datacenter is UNKNOWN:
        return UNKNOWN
    if not datacenter:
        return None
    items = datacenter if isinstance(datacenter, list) else [datacenter]
    values = []
    for item in items:
        if isinstance(item, Member):
            values.append(item.value)
        elif isinstance(item, str):
            values.append(item.strip().upper().replace("_", "-"))
        else:
            return UNKNOWN
    return ",".join(values)


def _volumes(kw: dict) -> Any:
    """`networkVolume` and `networkVolumes` merged, serialised as the builder does."""
    volumes = []
    for key in ("networkVolumes", "networkVolume"):
        value = kw.get(key)
        if value is UNKNOWN:
            return UNKNOWN
        for item in value if isinstance(value, list) else [value] if value else []:
            if not isinstance(item, VolumeValue):
                return UNKNOWN
            if item not in volumes:
                volumes.append(item)
    out = []
    for volume in volumes:
        entry: dict[str, Any] = {}
        vkw = volume.kwargs
        if any(vkw.get(k) is UNKNOWN for k in ("name", "id", "size", "dataCenterId")):
            return UNKNOWN
        if vkw.get("name") is not None:
            entry["name"] = vkw["name"]
        if vkw.get("id") is not None:
            entry["id"] = vkw["id"]
        entry["size"] = vkw.get("size", 100)
        entry["dataCenterId"] = _value(vkw.get("dataCenterId", Member("DataCenter", "EU_RO_1")))
        out.append(entry)
    return out or None


def template_fields(kw: dict, instances: Any) -> Any:
    """The `template` entry: explicit values over the defaults, CPU disk auto-sized."""
    template = kw.get("template")
    if template is UNKNOWN:
        return UNKNOWN
    if kw.get("templateId") and not template:
        return None
    source = template.kwargs if isinstance(template, TemplateValue) else template if isinstance(template, dict) else {}
    out = {}
    for key, default in _TEMPLATE_DEFAULTS.items():
        value = source.get(key, default)
        if value is UNKNOWN:
            return UNKNOWN
        out[key] = value
    if instances is UNKNOWN:
        return UNKNOWN
    limit = cpu_disk_limit(instances)
    if limit is not None and out["containerDiskInGb"] == 64:
        out["containerDiskInGb"] = limit
    return out
