"""The runpod-flash 1.x release sweep: the fidelity comparison of `tests/fidelity_flash1.py` run
against every 1.x release a profile models, each built by its own reference venv, with our CLI
detecting the release from that venv as users get it (docs/flash1.md, "Release sweep").

Opt-in: `pytest -m release_sweep tests/test_fidelity_flash1.py`, or
`python -m tests.fidelity_flash1 --release 1.13.0|all [PATH ...] [--env full]`.
"""

from __future__ import annotations

from pathlib import Path

from flash_lsp.core.profiles import profile_for_version
from tests.fidelity_flash1 import FIXTURES, OLDER_RELEASE_FIXTURES, PRIMARY, PROFILES, Case, all_fixtures

# Every runpod-flash 1.x release a profile models.
RELEASES = (
    *("1.6.1", "1.7.0", "1.8.0", "1.8.1", "1.9.0", "1.9.1", "1.10.0", "1.10.2"),
    *("1.11.0", "1.11.1", "1.11.2", "1.11.3", "1.12.0", "1.13.0", "1.14.0", "1.15.0", "1.16.0"),
    *("1.17.0", "1.18.0", "1.19.0", "1.20.0", "1.20.1", "1.21.0"),
)
# A small subset every release runs: Python-version and `-fb` naming fields, routes, a legacy
# class, `.env` handling, and discovery by AST vs. by import.
SWEEP_FIXTURES = ("qb_function", "lb_routes", "legacy_cpu_lb", "env_files", "missing_import_endpoint")


def covering_profile(release: str) -> str:
    """The profile that models `release` (`flash-1.17` for 1.13.0)."""
    return profile_for_version(release, "runpod_flash").name


def release_fixtures(release: str) -> list[Path]:
    """The fixtures the profile covering `release` runs on (every fixture for the newest profile)."""
    profile = covering_profile(release)
    return [f for f in all_fixtures() if profile == PRIMARY or f.name in OLDER_RELEASE_FIXTURES[profile]]


def release_venv(release: str) -> str:
    """The reference venv of `release`: a profile's when the main suite has one (`flash-1.17` for
    1.17.0, with its cached builds), else `flash-<release>`."""
    return next((p for p, r in PROFILES.items() if r == release), f"flash-{release}")


def sweep_cases(releases=RELEASES, fixtures: list[str] | None = SWEEP_FIXTURES, env: str = "base") -> list[Case]:
    """`fixtures` (None: those of each release's covering profile) x `releases`, each release by
    its own reference venv."""
    return [
        Case(fixture, release_venv(release), env)
        for release in releases
        for fixture in (release_fixtures(release) if fixtures is None else [FIXTURES / n for n in fixtures])
    ]
