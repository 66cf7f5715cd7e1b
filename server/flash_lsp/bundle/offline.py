"""Offline fallback: estimate from the distributions installed in a local environment.

Walks the dependency closure of the requirements through the local distributions' metadata
(markers evaluated for the Linux x86-64 target), and sums their RECORD sizes (bytecode dropped) ×
per-type ratios of a level-9 tar.gz: ±10 % typical, worst −38 %/+30 % (`docs/size-model.md`, "Wheel
sizes: the compression model") when the local platform is the target; a macOS/Windows/ARM environment adds the
difference between its wheels and the manylinux ones, and lacks torch's CUDA packages.
"""

from __future__ import annotations

import importlib.metadata as md
import platform
import sys

from .graph import parse_requirement, required_by
from .model import PackageSize, TopLevel
from .tags import canonical
from .wheelcd import category, is_removed_by_build

# Archive bytes per raw byte, by file type, measured on the wheels of the accuracy sets (tar.gz -9).
RATIOS = {"py": 0.21, "text": 0.26, "shlib": 0.36, "other": 0.45}
PER_FILE = 60


def local_distributions(paths: list[str] | None = None) -> dict[str, md.Distribution]:
    out: dict[str, md.Distribution] = {}
    for d in md.distributions(path=paths if paths is not None else sys.path):
        try:
            name = d.metadata["Name"]
        except Exception:
            continue
        if name:
            out.setdefault(canonical(name), d)
    return out


def _dist_size(d: md.Distribution) -> tuple[int, int, int, dict[str, list[int]]]:
    raw = files = 0
    est = 0.0
    tops: dict[str, list[int]] = {}
    for f in d.files or ():
        p = f.as_posix()
        if p.startswith("..") or is_removed_by_build(p):
            continue
        size = f.size
        if size is None:
            try:
                size = f.locate().stat().st_size
            except OSError:
                continue
        raw += size
        files += 1
        e = RATIOS[category(p)] * size + PER_FILE
        est += e
        t = tops.setdefault(p.split("/", 1)[0], [0, 0, 0])
        t[0] += 1
        t[1] += size
        t[2] += int(e)
    return raw, files, int(est), tops


def offline_packages(
    requirements: list[str], python_version: str, *, no_deps: bool = False, paths: list[str] | None = None
) -> tuple[list[PackageSize], list[str], list[str]]:
    """(packages found locally, names required but not installed locally, notes)."""
    local = local_distributions(paths)
    requires = {k: list(d.requires or []) for k, d in local.items()}
    tops = [r for r in requirements if isinstance(r, str)]
    wanted = {parse_requirement(r)[0] for r in tops}
    if no_deps:
        closure = {k for k in wanted if k in local}
        by = {k: [r for r in tops if parse_requirement(r)[0] == k] for k in closure}
        chains = {k: [k] for k in closure}
    else:
        # All names the closure mentions, found or not.
        universe = set(local) | wanted
        for reqs in requires.values():
            universe.update(parse_requirement(r)[0] for r in reqs)
        by, chains = required_by(tops, requires, python_version, universe)
        closure = set(by)
    missing = sorted(k for k in closure | wanted if k not in local)
    pkgs = []
    for k in sorted(closure):
        d = local.get(k)
        if d is None:
            continue
        raw, files, est, tops_ = _dist_size(d)
        pkgs.append(
            PackageSize(
                name=d.metadata["Name"],
                version=d.version,
                filename="",
                url="",
                wheel_bytes=None,
                archive_bytes=est,
                uncompressed_bytes=raw,
                files=files,
                required_by=by.get(k, []),
                direct=k in wanted,
                via=chains.get(k, [k]),
                top_level=[TopLevel(n, "package", v[0], v[1], v[2]) for n, v in sorted(tops_.items())],
                size_method="local-record",
            )
        )
    notes = [
        "offline: estimated from the distributions installed locally (RECORD sizes × per-type ratios,"
        " typically within ±10 %, worst about ±35 %)"
    ]
    if missing:
        notes.append("not installed locally, so not counted: " + ", ".join(missing))
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        notes.append(
            f"this host is {platform.system()} {platform.machine()}: its wheels differ from the manylinux"
            " x86-64 ones the build installs, and platform-specific dependencies (torch's CUDA packages)"
            " are missing locally"
        )
    return pkgs, missing, notes
