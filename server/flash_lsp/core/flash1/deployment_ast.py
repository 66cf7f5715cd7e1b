"""Deployment fields in the AST era (runpod-flash 1.6.1–1.10.2; docs/flash1.md, "The AST era").
Nothing was imported during the scan, so the builder's import of the resource's file (named after
its stem, its directory on `sys.path`) is the first one: we simulate it alone. The fields are fewer
than in 1.11+ (no `idleTimeout` or `minCudaVersion`), and each release of the era changes a few:
1.8 versioned Live images, 1.9 the Blackwell GPU groups, 1.10 `locations` and `networkVolumes`,
1.10.2 an `env` written only as given (no `.env` default).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from ..module_exec import UNKNOWN
from ..profiles import Profile
from .api import DEFAULT_PYTHON_VERSION, ENUMS, IMAGE_TYPES, all_gpu_groups
from .deployment import deployment_fields
from .endpoint import Raised, build_config
from .imports import Imports
from .values import CodeValue, ConfigValue, EndpointValue, Member

_KEPT = ("imageName", "templateId", "gpuIds", "instanceIds", "workersMin", "workersMax", "scalerType", "scalerValue")
_GROUPS_FROM_1_9 = ("BLACKWELL_96", "BLACKWELL_180")


def ast_era_fields(
    fn,
    scan_imports: Imports,
    env: Mapping[str, str],
    dotenv: Mapping[str, str],
    profile: Profile,
    local_python: str,
) -> tuple[dict, str | None]:
    """(fields in emission order, why they are missing); `local_python` is the build interpreter's
    major.minor, which 1.8+ puts in CPU image names."""
    folder = str(PurePosixPath(fn.relpath).parent)
    imports = Imports(
        scan_imports.build_dir,
        scan_imports.py_files,
        [],
        scan_imports.source,
        scan_imports._installed,
        scan_imports.pydantic,
    )
    imports.roots = ["" if folder == "." else folder]
    stem = PurePosixPath(fn.relpath).stem
    module, failure, _ = imports.run(stem, fn.relpath, fresh=True)
    if failure is not None:
        return {}, f"the builder's import of {fn.relpath} raises {failure.kind}: {failure.message}"
    bindings = module.bindings
    value = bindings.get(fn.config_variable) if fn.config_variable else None
    if value is None:
        target = bindings.get(fn.name)
        value = target.remote.resource if isinstance(target, CodeValue) and target.remote else None
    try:
        config = build_config(value, value.span) if isinstance(value, EndpointValue) else value
    except Raised as raised:
        return {}, raised.message
    if not isinstance(config, ConfigValue):
        return {}, "no resource config is reachable from the re-imported module"
    return _fields(release_config(config, profile), env, dotenv, profile, local_python), None


def default_env_file(site_packages: str) -> Path | None:
    """The `.env` python-dotenv finds for a config built by the package installed in `site_packages`:
    the first one in `runpod_flash/core/resources` or a directory above it."""
    start = Path(site_packages) / "runpod_flash" / "core" / "resources"
    if not start.is_dir():
        return None
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / ".env").is_file():
            return folder / ".env"
    return None


def release_config(config: ConfigValue, profile: Profile) -> ConfigValue:
    """`config` as the profile's release builds it: before 1.17 an `Endpoint` without `datacenter`
    leaves it unset, where the simulation (1.17+) gives every data centre."""
    if profile.has("all_datacenters") or config.kwargs.get("datacenter") != _ALL_DATACENTERS:
        return config
    return ConfigValue(config.type_name, {**config.kwargs, "datacenter": None}, config.span, config.name)


_ALL_DATACENTERS = [Member("DataCenter", m) for m in ENUMS["DataCenter"]]


def _fields(config: ConfigValue, env: Mapping[str, str], dotenv: Mapping[str, str], profile, local_python) -> dict:
    kw = dict(config.kwargs)
    gpus = kw.get("gpus")
    if isinstance(gpus, list) and any(getattr(g, "member", None) == "ANY" for g in gpus):
        kw["gpus"] = [
            Member("GpuGroup", g)
            for g in all_gpu_groups()
            if profile.has("blackwell_groups") or g not in _GROUPS_FROM_1_9
        ]
    fields, _uncertain = deployment_fields(ConfigValue(config.type_name, kw, config.span, config.name), env)
    out = {k: fields[k] for k in _KEPT if k in fields}
    if config.type_name in IMAGE_TYPES and not kw.get("imageName"):
        out["imageName"] = live_image(config.type_name, kw.get("python_version"), env, profile, local_python)
        out = {k: out[k] for k in _KEPT if k in out}
    if profile.has("datacenter_list") and "locations" in fields:
        out["locations"] = fields["locations"]
    out.update(_env(kw.get("env"), dotenv, profile))
    out.update(_volume(kw, fields, profile))
    if "template" in fields:
        out["template"] = fields["template"]
    return out


def live_image(type_name: str, python_version, env: Mapping[str, str], profile, local_python: str) -> str:
    """The locked image of a Live class: `<repo>:<tag>` before 1.8; from 1.8 `<repo>:py<v>-<tag>`,
    `v` being the config's `python_version`, else 3.12 for GPU images and the local one for CPU."""
    kind, repo, variable = IMAGE_TYPES[type_name]
    if env.get(variable):
        return env[variable]
    tag = env.get("FLASH_IMAGE_TAG", "latest")
    if not profile.has("python_versions"):
        return f"{repo}:{tag}"
    if not isinstance(python_version, str) or not python_version:
        python_version = DEFAULT_PYTHON_VERSION if kind in ("gpu", "lb") else local_python
    return f"{repo}:py{python_version}-{tag}"


def _env(variables, dotenv: Mapping[str, str], profile) -> dict:
    """1.10.2 writes `env` as given (even empty); before, the project's `.env` is the default and
    `RUNPOD_API_KEY` is left out."""
    if profile.has("explicit_env"):
        return {"env": dict(variables)} if isinstance(variables, dict) else {}
    variables = variables if variables is not None else dict(dotenv)
    if isinstance(variables, dict):
        variables = {k: v for k, v in variables.items() if k != "RUNPOD_API_KEY"}
        if variables:
            return {"env": variables}
    return {}


def _volume(kw: dict, fields: dict, profile) -> dict:
    """From 1.10 the volumes are merged into `networkVolumes`; before, one `networkVolume`."""
    if profile.has("datacenter_list") and "networkVolumes" in fields:
        return {"networkVolumes": fields["networkVolumes"]}
    volume = kw.get("networkVolume")
    if volume is not None and volume is not UNKNOWN and hasattr(volume, "kwargs"):
        vkw = volume.kwargs
        entry: dict[str, Any] = {"name": vkw.get("name")}
        entry["size"] = vkw.get("size", 100)
        entry["dataCenterId"] = getattr(vkw.get("dataCenterId"), "value", vkw.get("dataCenterId", "EU-RO-1"))
        return {"networkVolume": entry}
    if kw.get("networkVolumeId"):
        return {"networkVolumeId": kw["networkVolumeId"]}
    return {}
