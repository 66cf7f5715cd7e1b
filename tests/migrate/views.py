"""One comparable view per resource, from an old manifest (tetra-rp 0.24, runpod-flash 1.21) or a 2.0 one.

A view maps field → value for the fields the migration proof compares: ``kind``, ``compute`` (GPU pools
or CPU instance ids), ``workers``, ``idleTimeout``, ``routes``, ``dependencies``, ``maxConcurrency``,
``minCudaVersion``, ``scaler``, ``imageName`` (custom images only), ``mounts`` (volume names), ``env``,
``locations``, ``templateId``. A field the old manifest does not record (tetra-rp has no idle timeout,
no CPU instance ids) is left out of the old view and not compared. Dependencies are not in the old
manifests: the old view takes them from the project's declarations (``dependencies=`` of the
resource's decorator or Endpoint), read with ``ast``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from flash_lsp.core.runpod2.sdk import GPU_POOLS

ALL_POOLS = frozenset(GPU_POOLS)  # "any GPU" as runpod-flash 1.21 and runpod 2.0 expand it
TETRA_ANY = frozenset(
    {  # tetra-rp 0.24's expansion of GpuGroup.ANY (older pool list)
        "ADA_80_PRO",
        "ADA_48_PRO",
        "AMPERE_16",
        "ADA_24",
        "ADA_32_PRO",
        "AMPERE_24",
        "AMPERE_48",
        "AMPERE_80",
        "HOPPER_141",
    }
)
ALL_LOCATIONS = 11  # runpod-flash 1.x lists every data centre when none is chosen: "anywhere"
# Which note settings stand for which compared fields.
COVERS = {
    "kind": {"kind", "routes", "maxConcurrency", "scaler"},
    "workers": {"workers"},
    "gpus": {"compute"},
    "instanceIds": {"compute"},
    "mounts": {"mounts"},
}


def _pools(gpu_ids: str | None, *, tetra: bool) -> frozenset | None:
    if gpu_ids is None:
        return None
    pools = frozenset(p for p in gpu_ids.split(",") if p and not p.startswith("-"))
    if pools == ALL_POOLS or (tetra and pools == TETRA_ANY) or "any" in pools:
        return frozenset({"any"})
    return pools


def declared_dependencies(project: Path) -> dict[str, frozenset]:
    """resource name → the `dependencies=[...]` literal strings declared for it in the old sources."""
    configs: dict[str, tuple[str, list]] = {}
    out: dict[str, frozenset] = {}
    for file in sorted(project.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                configs[node.targets[0].id] = (_name_kw(node.value) or node.targets[0].id, _deps(node.value))
        for node in ast.walk(tree):
            for dec in getattr(node, "decorator_list", []):
                if not isinstance(dec, ast.Call):
                    continue
                callee = getattr(dec.func, "id", getattr(dec.func, "attr", ""))
                if callee == "Endpoint":
                    out[_name_kw(dec) or node.name] = frozenset(_deps(dec))
                elif callee == "remote" and dec.args:
                    first = dec.args[0]
                    if isinstance(first, ast.Call):
                        name = _name_kw(first)
                    else:
                        name = configs.get(getattr(first, "id", ""), (getattr(first, "id", None), []))[0]
                    out[name] = out.get(name, frozenset()) | frozenset(_deps(dec))
    for name, deps in configs.values():
        if deps:
            out[name] = out.get(name, frozenset()) | frozenset(deps)
    return out


def _name_kw(call: ast.Call) -> str | None:
    for kw in call.keywords:
        if kw.arg == "name" and isinstance(kw.value, ast.Constant):
            return kw.value.value
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _deps(call: ast.Call) -> list[str]:
    for kw in call.keywords:
        if kw.arg == "dependencies" and isinstance(kw.value, ast.List):
            return [e.value for e in kw.value.elts if isinstance(e, ast.Constant)]
    return []


def view_old(manifest: dict, profile: str, project: Path) -> dict[str, dict]:
    tetra = profile.startswith("tetra")
    deps = declared_dependencies(project)
    views = {}
    for name, r in manifest["resources"].items():
        lb = r.get("is_load_balanced", False)
        v: dict = {"kind": "api" if lb else "queue"}
        if r.get("client_mode"):
            v["kind"] = "client"
        cpu = r["resource_type"].startswith("Cpu") or "instanceIds" in r
        if cpu:
            v["compute"] = ("cpu", frozenset(r["instanceIds"]) if "instanceIds" in r else None)
        elif "gpuIds" in r:
            v["compute"] = ("gpu", _pools(r["gpuIds"], tetra=tetra))
        if "workersMin" in r:
            v["workers"] = (r["workersMin"], r["workersMax"])
        if "idleTimeout" in r:
            v["idleTimeout"] = r["idleTimeout"]
        if lb:
            v["routes"] = frozenset(
                (f["http_method"].upper(), f["http_path"]) for f in r["functions"] if f.get("http_path")
            )
        if not tetra:
            v["maxConcurrency"] = r.get("max_concurrency", 1)
            v["minCudaVersion"] = r.get("minCudaVersion")
            v["scaler"] = (r.get("scalerType"), r.get("scalerValue"))
            v["env"] = r.get("env") or None
            v["mounts"] = frozenset(vol["name"] for vol in r.get("networkVolumes", [])) or None
            locations = r.get("locations")
            v["locations"] = None if not locations or len(locations.split(",")) == ALL_LOCATIONS else locations
        image = r.get("imageName")
        if image is not None or not tetra:
            v["imageName"] = None if not image or image.startswith(("runpod/flash", "runpod/tetra-rp")) else image
        if r.get("templateId"):
            v["templateId"] = r["templateId"]
        v["dependencies"] = deps.get(name, frozenset())
        views[name] = v
    return views


def view_new(manifest: dict, gpu_ids: dict) -> dict[str, dict]:
    views = {}
    for r in manifest["resources"]:
        name, kind = r["name"], r["kind"]
        v: dict = {"kind": kind}
        if "instanceIds" in r:
            v["compute"] = ("cpu", frozenset(r["instanceIds"]))
        else:
            v["compute"] = ("gpu", _pools(gpu_ids.get(name), tetra=False))
        v["workers"] = (r["workersMin"], r["workersMax"])
        v["idleTimeout"] = r["idleTimeout"]
        if kind == "api":
            v["routes"] = frozenset((x["method"], x["path"]) for x in r.get("routes", []))
        v["maxConcurrency"] = r.get("maxConcurrency", 1)
        v["minCudaVersion"] = r.get("minCudaVersion")
        v["scaler"] = (
            r.get("scalerType") or ("REQUEST_COUNT" if kind == "api" else "QUEUE_DELAY"),
            r.get("scalerValue", 4),
        )
        v["env"] = r.get("env") or None
        v["mounts"] = frozenset(m["reference"] for m in r.get("mounts", [])) or None
        v["locations"] = r.get("locations")
        v["imageName"] = r.get("imageName")
        v["templateId"] = None
        v["dependencies"] = frozenset(r.get("dependencies", []))
        views[name] = v
    return views


def compare(old: dict[str, dict], new: dict[str, dict], notes: list[dict]) -> list[str]:
    """Differences no note explains, and notes on compared fields that explain no difference."""
    problems = []
    covered: set[tuple[str, str]] = set()
    for n in notes:
        if "resource" in n and "setting" in n:
            for f in COVERS.get(n["setting"], {n["setting"]}):
                covered.add((n["resource"], f))
    split = {n["new_resource"]: n["resource"] for n in notes if "new_resource" in n}
    differences: set[tuple[str, str]] = set()
    for name in sorted(set(old) | set(new)):
        if name not in new:
            if (name, "resource") not in covered:
                problems.append(f"resource '{name}' ({old[name]['kind']}) is gone and no note says so")
            differences.add((name, "resource"))
            continue
        if name not in old:
            if name not in split:
                problems.append(f"resource '{name}' is new and no note says so")
            continue
        for field_name, before in old[name].items():
            after = new[name].get(field_name)
            if before == after:
                continue
            if field_name == "compute" and before[1] is None and before[0] == after[0]:
                continue  # tetra-rp does not record CPU instance ids
            differences.add((name, field_name))
            if (name, field_name) not in covered:
                problems.append(f"'{name}' {field_name}: before {_show(before)}, after {_show(after)}; no note says so")
    compared = {f for v in old.values() for f in v} | {"resource"}
    for resource, field_name in sorted(covered):
        if (
            field_name in compared
            and resource in old
            and (resource, field_name) not in differences
            and not any(f != field_name and (resource, f) in differences for f in _siblings(field_name))
        ):
            problems.append(f"a note says '{resource}' {field_name} changes, but it does not")
    return problems


def _siblings(field_name: str) -> set[str]:
    return next((fields for fields in COVERS.values() if field_name in fields), {field_name})


def _show(value) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    return repr(value)
