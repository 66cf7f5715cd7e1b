"""One resource of an App as the SDK's `ResourceSpec` builds it (docs/runpod2.md, "Resources"):
the decorator's keyword arguments, normalised and validated in the SDK's order with its error
texts, and serialised as the manifest entry.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import sdk
from .values import UNKNOWN, EnumMember, SdkError, SecretRef, VolumeRef, model_reference

# Decorator keywords per kind, with the SDK's defaults.
_COMMON = dict(
    gpu=None,
    cpu=None,
    gpu_count=1,
    dependencies=None,
    system_dependencies=None,
    mounts=None,
    env=None,
    datacenter=None,
    image=None,
    registry_auth=None,
    min_cuda_version=None,
    accelerate_downloads=True,
    container_disk_gb=None,
)
_ENDPOINT = dict(
    workers=None,
    idle_timeout=60,
    model=None,
    execution_timeout_ms=0,
    flashboot=True,
    scaler_type=None,
    scaler_value=4,
)
PARAMETERS = {
    "queue": {**_COMMON, **_ENDPOINT, "max_concurrency": 1},
    "api": {**_COMMON, **_ENDPOINT},
    "task": dict(_COMMON),
}


@dataclass(eq=False)
class Resource:
    kind: str
    name: str
    relpath: str
    node: ast.AST  # the decorated definition
    decorator: ast.AST
    qualname: str
    settings: dict
    unknown: list[str] = field(default_factory=list)  # keywords whose value we cannot know
    routes: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, handler)
    asgi_factory: str | None = None
    init: str | None = None

    @property
    def is_cpu(self) -> bool:
        return self.settings.get("cpu") is not None

    @property
    def is_gpu(self) -> bool:
        return self.settings.get("gpu") is not None


def make(kind: str, name: str, kwargs: dict[str, Any], node: ast.AST) -> dict:
    """The normalised settings, or `SdkError` with the SDK's message (the same checks, same order)."""
    s = {**PARAMETERS[kind], **{k: v for k, v in kwargs.items() if v is not UNKNOWN}}
    if kind == "task":
        s.update(
            workers=None,
            idle_timeout=60,
            model=None,
            max_concurrency=1,
            execution_timeout_ms=0,
            flashboot=True,
            scaler_type=None,
            scaler_value=4,
        )
    s.setdefault("max_concurrency", 1)
    s["gpu"] = _gpu(s["gpu"], node)
    s["cpu"] = _cpu(s["cpu"], node)
    s["workers"] = _workers(s["workers"], node)
    if s["scaler_type"] is not None:
        value = str(s["scaler_type"]).strip().upper()
        if value not in sdk.SCALER_TYPES:
            raise SdkError(f"scaler_type must be one of {sorted(sdk.SCALER_TYPES)}, got {s['scaler_type']!r}", node)
        s["scaler_type"] = value
    if s["min_cuda_version"] is not None:
        value = str(s["min_cuda_version"]).strip()
        if value not in sdk.CUDA_VERSIONS:
            raise SdkError(
                f"min_cuda_version must be one of {', '.join(sorted(sdk.CUDA_VERSIONS))}, got {s['min_cuda_version']!r}",
                node,
            )
        s["min_cuda_version"] = value
    s["datacenter"] = _datacenter(s["datacenter"], node)
    s["mounts"] = _mounts(s["mounts"], node)
    if s["gpu"] is not None and s["cpu"] is not None:
        raise SdkError(f"resource '{name}': gpu and cpu are mutually exclusive", node)
    _validate_mounts(s["mounts"], kind, s["cpu"] is not None, node)
    if not isinstance(name, str) or not name:
        raise SdkError("resource name must be a non-empty string", node)
    for key, message in (("gpu_count", "gpu_count must be >= 1"), ("scaler_value", "scaler_value must be >= 1")):
        if isinstance(s[key], int) and s[key] < 1:
            raise SdkError(f"resource '{name}': {message}", node)
    if isinstance(s["max_concurrency"], int) and s["max_concurrency"] < 1:
        raise SdkError(f"resource '{name}': max_concurrency must be >= 1, got {s['max_concurrency']}", node)
    if isinstance(s["execution_timeout_ms"], int) and s["execution_timeout_ms"] < 0:
        raise SdkError(f"resource '{name}': execution_timeout_ms must be >= 0", node)
    if isinstance(s["container_disk_gb"], int) and s["container_disk_gb"] < 1:
        raise SdkError(f"resource '{name}': container_disk_gb must be >= 1", node)
    if s["min_cuda_version"] is not None and s["cpu"] is not None:
        raise SdkError(f"resource '{name}': min_cuda_version has no effect on cpu resources", node)
    return s


def _gpu(gpu: Any, node) -> list[str] | None:
    if gpu is None:
        return None
    out: list[str] = []
    for g in gpu if isinstance(gpu, list) else [gpu]:
        if isinstance(g, EnumMember) and g.enum in ("GpuType", "GpuGroup"):
            out.append(g.value)
        elif isinstance(g, str):
            resolved = sdk.resolve_gpu_string(g)
            if resolved is None:
                raise SdkError(sdk.unknown_gpu_message(g), node)
            out.extend(resolved)
        else:
            raise SdkError(f"gpu must be a GpuGroup, GpuType, or string, got {type(g).__name__}", node)
    return out


def _cpu(cpu: Any, node) -> list[str] | None:
    if cpu is None:
        return None
    if isinstance(cpu, EnumMember):
        cpu = cpu.value
    if isinstance(cpu, str):
        cpu = [cpu]
    if not isinstance(cpu, list):
        raise SdkError(f"cpu must be an instance id string or list, got {type(cpu).__name__}", node)
    cpu = [c.value if isinstance(c, EnumMember) else c for c in cpu]
    if not cpu or any(not isinstance(c, str) or not c.strip() for c in cpu):
        raise SdkError("cpu must contain non-empty instance ids", node)
    return list(cpu)


def _workers(workers: Any, node) -> tuple[int, int]:
    if workers is None:
        return (0, 3)
    if isinstance(workers, int):
        parsed = (0, workers)
    elif isinstance(workers, (tuple, list)) and len(workers) == 2:
        parsed = (int(workers[0]), int(workers[1]))
    else:
        raise SdkError(f"workers must be an int or (min, max) tuple, got {workers!r}", node)
    if parsed[0] < 0 or parsed[1] < 1:
        raise SdkError(f"invalid worker range ({parsed[0]}, {parsed[1]})", node)
    if parsed[0] > parsed[1]:
        raise SdkError(f"workers min ({parsed[0]}) cannot exceed max ({parsed[1]})", node)
    return parsed


def _datacenter(datacenter: Any, node) -> list[str] | None:
    if datacenter is None:
        return None
    values = [datacenter] if isinstance(datacenter, (str, EnumMember)) else datacenter
    out = []
    for value in values if isinstance(values, list) else [values]:
        text = value.value if isinstance(value, EnumMember) else value
        normalized = text.strip().upper().replace("_", "-") if isinstance(text, str) else None
        if normalized not in sdk.DATACENTERS:
            raise SdkError(f"invalid datacenter: {datacenter!r}", node)
        out.append(normalized)
    return out


def _mounts(mounts: Any, node) -> dict[str, VolumeRef]:
    if mounts is None:
        return {}
    if not isinstance(mounts, dict):
        raise SdkError("mounts must map absolute paths to volume objects", node, "VolumeError")
    out: dict[str, VolumeRef] = {}
    for path, volume in mounts.items():
        if (
            not isinstance(path, str)
            or not path.startswith("/")
            or path.startswith("//")
            or ".." in PurePosixPath(path).parts
        ):
            raise SdkError("mount paths must be absolute paths without '..'", node, "VolumeError")
        path = str(PurePosixPath(path))
        if not isinstance(volume, VolumeRef):
            raise SdkError("mounts require NetworkVolume or GlobalVolume references", node, "VolumeError")
        if path in out:
            raise SdkError(f"duplicate mount path {path!r}", node, "VolumeError")
        out[path] = volume
    return out


def _validate_mounts(mounts: dict, kind: str, is_cpu: bool, node) -> None:
    paths = [PurePosixPath(p) for p in mounts]
    for index, path in enumerate(paths):
        if any(path.is_relative_to(o) or o.is_relative_to(path) for o in paths[:index]):
            raise SdkError("mount paths must not overlap", node, "VolumeError")
    for volume_kind in ("network", "global"):
        if sum(v.kind == volume_kind for v in mounts.values()) > 1:
            raise SdkError(f"resources support at most one {volume_kind} volume", node, "VolumeError")
    if kind in ("queue", "api") and mounts and (len(mounts) != 1 or next(iter(mounts)) != sdk.ENDPOINT_MOUNT_PATH):
        raise SdkError("endpoints support one volume mounted at /runpod-volume", node, "VolumeError")
    if is_cpu and any(v.kind == "global" for v in mounts.values()):
        raise SdkError("global volumes require gpu compute", node, "VolumeError")


def manifest_entry(resource: Resource, module: str) -> dict:
    """`ResourceSpec.to_manifest()` plus `module` and `qualname` (key order as written)."""
    s = resource.settings
    data: dict[str, Any] = {
        "kind": resource.kind,
        "name": resource.name,
        "gpuCount": s["gpu_count"],
        "workersMin": s["workers"][0],
        "workersMax": s["workers"][1],
        "idleTimeout": s["idle_timeout"],
    }
    optional = (
        ("gpus", s["gpu"]),
        ("instanceIds", s["cpu"]),
        ("dependencies", s["dependencies"] or None),
        ("systemDependencies", s["system_dependencies"] or None),
        ("mounts", [{"kind": v.kind, "reference": v.reference, "path": p} for p, v in s["mounts"].items()] or None),
        ("env", _render_env(s["env"])),
        ("locations", ",".join(s["datacenter"]) if s["datacenter"] else None),
        ("imageName", s["image"] or None),
        ("registryAuth", s["registry_auth"] or None),
        ("model", model_reference(s["model"], resource.decorator) if s["model"] else None),
        ("maxConcurrency", s["max_concurrency"] if s["max_concurrency"] != 1 else None),
        ("executionTimeoutMs", s["execution_timeout_ms"] or None),
        ("flashboot", False if not s["flashboot"] else None),
        ("scalerType", s["scaler_type"]),
        ("scalerValue", s["scaler_value"] if s["scaler_value"] != 4 else None),
        ("minCudaVersion", s["min_cuda_version"]),
        ("accelerateDownloads", False if not s["accelerate_downloads"] else None),
        ("containerDiskGb", s["container_disk_gb"] or None),
        ("routes", [{"method": m, "path": p, "handler": h} for m, p, h in resource.routes] or None),
        ("asgiFactory", resource.asgi_factory),
    )
    data.update((key, value) for key, value in optional if value is not None)
    data["module"] = module
    data["qualname"] = resource.qualname
    return data


def _render_env(env: Any) -> dict | None:
    if not env or not isinstance(env, dict):
        return None
    return {
        k: sdk.SECRET_REFERENCE.format(name=v.name) if isinstance(v, SecretRef) else _str(v) for k, v in env.items()
    }


def _str(value: Any) -> str:
    return str(value) if value is not UNKNOWN else "?"
