"""Pick the profile for `auto` (docs/flash1.md, "Which profile"): the Flash package installed in
the project's interpreter, else a version pinned in `requirements.txt`, `pyproject.toml` or
`uv.lock`, else the package the sources import, else tetra-0.24. `runpod` 2.x counts as a Flash
package (docs/runpod2.md, "Which profile"); `runpod` 1.x, which runpod-flash installs, does not.

Reads dist-info directory names, requirement files and source text only; nothing is imported or run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .disk import read_bytes
from .environment import build_interpreters, site_packages_of
from .profiles import DEFAULT_PROFILE, NEWEST_FLASH1, RUNPOD_20, Profile, profile_for_version

_PACKAGES = (("runpod_flash", "runpod-flash"), ("tetra_rp", "tetra-rp"), ("runpod", "runpod"))
_DIST_INFO = re.compile(r"^(runpod_flash|tetra_rp|runpod)-([^-]+)\.dist-info$", re.I)
_PIN = {
    module: re.compile(
        rf"""(?<![\w-]){module.replace("_", "[-_]")}(?![\w-])\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][0-9a-zA-Z.+-]*)""", re.I
    )
    for module, _ in _PACKAGES
}
_LOCK_ENTRY = {
    module: re.compile(rf"""name\s*=\s*"{dist}"\s*\n\s*version\s*=\s*"([^"]+)\"""", re.I) for module, dist in _PACKAGES
}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+(runpod_flash|tetra_rp)\b", re.M)
_SDK2_APP = re.compile(
    r"^\s*from\s+runpod(?:\.apps)?\s+import\s+(?:\([^)]*\bApp\b|[^\n]*\bApp\b)|\brunpod\.App\s*\(", re.M
)
_SKIP_DIRS = {".venv", "venv", "env", ".git", ".flash", "node_modules", "__pycache__", ".tox", "build", "dist"}
_MAX_SOURCES = 2000


def detect_profile(
    root: Path, interpreter: str | None = None, reads: dict[str, tuple[tuple[int, int], bytes | None]] | None = None
) -> tuple[Profile, str]:
    """The profile and a short sentence saying why. `reads` receives what `disk.read_bytes`
    gave for each source file read (by absolute path), so that a one-shot analysis need not
    read them again."""
    found = _installed(root, interpreter) or _pinned(root) or _imported(root, reads)  # the first that answers
    return found or (DEFAULT_PROFILE, f"no Flash version found; assuming {DEFAULT_PROFILE.label}")


def _installed(root: Path, interpreter: str | None) -> tuple[Profile, str] | None:
    for candidate in build_interpreters(root, interpreter):
        for site in site_packages_of(candidate):
            try:
                names = sorted(os.listdir(site))
            except OSError:
                continue
            found = [m for m in map(_DIST_INFO.match, names) if m]
            if any(m.group(1).lower() != "runpod" for m in found):  # runpod-flash brings its own runpod
                found = [m for m in found if m.group(1).lower() != "runpod"]
            for match in found:
                dist, version = _dist(match.group(1)), match.group(2)
                if profile := profile_for_version(version, match.group(1).lower()):
                    return profile, f"{dist} {version} is installed in {site}"
                if match.group(1).lower() == "runpod_flash":
                    return (
                        NEWEST_FLASH1,
                        f"{dist} {version} is installed in {site}; no profile models it, using {NEWEST_FLASH1.name}",
                    )
    return None


def _pinned(root: Path) -> tuple[Profile, str] | None:
    for name in ("requirements.txt", "pyproject.toml", "uv.lock"):
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        patterns = _LOCK_ENTRY if name == "uv.lock" else _PIN
        for module, pattern in patterns.items():
            match = pattern.search(text)
            if match and (profile := profile_for_version(match.group(1), module)):
                verb = "locks" if name == "uv.lock" else "pins"
                return profile, f"{name} {verb} {_dist(module)} {match.group(1)}"
    return None


def _imported(root: Path, reads: dict | None) -> tuple[Profile, str] | None:
    """The first Flash package a source file imports (runpod_flash wins when both appear)."""
    seen: set[str] = set()
    for count, path in enumerate(_sources(root)):
        if count >= _MAX_SOURCES:
            break
        try:
            read = read_bytes(path)
        except (OSError, ValueError):
            continue
        if reads is not None:
            reads[path] = read
        data = read[1] or b""
        if b"runpod" not in data and b"tetra_rp" not in data:  # the regexes below cost 20x a find
            continue
        text = data.decode("utf-8", errors="replace")
        seen.update(_IMPORT.findall(text))
        if "runpod" in text and _SDK2_APP.search(text):
            seen.add("runpod.App")
        if "runpod_flash" in seen:
            return NEWEST_FLASH1, f"the sources import runpod_flash; assuming {NEWEST_FLASH1.label}"
    if "runpod.App" in seen:
        return RUNPOD_20, f"the sources use runpod.App; assuming {RUNPOD_20.label}"
    if "tetra_rp" in seen:
        return DEFAULT_PROFILE, f"the sources import tetra_rp; assuming {DEFAULT_PROFILE.label}"
    return None


def _sources(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                yield os.path.join(dirpath, filename)


def _dist(module: str) -> str:
    return dict(_PACKAGES)[module.lower()]
