"""Deployment fields in the AST era (runpod-flash 1.6.1–1.10.2, modelled on 1.7.0; docs/flash1.md,
"The AST era"). Nothing was imported during the scan, so the builder's import of the resource's
file (named after its stem, its directory on `sys.path`) is the first one: we simulate it alone.
The fields are fewer than in 1.11+: no `idleTimeout`, `locations`, `minCudaVersion` or Python
versions; Live images are `<repo>:<tag>`; `env` defaults to the project's `.env`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from ..module_exec import UNKNOWN
from .api import IMAGE_TYPES
from .deployment import deployment_fields
from .endpoint import Raised, build_config
from .imports import Imports
from .values import CodeValue, ConfigValue, EndpointValue

_KEPT = ("imageName", "templateId", "gpuIds", "instanceIds", "workersMin", "workersMax", "scalerType", "scalerValue")
_GROUPS_FROM_1_9 = ("BLACKWELL_96", "BLACKWELL_180")


def ast_era_fields(
    fn, scan_imports: Imports, env: Mapping[str, str], dotenv: Mapping[str, str]
) -> tuple[dict, str | None]:
    """(fields in emission order, why they are missing)."""
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
    return _fields(config, env, dotenv), None


def _fields(config: ConfigValue, env: Mapping[str, str], dotenv: Mapping[str, str]) -> dict:
    kw = dict(config.kwargs)
    gpus = kw.get("gpus")
    if isinstance(gpus, list) and any(getattr(g, "member", None) == "ANY" for g in gpus):
        from .values import Member

        kw["gpus"] = [Member("GpuGroup", g) for g in ("AMPERE_48", *_groups_before_1_9()) if g != "ANY"]
    fields, _uncertain = deployment_fields(ConfigValue(config.type_name, kw, config.span, config.name), {})
    out = {k: fields[k] for k in _KEPT if k in fields}
    if config.type_name in IMAGE_TYPES and not kw.get("imageName"):
        _kind, repo, variable = IMAGE_TYPES[config.type_name]
        out["imageName"] = env.get(variable) or f"{repo}:{env.get('FLASH_IMAGE_TAG', 'latest')}"
        out = {k: out[k] for k in _KEPT if k in out}
    variables = kw.get("env") if kw.get("env") is not None else dict(dotenv)
    if isinstance(variables, dict):
        variables = {k: v for k, v in variables.items() if k != "RUNPOD_API_KEY"}
        if variables:
            out["env"] = variables
    volume = kw.get("networkVolume")
    if volume is not None and volume is not UNKNOWN and hasattr(volume, "kwargs"):
        vkw = volume.kwargs
        entry: dict[str, Any] = {"name": vkw.get("name")}
        entry["size"] = vkw.get("size", 100)
        entry["dataCenterId"] = getattr(vkw.get("dataCenterId"), "value", vkw.get("dataCenterId", "EU-RO-1"))
        out["networkVolume"] = entry
    elif kw.get("networkVolumeId"):
        out["networkVolumeId"] = kw["networkVolumeId"]
    if "template" in fields:
        out["template"] = fields["template"]
    return out


def _groups_before_1_9() -> list[str]:
    from .api import GPU_GROUPS

    return [g for g in GPU_GROUPS if g not in _GROUPS_FROM_1_9 and g != "AMPERE_48"]
