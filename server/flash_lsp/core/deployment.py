"""Deployment fields of a manifest resource, predicted without executing anything.

What the build reads is described in `docs/tetra-build.md`, "Manifest".

`ManifestBuilder._extract_deployment_config` finds the first discovered function whose
`config_variable` equals the resource's, executes that function's file and reads the variable.
We run `module_exec.simulate` on the same file instead and compute the same attributes from the
constructor's literal arguments and the class defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import flash_api
from .model import Span
from .profiles import CPU_CLASSES, LIVE_CLASSES, Profile
from .resource_validation import coerce_members, int_like, resource_state
from .sim_values import UNKNOWN, EnumMember, ExecResult, ResourceValue

FIELDS = ("imageName", "templateId", "gpuIds", "workersMin", "workersMax", "template")  # those the builder reads


@dataclass(frozen=True)
class Deployment:
    """The fields, and why they are what they are."""

    fields: dict
    source: str | None = None  # relpath of the executed file
    omitted_because: str | None = None  # the predicted exception, when fields are dropped
    failure_span: Span | None = None
    failure_kind: str | None = None  # sim_values.Failure.kind
    uncertain: tuple[str, ...] = ()  # fields we could not compute statically
    bounds: tuple[tuple[str, Span], ...] = ()  # analysis bounds the simulation exceeded in `source`
    analysis_error: str | None = None  # an unexpected failure of the simulation


def live_image(type_name: str, profile: Profile, env: Mapping[str, str]) -> str:
    """The locked image of a Live class, honouring the TETRA_* overrides."""
    variable, repo = profile.image_env[type_name]
    tag = env.get("TETRA_IMAGE_TAG", "latest")
    return env.get(variable, f"{repo}:{tag}")


def deployment_fields(
    type_name_hint: str,
    variable: str,
    source: str,
    result: ExecResult,
    profile: Profile,
    env: Mapping[str, str],
) -> Deployment:
    """Fields read from `variable` after (simulated) execution of `source`."""
    dep = _deployment(variable, source, result, profile, env)
    return replace(dep, bounds=tuple(result.bounds)) if result.bounds else dep


def _deployment(variable: str, source: str, result: ExecResult, profile: Profile, env: Mapping[str, str]) -> Deployment:
    if result.failure is not None:
        failure = result.failure
        return Deployment({}, source, failure.message, failure.span, failure_kind=failure.kind)
    value = result.bindings.get(variable)
    if value is None or variable not in result.bindings:
        return Deployment({}, source, f"module has no attribute '{variable}'")
    if value is UNKNOWN:  # the config exists but cannot be computed statically: every field is unknown
        return Deployment({}, source, uncertain=FIELDS)
    if not isinstance(value, ResourceValue):
        return Deployment({}, source, "not a resource config")
    return _fields(value, profile, env, source)


def _fields(res: ResourceValue, profile: Profile, env: Mapping[str, str], source: str) -> Deployment:
    kw = res.kwargs
    state = resource_state(res.type_name, kw)
    uncertain: list[str] = []
    fields: dict[str, Any] = {}
    if res.type_name in LIVE_CLASSES:
        fields["imageName"] = live_image(res.type_name, profile, env)
    else:
        _put_truthy(fields, "imageName", kw.get("imageName"), uncertain)
    _put_truthy(fields, "templateId", kw.get("templateId"), uncertain)
    gpu_ids = _gpu_ids(res.type_name, kw, state)
    if gpu_ids is UNKNOWN:
        uncertain.append("gpuIds")
    elif gpu_ids:
        fields["gpuIds"] = gpu_ids
    for key, default in (("workersMin", 0), ("workersMax", 3)):
        value = kw.get(key, default)
        if value is UNKNOWN or not int_like(value):
            uncertain.append(key)
        else:
            fields[key] = _as_int(value)
    if state["_template"]:
        template = _template(state, uncertain)
        if template is not None:
            fields["template"] = template
    return Deployment(fields, source, uncertain=tuple(uncertain))


def _put_truthy(fields: dict, key: str, value: Any, uncertain: list[str]) -> None:
    if value is UNKNOWN:
        uncertain.append(key)
    elif value:
        fields[key] = value


def _as_int(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return int(value) if isinstance(value, bool) else None
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    return value


def _gpu_ids(type_name: str, kw: dict, state: dict) -> Any:
    if type_name in CPU_CLASSES:
        return None
    if "gpuIds" in kw and kw["gpuIds"]:
        return kw["gpuIds"]
    clears = type_name in ("ServerlessEndpoint", "LiveServerless") and (
        state["_instances"] or state["_unknown_instances"]
    )
    if clears:
        return UNKNOWN if state["_unknown_instances"] else None
    gpus = kw.get("gpus", [EnumMember("GpuGroup", "ANY")])
    if gpus is UNKNOWN or (isinstance(gpus, list) and UNKNOWN in gpus):
        return UNKNOWN
    members = coerce_members(gpus, ("GpuGroup", "GpuType")) or []
    if not members:
        return None
    return gpu_ids_string(members)


def gpu_ids_string(members: list[EnumMember]) -> str:
    """`GpuGroup.to_gpu_ids_str`: pools, plus negations of unlisted types of pools chosen by type.

    The real order is that of a Python set (random per process); ours is the enum order.
    """
    if any(m.member == "ANY" for m in members):
        members = [EnumMember("GpuGroup", g) for g in flash_api.GPU_GROUPS if g != "ANY"]
    pools: list[str] = []
    from_groups: set[str] = set()
    explicit: set[str] = set()
    for m in members:
        pool = m.member if m.enum == "GpuGroup" else _pool_of(m.member)
        if m.enum == "GpuGroup":
            from_groups.add(pool)
        else:
            explicit.add(m.member)
        if pool and pool not in pools:
            pools.append(pool)
    ids = [flash_api.GPU_GROUPS[p] for p in pools]
    if explicit:
        for pool in pools:
            if pool in from_groups:
                continue
            ids += [f"-{flash_api.GPU_TYPES[t]}" for t in flash_api.POOLS.get(pool, ()) if t not in explicit]
    return ",".join(ids)


def _pool_of(gpu_type: str) -> str | None:
    return next((pool for pool, types in flash_api.POOLS.items() if gpu_type in types), None)


def _template(state: dict, uncertain: list[str]) -> dict | None:
    source = state["_template_kwargs"]
    if source is UNKNOWN:
        uncertain.append("template")
        return None
    template = {}
    unknown = []
    for key in flash_api.TEMPLATE_FIELDS:
        value = state["_disk"] if key == "containerDiskInGb" else source.get(key, flash_api.TEMPLATE_DEFAULTS[key])
        if value is UNKNOWN or (key == "containerDiskInGb" and not int_like(value)):
            unknown.append(f"template.{key}")
        template[key] = _as_int(value) if key == "containerDiskInGb" else value
    uncertain += unknown
    return None if unknown else template  # the builder writes the template whole: no part of it guessed
