"""What a profile's release does to the archive's size: the wheels' Python, the top-level names the
archive step skips, the limit, and the `runpod_flash` package runpod-flash 1.x copies in
(docs/size-model.md, docs/flash1.md "Dependencies and size")."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from ..core import deps as deps_mod
from ..core.flash1.handlers import release_of
from ..core.flash1.requirements import auto_excluded
from ..core.flash1.resource_config import RELPATH as RESOURCE_CONFIG
from .project import project_bytes

# Compressed archive bytes of the bundled `runpod_flash` package of these releases (without bytecode),
# measured from their installed packages; used when the build interpreter's package cannot be read.
RECORDED_BUNDLE_BYTES = {(1, 7, 0): 175_011, (1, 17, 0): 193_606, (1, 21, 0): 208_844}


@dataclass(frozen=True)
class ArchiveRules:
    """What the size prediction needs from the profile: the wheels' Python, the top-level names the
    archive skips, the limit (MiB; a hard error when `limit_is_error`), and the bundled package."""

    python_version: str
    tarball_filter: tuple[str, ...] = ()
    limit_mb: int = 500
    limit_is_error: bool = False
    bundled_bytes: int = 0
    archive_name: str = "archive.tar.gz"
    notes: tuple[str, ...] = field(default=())


def archive_rules(model) -> ArchiveRules:
    """`ArchiveRules` for an analysed project (`ProjectModel`), for either family."""
    profile = model.profile
    local = model.environment.python_version
    if getattr(profile, "family", "tetra") != "flash1":
        return ArchiveRules(local, (), profile.size_limit_mb, profile.size_limit_is_error, 0, profile.archive_name)
    release = release_of(profile)
    python = local
    if release >= (1, 8):
        versions = {r.get("target_python_version") for r in ((model.manifest or {}).get("resources") or {}).values()}
        python = max((v for v in versions if v), default=local)
    skip = set(auto_excluded(profile)) | set(model.requirements.exclusions) if release >= (1, 8) else set()
    if any(
        deps_mod.extract_package_name(r.text).replace("_", "-") == "runpod-flash" for r in model.requirements.installed
    ):
        skip.add("runpod_flash")  # pip's copy is replaced by the bundle and its dist-info removed
    bundled, note = bundled_bytes(model.environment.source, release)
    return ArchiveRules(
        python,
        tuple(sorted(skip)),
        1500 if release >= (1, 10, 1) else 500,
        True,
        bundled,
        "artifact.tar.gz",
        (note,) if note else (),
    )


def bundled_bytes(site_packages: str, release: tuple[int, ...]) -> tuple[int, str | None]:
    """Compressed bytes of the `runpod_flash` package the build copies in (bytecode left out), from
    the build interpreter's installed package, else the recorded size of the nearest release."""
    package = os.path.join(site_packages, "runpod_flash")
    try:
        stamp = os.stat(os.path.join(package, "__init__.py")).st_mtime_ns
    except OSError:
        known = [r for r in RECORDED_BUNDLE_BYTES if r <= release] or [min(RECORDED_BUNDLE_BYTES)]
        nearest = max(known)
        return RECORDED_BUNDLE_BYTES[
            nearest
        ], f"bundled runpod_flash sized as recorded for {'.'.join(map(str, nearest))}"
    return _installed_bundle_bytes(package, stamp), None


@lru_cache(maxsize=8)
def _installed_bundle_bytes(package: str, stamp: int) -> int:
    """Compressed bytes of an installed package (`stamp`, its `__init__.py` mtime, makes a
    reinstalled package measured again)."""
    site_packages = os.path.dirname(package)
    files = []
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d not in ("__pycache__", ".pytest_cache"))
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, site_packages).replace(os.sep, "/")
            if not name.endswith(".pyc") and rel != RESOURCE_CONFIG:
                files.append((rel, os.path.getsize(full)))
    return project_bytes(files, site_packages)[0]
