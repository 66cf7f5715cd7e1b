"""Resource validation as tetra-rp 0.24's pydantic models do it, on simulated constructor
arguments (docs/tetra-build.md, "Resource classes"), and the state their validators derive."""

from __future__ import annotations

from typing import Any

from . import flash_api
from .profiles import LIVE_CLASSES, RUNTIME_LB_CLASSES
from .sim_values import UNKNOWN, EnumMember, TemplateValue


def validate_resource(type_name: str, kwargs: dict) -> str | None:
    """The validation error constructing `type_name(**kwargs)` raises, or None."""
    name = kwargs.get("name", _MISSING)
    if name is _MISSING:
        return f"1 validation error for {type_name}\nname\n  Field required"
    if name is not UNKNOWN and not isinstance(name, str):
        return f"1 validation error for {type_name}\nname\n  Input should be a valid string"
    for key in ("workersMin", "workersMax", "gpuCount", "idleTimeout", "scalerValue", "executionTimeoutMs"):
        if key in kwargs and not int_like(kwargs[key]):
            return f"1 validation error for {type_name}\n{key}\n  Input should be a valid integer"
    template = kwargs.get("template")
    if isinstance(template, dict):  # pydantic builds the PodTemplate from the mapping
        error = template_error(type_name, template)
        if error:
            return error
    for key, enum in (("gpus", ("GpuGroup", "GpuType")), ("instanceIds", ("CpuInstanceType",))):
        if key in kwargs and coerce_members(kwargs[key], enum) is None:
            return f"1 validation error for {type_name}\n{key}\n  Input should be a valid list of {'/'.join(enum)}"
    if type_name not in LIVE_CLASSES and not any(
        _truthy(kwargs.get(k)) for k in ("imageName", "template", "templateId")
    ):
        return "Either imageName, template, or templateId must be provided"
    fields = resource_state(type_name, kwargs)
    limit = fields.get("_cpu_limit")
    disk = fields.get("_disk")
    if fields.get("_validates_disk") and isinstance(limit, int) and isinstance(disk, int) and disk > limit:
        return (
            f"Container disk size {disk}GB exceeds the maximum allowed for CPU instances. Maximum allowed: {limit}GB."
        )
    return None


_MISSING = object()


def template_error(model: str, kwargs: dict) -> str | None:
    """The validation error of a PodTemplate's integer field (`containerDiskInGb="20GB"`), or None."""
    disk = kwargs.get("containerDiskInGb")
    if disk is not None and not int_like(disk):
        return f"1 validation error for {model}\ncontainerDiskInGb\n  Input should be a valid integer"
    return None


def int_like(value: Any) -> bool:
    if value is UNKNOWN or value is None or isinstance(value, (bool, int)):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        digits = value.strip().lstrip("+-")
        return digits.isdigit() and digits.isascii() and len(digits) <= 4_300
    return False


def _truthy(value: Any) -> bool:
    return value is UNKNOWN or bool(value)


def coerce_members(value: Any, enums: tuple[str, ...]) -> list[EnumMember] | None:
    """A list of enum members (pydantic accepts members or their values); None when invalid."""
    if value is UNKNOWN:
        return []
    if not isinstance(value, (list, tuple)):
        return None if value is not None else []
    members = []
    for item in value:
        if isinstance(item, EnumMember) and item.enum in enums:
            members.append(item)
        elif item is UNKNOWN:
            continue
        else:
            match = next(
                (EnumMember(e, m) for e in enums for m, v in flash_api.ENUMS[e].items() if v == item),
                None,
            )
            if match is None:
                return None
            members.append(match)
    return members


def resource_state(type_name: str, kwargs: dict) -> dict:
    """Derived state the validators compute: CPU instance limit, container disk, sizing rules."""
    cpu_class = type_name.startswith("Cpu")
    lb_class = type_name in RUNTIME_LB_CLASSES
    if "instanceIds" in kwargs:
        instances = coerce_members(kwargs["instanceIds"], ("CpuInstanceType",)) or []
        unknown_instances = kwargs["instanceIds"] is UNKNOWN
    else:
        instances = [EnumMember("CpuInstanceType", flash_api.DEFAULT_CPU_INSTANCE)] if cpu_class else []
        unknown_instances = False
    template = kwargs.get("template")
    has_template = _truthy(template)
    template_kwargs = (
        template.kwargs if isinstance(template, TemplateValue) else template if isinstance(template, dict) else {}
    )
    state: dict[str, Any] = {"_instances": instances, "_unknown_instances": unknown_instances}
    makes_template = has_template or not _truthy(kwargs.get("templateId"))
    if template is UNKNOWN:
        state["_disk"] = UNKNOWN
    elif makes_template:
        disk = template_kwargs.get("containerDiskInGb", flash_api.DEFAULT_CONTAINER_DISK_GB)
        sizes = not lb_class or cpu_class  # GPU LB classes never auto-size
        limit = min(flash_api.cpu_disk_limit(m.member) for m in instances) if instances else None
        if sizes and limit is not None and disk == flash_api.DEFAULT_CONTAINER_DISK_GB:
            disk = limit
        state["_disk"] = UNKNOWN if unknown_instances else disk
        state["_cpu_limit"] = limit
        state["_validates_disk"] = not lb_class
    state["_template"] = makes_template
    state["_template_kwargs"] = template_kwargs
    return state
