"""Pick the profile for `auto`: the installed tetra_rp, else a pinned version, else tetra-0.24.

Reads dist-info directory names and requirement files only; nothing is imported or run.
"""

from __future__ import annotations

import re
from pathlib import Path

from .environment import site_packages_of
from .profiles import DEFAULT_PROFILE, Profile, profile_for_version

_DIST_INFO = re.compile(r"^tetra_rp-([^-]+)\.dist-info$")
_PIN = re.compile(r"""tetra[-_]rp\s*===?\s*([0-9][0-9a-zA-Z.+-]*)""", re.I)


def detect_profile(root: Path, interpreter: str | None = None) -> tuple[Profile, str]:
    """The profile and a short sentence saying why."""
    candidates = [Path(interpreter)] if interpreter else [root / ".venv", root / "venv"]
    for candidate in candidates:
        for site in site_packages_of(candidate):
            for entry in sorted(site.glob("tetra_rp-*.dist-info")):
                match = _DIST_INFO.match(entry.name)
                profile = profile_for_version(match.group(1)) if match else None
                if profile:
                    return profile, f"tetra-rp {match.group(1)} is installed in {site}"
    for name in ("requirements.txt", "pyproject.toml"):
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        match = _PIN.search(text)
        if match and (profile := profile_for_version(match.group(1))):
            return profile, f"{name} pins tetra-rp {match.group(1)}"
    return DEFAULT_PROFILE, f"no tetra-rp version found; assuming {DEFAULT_PROFILE.label}"
