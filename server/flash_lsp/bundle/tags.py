"""Which wheels the build's pip accepts, in pip's order of preference.

`flash build` runs ``pip install --python-version X.Y --platform manylinux_2_28_x86_64 --platform
manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --implementation cp --only-binary=:all:``.
pip expands only the legacy ``manylinux2014``/``manylinux2010`` names (2014 → 2010 → 1); a
``manylinux_2_x`` platform is taken literally. So a wheel tagged only ``manylinux_2_27_x86_64`` is
*not* installable by that pip, while uv's ``x86_64-manylinux_2_28`` accepts it (`docs/size-model.md`,
"Resolution: which wheels pip would install").
"""

from __future__ import annotations

import functools
import re

from packaging.tags import Tag, compatible_tags, cpython_tags, parse_tag
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

RUNPOD_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def expand_platforms(platforms: tuple[str, ...]) -> tuple[str, ...]:
    """pip's `_expand_allowed_platforms`: legacy manylinux aliases only, order kept."""
    out: list[str] = []
    for p in platforms:
        prefix, sep, arch = p.partition("_")
        cands = [p]
        if prefix == "manylinux2014" and arch in ("i686", "x86_64"):
            cands += [f"manylinux2010{sep}{arch}", f"manylinux1{sep}{arch}"]
        elif prefix == "manylinux2010":
            cands += [f"manylinux1{sep}{arch}"]
        out.extend(c for c in cands if c not in out)
    return tuple(out)


def _version_tuple(python_version: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)\.(\d+)", python_version.strip())
    if not m:
        raise ValueError(f"python version must look like 3.11, got {python_version!r}")
    return int(m.group(1)), int(m.group(2))


@functools.lru_cache(maxsize=32)
def pip_tags(python_version: str, platforms: tuple[str, ...] = RUNPOD_PLATFORMS) -> dict[Tag, int]:
    """Tag → priority (0 = best) exactly as the build's pip computes them (`get_supported`)."""
    v = _version_tuple(python_version)
    plats = list(expand_platforms(platforms))
    abis = [f"cp{v[0]}{v[1]}"] if v >= (3, 8) else None
    tags = list(cpython_tags(v, abis=abis, platforms=plats))
    tags += list(compatible_tags(v, f"cp{v[0]}{v[1]}", plats))
    out: dict[Tag, int] = {}
    for i, t in enumerate(tags):
        out.setdefault(t, i)
    return out


def wheel_priority(filename: str, supported: dict[Tag, int]) -> int | None:
    """Best priority of the wheel's tags (None: pip would not install this wheel)."""
    try:
        _n, _v, _b, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    best = None
    for t in tags:
        p = supported.get(t)
        if p is not None and (best is None or p < best):
            best = p
    return best


def wheel_build_tag(filename: str) -> tuple:
    try:
        return parse_wheel_filename(filename)[2]
    except InvalidWheelFilename:
        return ()


def pick_wheel(filenames: list[str], supported: dict[Tag, int]) -> str | None:
    """The wheel pip picks among files of one version: best tag priority, then highest build tag."""
    best = None
    best_key = None
    for fn in filenames:
        p = wheel_priority(fn, supported)
        if p is None:
            continue
        key = (-p, wheel_build_tag(fn))
        if best_key is None or key > best_key:
            best, best_key = fn, key
    return best


def wheel_tag_summary(filename: str) -> tuple[set[str], set[str], set[str]]:
    """(interpreters, abis, platforms) of a wheel file name (empty sets when unparsable)."""
    try:
        _n, _v, _b, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return set(), set(), set()
    return {t.interpreter for t in tags}, {t.abi for t in tags}, {t.platform for t in tags}


def canonical(name: str) -> str:
    return canonicalize_name(name)


__all__ = [
    "RUNPOD_PLATFORMS",
    "Tag",
    "canonical",
    "expand_platforms",
    "parse_tag",
    "pick_wheel",
    "pip_tags",
    "wheel_priority",
    "wheel_tag_summary",
]
