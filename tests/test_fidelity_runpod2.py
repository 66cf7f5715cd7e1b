"""Fidelity for runpod 2.0: every fixture under tests/fixtures/runpod2, real
`rp flash deploy --build-only` (runpod 2.0.0rc2) vs. `flash-lsp manifest|files|check|size`.

Cases listed in `tests/fixtures/runpod2/KNOWN_GAPS.md` are expected to differ (`xfail(strict=True)`):
one that starts to match fails until its row is removed. Real builds run two at a time, once per
session, and are cached on disk by project content (tests/fidelity_runpod2.py).
"""

from __future__ import annotations

import pytest

from tests import fidelity as base
from tests import fidelity_runpod2 as rp2
from tests.fidelity_flash1_report import fidelity_param, known_gaps

FIXTURES = rp2.all_fixtures()
GAPS = known_gaps(rp2.FIXTURES / "KNOWN_GAPS.md")


def _params():
    for fixture in FIXTURES:
        gap = GAPS.get((fixture.name, "-", rp2.PROFILE))
        yield fidelity_param(fixture, fixture.name, gap, network=True)  # the wheelhouse comes from PyPI once


@pytest.fixture(scope="session")
def evaluations(request):
    wanted = base.session_params(request, "test_fidelity_runpod2", "fixture")
    rp2.wheelhouse(rp2.venv() / "bin" / "python")
    with base.two_at_a_time(rp2.evaluate, wanted) as evaluate:
        yield evaluate


def test_corpus_covers_enough():
    assert len(FIXTURES) >= 25
    for fixture in FIXTURES:
        readme = fixture / "README.md"
        assert readme.is_file() and readme.read_text().strip(), f"{fixture.name}: needs a README.md"


def test_known_gaps_name_real_fixtures():
    names = {f.name for f in FIXTURES}
    stale = sorted(key for key in GAPS if key[0] not in names or key[1:] != ("-", rp2.PROFILE))
    assert not stale, f"KNOWN_GAPS.md rows that are no case: {stale}"


@pytest.mark.fidelity
@pytest.mark.network
def test_harness_reports_a_mismatch_in_every_aspect():
    """Compared with another project's real build, each aspect differs: the comparisons can fail."""
    failed = rp2.real_results(rp2.FIXTURES / "gpu_cpu_both")
    diffs = rp2.compare(failed, rp2.FIXTURES / "queue_gpu_strings")
    assert diffs["manifest"] and diffs["check"], diffs
    built = rp2.real_results(rp2.FIXTURES / "ignore_defaults")
    assert rp2.compare(built, rp2.FIXTURES / "secrets_protected")["files"]


@pytest.mark.parametrize("fixture", list(_params()))
def test_fidelity_runpod2(fixture, evaluations):
    real, diffs = evaluations(fixture)
    flat = [d for ds in diffs.values() for d in ds]
    if flat:
        head = f"{fixture.name}: {len(flat)} difference(s) (real exit {real.returncode})\n"
        pytest.fail(head + "\n".join(rp2.base._indent(d, "  | ") for d in flat), pytrace=False)
