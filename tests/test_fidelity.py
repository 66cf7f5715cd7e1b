"""Fidelity: every fixture project x both tetra profiles, real `flash build` vs. our predictions.

Needs the reference venvs (created once per session under $FLASH_LSP_REF_CACHE or <repo>/.cache,
from PyPI). Real build results are cached by fixture content, so local re-runs are fast.
"""

from __future__ import annotations

import pytest

from tests import fidelity

FIXTURES = fidelity.all_fixtures()
PROFILES = sorted(fidelity.PROFILES, reverse=True)


def _params():
    for project in FIXTURES:
        marks = [pytest.mark.fidelity]
        if project.name.startswith("net_"):
            marks.append(pytest.mark.network)
        for profile in PROFILES:
            yield pytest.param(project, profile, id=f"{project.name}-{profile}", marks=marks)


@pytest.fixture(scope="session")
def ref_venvs():
    """Create (or reuse) one reference venv per profile, once per test session."""
    return {profile: fidelity.ensure_ref_venv(profile) for profile in PROFILES}


def test_corpus_is_large_enough():
    assert len(FIXTURES) >= 32
    assert sum(p.name.startswith("net_") for p in FIXTURES) <= 3


@pytest.mark.parametrize(("project", "profile"), list(_params()))
def test_fidelity(project, profile, ref_venvs):
    diffs = fidelity.compare_project(project, profile)
    report = f"{project.name} [{profile}]: {len(diffs)} difference(s)\n" + "\n".join(
        fidelity._indent(d, "  | ") for d in diffs
    )
    if diffs:
        pytest.fail(report, pytrace=False)
