"""Static values of the `runpod` 2.0 API (docs/runpod2.md, "Discovery"): what a module-level
expression evaluates to when the build imports the file, as far as it can be known without running
it. SDK objects are small records; anything else we cannot know is `UNKNOWN`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from . import sdk


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

# Names the `runpod` package (and `runpod.apps`) exports that matter to a build.
SDK_NAMES = frozenset(
    {
        "App",
        "Secret",
        "NetworkVolume",
        "GlobalVolume",
        "Model",
        "GpuType",
        "GpuGroup",
        "CpuInstanceType",
        "DataCenter",
        "get",
        "post",
        "put",
        "delete",
        "patch",
        "init",
        "local_entrypoint",
        "Queue",
        "Api",
    }
)
SDK_MODULES = ("runpod", "runpod.apps")


class SdkError(Exception):
    """An exception the SDK raises while the module is imported (its text is the SDK's)."""

    def __init__(self, message: str, node: ast.AST | None = None, kind: str = "InvalidResourceError"):
        super().__init__(message)
        self.node = node
        self.kind = kind


@dataclass(frozen=True)
class SdkName:
    """A name exported by the SDK (`runpod.App`, `GpuType`, `runpod.post` …)."""

    name: str


@dataclass(frozen=True)
class EnumMember:
    enum: str
    member: str
    value: str


@dataclass(frozen=True)
class SecretRef:
    name: str


@dataclass(frozen=True)
class VolumeRef:
    kind: str  # "network" or "global"
    reference: str


@dataclass(frozen=True)
class ModelRef:
    reference: str


@dataclass(frozen=True)
class RouteMarker:
    method: str
    path: str


@dataclass(eq=False)
class AppObj:
    """One `runpod.App(...)` instance."""

    name: str
    env: str
    relpath: str  # the file whose code created it
    node: ast.AST
    resources: dict = field(default_factory=dict)  # resource name -> Resource, registration order
    source_file: str | None = None  # the discovery file being imported when it was created


@dataclass(eq=False)
class Function:
    """A plain function or class defined by a module (not a resource)."""

    name: str
    qualname: str
    relpath: str
    node: ast.AST


@dataclass(frozen=True)
class ProjectModule:
    """A project module bound by `import x` (its namespace is looked up by name)."""

    name: str


def enum_member(enum: str, member: str) -> EnumMember | None:
    if enum == "GpuType":
        if member == "ANY":
            return EnumMember(enum, member, "any")
        return EnumMember(enum, member, sdk.GPU_TYPES[member]) if member in sdk.GPU_TYPES else None
    if enum == "GpuGroup":
        if member == "ANY":
            return EnumMember(enum, member, "any")
        return EnumMember(enum, member, member) if member in sdk.GPU_POOLS else None
    if enum == "CpuInstanceType":
        value = member.lower().replace("_", "-", 2)
        return EnumMember(enum, member, value) if value in sdk.CPU_INSTANCES else None
    if enum == "DataCenter":
        value = member.replace("_", "-")
        return EnumMember(enum, member, value) if value in sdk.DATACENTERS else None
    return None


def literal(node: ast.AST, lookup) -> Any:
    """The value of `node`; `lookup(name)` resolves a bare name (UNKNOWN when it cannot)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [literal(e, lookup) for e in node.elts]
        if any(i is UNKNOWN for i in items) or any(isinstance(e, ast.Starred) for e in node.elts):
            return UNKNOWN
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            return UNKNOWN
        keys = [literal(k, lookup) for k in node.keys]
        values = [literal(v, lookup) for v in node.values]
        if any(k is UNKNOWN or isinstance(k, (list, dict)) for k in keys):
            return UNKNOWN
        return dict(zip(keys, values, strict=False))
    if isinstance(node, ast.Name):
        return lookup(node.id)
    if isinstance(node, ast.Attribute):
        base = literal(node.value, lookup)
        if isinstance(base, SdkName) and base.name in ("GpuType", "GpuGroup", "CpuInstanceType", "DataCenter"):
            member = enum_member(base.name, node.attr)
            if member is None:
                raise SdkError(f"type object '{base.name}' has no attribute '{node.attr}'", node, "AttributeError")
            return member
        if isinstance(base, SdkName) and base.name in ("runpod", "runpod.apps"):
            return SdkName(node.attr)
        if isinstance(base, ProjectModule):
            return lookup(f"{base.name}.{node.attr}")
        return UNKNOWN
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = literal(node.operand, lookup)
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left, lookup), literal(node.right, lookup)
        if isinstance(left, str) and isinstance(right, str) or isinstance(left, list) and isinstance(right, list):
            return left + right
        if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool):
            return left + right
        return UNKNOWN
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            part = literal(value.value, lookup) if isinstance(value, ast.FormattedValue) else value.value
            if not isinstance(part, (str, int)) or isinstance(value, ast.FormattedValue) and value.format_spec:
                return UNKNOWN
            parts.append(str(part))
        return "".join(parts)
    if isinstance(node, ast.Call):
        return sdk_call(node, lookup)
    return UNKNOWN


def sdk_call(node: ast.Call, lookup) -> Any:
    """`Secret("x")`, `NetworkVolume("v")`, `Model("o/n")`, `runpod.post("/p")`; UNKNOWN otherwise."""
    func = literal(node.func, lookup)
    if (
        not isinstance(func, SdkName)
        or any(isinstance(a, ast.Starred) for a in node.args)
        or any(k.arg is None for k in node.keywords)
    ):
        return UNKNOWN
    args = [literal(a, lookup) for a in node.args]
    kwargs = {k.arg: literal(k.value, lookup) for k in node.keywords}
    first = args[0] if args else kwargs.get("name", kwargs.get("reference", kwargs.get("path")))
    if first is UNKNOWN:
        return UNKNOWN
    name = func.name
    if name == "Secret":
        if not first or not isinstance(first, str):
            raise SdkError("secret name must be a non-empty string", node, "SecretError")
        import re

        if not re.match(r"^[A-Za-z0-9_.-]+$", first):
            raise SdkError(
                f"invalid secret name '{first}': letters, digits, underscores, dots, and dashes only",
                node,
                "SecretError",
            )
        return SecretRef(first)
    if name in ("NetworkVolume", "GlobalVolume"):
        if not isinstance(first, str) or not first.strip():
            raise SdkError("volume reference must be a non-empty string", node, "VolumeError")
        return VolumeRef("network" if name == "NetworkVolume" else "global", first)
    if name == "Model":
        return ModelRef(_model_reference(first, node))
    if name in ("get", "post", "put", "delete", "patch"):
        method = name.upper()
        if not isinstance(first, str) or not first.startswith("/"):
            raise SdkError(f"path must start with '/', got: {first!r}", node, "ValueError")
        if first in sdk.RESERVED_PATHS:
            reserved = ", ".join(sorted(sdk.RESERVED_PATHS))
            raise SdkError(
                f"path {first!r} is reserved by the worker runtime (reserved: {reserved})", node, "ValueError"
            )
        return RouteMarker(method, first)
    return UNKNOWN


def _model_reference(reference: Any, node: ast.AST) -> str:
    import re

    if not reference or not isinstance(reference, str):
        raise SdkError("model reference must be a non-empty string", node, "ModelError")
    repo = reference.partition(":")[0]
    if not re.match(r"^[\w.-]+/[\w.-]+$", repo):
        raise SdkError(
            f"invalid model reference '{reference}': expected 'owner/name' or 'owner/name:revision'", node, "ModelError"
        )
    return reference


def model_reference(value: Any, node: ast.AST) -> Any:
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, ModelRef):
        return value.reference
    if isinstance(value, str):
        return _model_reference(value, node)
    raise SdkError(
        f"model must be a runpod.Model or 'owner/name' string, got {type(value).__name__}", node, "ModelError"
    )
