"""Deployment settings: old keyword arguments → runpod 2.0 `@app.queue/api(...)` keyword arguments.

Two sources: runpod-flash 1.x `Endpoint(...)` and tetra-rp resource configs (`LiveServerless(...)` …)
plus `@remote(...)` keywords. Values are carried as written (their comments and layout included);
only enum members of removed types become the strings 2.0 expects. A default that differs between the
old release and 2.0 is written out, so the deployed endpoint stays the same (docs/migration.md,
"Settings").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

from ..core.model import Diagnostic
from .notes import code_of, note

# 1.x keywords carried under the same name.
SAME_NAME = frozenset(
    {
        "gpu",
        "cpu",
        "workers",
        "idle_timeout",
        "dependencies",
        "system_dependencies",
        "accelerate_downloads",
        "datacenter",
        "env",
        "gpu_count",
        "execution_timeout_ms",
        "flashboot",
        "scaler_value",
        "max_concurrency",
        "scaler_type",
        "min_cuda_version",
    }
)
# tetra-rp config fields carried under another name.
TETRA_RENAMES = {
    "gpus": "gpu",
    "instanceIds": "cpu",
    "idleTimeout": "idle_timeout",
    "env": "env",
    "imageName": "image",
    "gpuCount": "gpu_count",
    "scalerType": "scaler_type",
    "scalerValue": "scaler_value",
    "executionTimeoutMs": "execution_timeout_ms",
    "flashboot": "flashboot",
    "datacenter": "datacenter",
}
# The manifest field a setting shows up as (what the proof compares).
MANIFEST_FIELD = {
    "gpu": "gpus",
    "cpu": "instanceIds",
    "workers": "workers",
    "idle_timeout": "idleTimeout",
    "image": "imageName",
    "template": "template",
    "templateId": "templateId",
    "locations": "locations",
    "datacenter": "locations",
    "volume": "mounts",
    "networkVolume": "mounts",
    "networkVolumeId": "mounts",
}
# Enums removed in 2.0 whose members become plain strings: {enum: {member: value}}.
ENUM_STRINGS = {
    "ServerlessScalerType": {"QUEUE_DELAY": "QUEUE_DELAY", "REQUEST_COUNT": "REQUEST_COUNT"},
    "CudaVersion": {
        f"V{v}": v.replace("_", ".")
        for v in ("11_8", "12_0", "12_1", "12_2", "12_3", "12_4", "12_5", "12_6", "12_7", "12_8", "12_9", "13_0")
    },
}
ENDPOINT_MOUNT = "/runpod-volume"
OLD_VOLUME_SIZE = 100  # NetworkVolume size default in runpod-flash 1.x and tetra-rp (2.0: 50)
FLASH1_WORKERS = 1  # runpod-flash 1.x: no `workers` means (0, 1); 2.0: (0, 3)
FLASH1_MIN_CUDA = "12.8"  # runpod-flash 1.x default on GPU endpoints; 2.0: none
TETRA_IDLE_TIMEOUT = 5  # tetra-rp default; 2.0: 60
DEFAULT_CPU = "cpu3g-2-8"  # tetra-rp CPU classes without instanceIds


@dataclasses.dataclass
class Site:
    """Where settings are converted: for positions and notes."""

    path: str
    resource: str
    where: Callable[[cst.CSTNode], object]  # node -> CodeRange
    notes: list[Diagnostic]

    def drop(self, setting: str, node: cst.CSTNode, why: str = "") -> None:
        field = MANIFEST_FIELD.get(setting, setting)
        shown = node.with_changes(comma=cst.MaybeSentinel.DEFAULT) if isinstance(node, (cst.Arg, cst.Element)) else node
        msg = f"`{code_of(shown).strip()}` on '{self.resource}' has no runpod 2.0 equivalent and is not carried over"
        self.notes.append(
            note(
                "FL950",
                self.path,
                self.where(node),
                msg + (f": {why}" if why else ""),
                resource=self.resource,
                setting=field,
            )
        )


@dataclasses.dataclass
class Carried:
    """The 2.0 keyword arguments of one resource and what the rewriter needs to know about it."""

    args: list[cst.Arg]
    is_cpu: bool = False
    image: bool = False


def kw(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def renamed(arg: cst.Arg, name: str, value: cst.BaseExpression | None = None) -> cst.Arg:
    """`arg` under keyword `name` (its comma and surrounding whitespace kept)."""
    equal = arg.equal if arg.keyword else kw(name, arg.value).equal
    return arg.with_changes(keyword=cst.Name(name), equal=equal, value=value or arg.value)


def string(value: str) -> cst.SimpleString:
    return cst.SimpleString(repr(value) if '"' in value else f'"{value}"')


def enum_string(value: cst.BaseExpression) -> cst.BaseExpression:
    """`CudaVersion.V12_8` → `"12.8"`, `ServerlessScalerType.QUEUE_DELAY` → `"QUEUE_DELAY"`; else as is."""
    if isinstance(value, cst.Attribute) and isinstance(value.value, (cst.Name, cst.Attribute)):
        owner = value.value.attr.value if isinstance(value.value, cst.Attribute) else value.value.value
        member = ENUM_STRINGS.get(owner, {}).get(value.attr.value)
        if member is not None:
            return string(member)
    return value


def literal_str(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


def mounts_of(volume: cst.BaseExpression, site: Site, setting: str) -> cst.Arg | None:
    """`volume=` (one volume or a list) → `mounts={"/runpod-volume": <first volume>}`."""
    if isinstance(volume, (cst.List, cst.Tuple)):
        elements = [e.value for e in volume.elements]
        for extra in elements[1:]:
            site.drop(setting, extra, "2.0 endpoints mount one volume, at /runpod-volume")
        if not elements:
            return None
        volume = elements[0]
    entry = cst.DictElement(string(ENDPOINT_MOUNT), volume)
    return kw("mounts", cst.Dict([entry]))


def template_args(template: cst.BaseExpression, site: Site) -> list[cst.Arg]:
    """`PodTemplate(containerDiskInGb=N, …)` → `container_disk_gb=N`; every other template field is dropped."""
    if not (isinstance(template, cst.Call) and _callee(template) == "PodTemplate"):
        site.drop("template", template)
        return []
    out = []
    for arg in template.args:
        if arg.keyword and arg.keyword.value == "containerDiskInGb":
            out.append(kw("container_disk_gb", arg.value))
        else:
            site.drop("template", arg)
    return out


def _callee(call: cst.Call) -> str | None:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None


def from_endpoint(call: cst.Call, site: Site) -> Carried:
    """runpod-flash 1.x `Endpoint(...)` → 2.0 keywords (client-mode `id`/`image` are handled by the caller)."""
    out: list[cst.Arg] = []
    names = set()
    for i, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword else ("name" if i == 0 else None)
        names.add(name)
        if name == "name":
            out.append(renamed(arg, "name"))
        elif name in ("scaler_type", "min_cuda_version"):
            out.append(renamed(arg, name, enum_string(arg.value)))
        elif name in SAME_NAME:
            out.append(renamed(arg, name))
        elif name == "volume":
            mount = mounts_of(arg.value, site, "volume")
            if mount is not None:
                out.append(mount.with_changes(comma=arg.comma))
        elif name == "template":
            out.extend(template_args(arg.value, site))
        elif name in ("id", "image"):
            continue
        else:
            site.drop(name or "argument", arg)
    is_cpu = "cpu" in names
    if "workers" not in names:
        out.append(kw("workers", cst.Integer(str(FLASH1_WORKERS))))
    if not is_cpu and "min_cuda_version" not in names:
        out.append(kw("min_cuda_version", string(FLASH1_MIN_CUDA)))
    return Carried(with_commas(out), is_cpu=is_cpu)


def from_tetra(class_name: str, call: cst.Call | None, site: Site) -> Carried:
    """A tetra-rp resource config → 2.0 keywords. `call` None: an unknown config (defaults only)."""
    out: list[cst.Arg] = []
    args = {a.keyword.value: a for a in (call.args if call else ()) if a.keyword}
    for key, arg in args.items():
        if key == "name":
            out.append(renamed(arg, "name"))
        elif key in ("workersMin", "workersMax"):
            continue
        elif key in ("scalerType",):
            out.append(renamed(arg, "scaler_type", enum_string(arg.value)))
        elif key in TETRA_RENAMES:
            out.append(renamed(arg, TETRA_RENAMES[key]))
        elif key == "networkVolume":
            mount = mounts_of(arg.value, site, key)
            if mount is not None:
                out.append(mount)
        elif key == "networkVolumeId":
            out.append(
                kw(
                    "mounts",
                    cst.Dict(
                        [
                            cst.DictElement(
                                string(ENDPOINT_MOUNT), cst.Call(cst.Name("NetworkVolume"), [cst.Arg(arg.value)])
                            )
                        ]
                    ),
                )
            )
        elif key == "template":
            out.extend(template_args(arg.value, site))
        else:
            site.drop(key, arg)
    if "workersMin" in args or "workersMax" in args:
        low = args["workersMin"].value if "workersMin" in args else cst.Integer("0")
        high = args["workersMax"].value if "workersMax" in args else cst.Integer("3")
        out.append(kw("workers", cst.Tuple([cst.Element(low), cst.Element(high)])))
    if "idleTimeout" not in args:
        out.append(kw("idle_timeout", cst.Integer(str(TETRA_IDLE_TIMEOUT))))
    is_cpu = class_name.startswith("Cpu")
    if is_cpu and "instanceIds" not in args:
        out.append(kw("cpu", string(DEFAULT_CPU)))
    return Carried(with_commas(out), is_cpu=is_cpu, image="imageName" in args)


def with_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Every argument but the last ends with a comma (reusing the one it came with)."""
    out = []
    for i, arg in enumerate(args):
        last = i == len(args) - 1
        if last:
            out.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        elif isinstance(arg.comma, cst.Comma):
            out.append(arg)
        else:
            out.append(arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
    return out
