"""Why the build's pip would fail: a resolver's error turned into `Problem`s, with the index's
Simple API page read to say which wheels exist and which Python versions would work."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from .model import Problem
from .resolve import ResolutionError
from .tags import RUNPOD_PLATFORMS, pick_wheel, pip_tags, wheel_tag_summary


def problems_from_error(exc: ResolutionError, analyze) -> list[Problem]:
    """`exc` as problems; `analyze(package, requirement)` explains a missing wheel (blocking)."""
    if exc.kind == "no-wheel":
        out = [analyze(pkg, r) for pkg, r in zip(exc.packages, exc.requirements or exc.packages, strict=False)]
        return out or [Problem("no-wheel", exc.message)]
    if exc.kind == "conflict":
        return [Problem("conflict", exc.message, None, exc.requirements, {"packages": exc.packages})]
    if exc.kind == "requires-python":
        return [Problem("requires-python", exc.message, exc.packages[0] if exc.packages else None)]
    if exc.kind == "invalid":
        return [Problem("invalid-requirement", exc.message, None, exc.requirements)]
    return [Problem("resolution-failed", exc.message, None, [], {"output": exc.output[-2000:]})]


def analyze_no_wheel(data: dict | None, name: str, requirement: str, python_version: str, platforms=None) -> Problem:
    """Why pip found no wheel for `requirement`, and what would work, from its Simple API page `data`."""
    platforms = tuple(platforms or RUNPOD_PLATFORMS)
    abi = "cp" + python_version.replace(".", "")
    target = f"CPython {python_version} ({abi}) on manylinux x86-64"
    if data is None:
        return Problem(
            "no-wheel", f"{requirement}: no such project on the index, or it could not be read", name, [requirement]
        )
    try:
        spec = Requirement(requirement).specifier
    except (InvalidRequirement, InvalidSpecifier):
        spec = SpecifierSet()
    files: dict[Version, list[str]] = {}
    sdists: set[Version] = set()
    for f in data.get("files", []):
        fn = f.get("filename", "")
        if f.get("yanked"):
            continue
        if fn.endswith(".whl"):
            try:
                v = parse_wheel_filename(fn)[1]
            except (InvalidWheelFilename, InvalidVersion):
                continue
            files.setdefault(v, []).append(fn)
        elif fn.endswith((".tar.gz", ".zip")):
            try:
                v = Version(fn.rsplit("-", 1)[-1].removesuffix(".tar.gz").removesuffix(".zip"))
                sdists.add(v)
            except InvalidVersion:
                pass
    supported = pip_tags(python_version, platforms)
    ok_versions = sorted((v for v, fns in files.items() if pick_wheel(fns, supported)), reverse=True)
    in_spec = sorted((v for v in set(files) | sdists if spec.contains(v, prereleases=True)), reverse=True)
    newest = in_spec[0] if in_spec else None
    details: dict = {"target": target, "versions_with_wheel": [str(v) for v in ok_versions[:5]]}
    parts = [f"no wheel of {requirement} for {target}"]
    if newest is not None:
        fns = files.get(newest, [])
        if not fns:
            parts.append(f"{name} {newest} has only a source distribution (the build installs binary wheels only)")
        else:
            interp, abis, plats = set(), set(), set()
            for fn in fns:
                i, a, p = wheel_tag_summary(fn)
                interp |= i
                abis |= a
                plats |= p
            linux = sorted(p for p in plats if "linux" in p and "x86_64" in p)
            parts.append(
                f"{name} {newest} has wheels for {', '.join(sorted(abis - {'none'}) or sorted(interp))}"
                f" on {', '.join(linux) if linux else ', '.join(sorted(plats)[:4])}"
            )
            works = []
            for minor in range(8, 15):
                pv = f"3.{minor}"
                if pick_wheel(fns, pip_tags(pv, platforms)):
                    works.append(pv)
            details["python_versions_that_work"] = works
            if works:
                parts.append(f"Python versions with a usable wheel of {newest}: {', '.join(works)}")
            details["newest_matching"] = str(newest)
    elif not files and not sdists:
        parts.append(f"{name} has no files on the index")
    if ok_versions:
        parts.append(f"versions with a wheel for this target: {', '.join(str(v) for v in ok_versions[:3])}")
    else:
        parts.append(f"no version of {name} has a wheel for this target")
    return Problem("no-wheel", "; ".join(parts), name, [requirement], details)
