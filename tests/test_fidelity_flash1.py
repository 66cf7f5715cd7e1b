"""Fidelity for runpod-flash 1.x: every flash1 fixture x environment, real `flash build` vs. flash-lsp.

flash-1.21 runs on every fixture; the older releases (1.17.0, 1.11.2, 1.10.2, 1.9.1, 1.7.0) on the
fixtures listed for them in `tests/fidelity_flash1.py`, each against its own release (1.11.2 and 1.9.1,
which no profile is named after, with our CLI detecting the release). Cases listed in
`tests/fixtures/flash1/KNOWN_GAPS.md` are expected to differ (`xfail(strict=True)`): one that starts
to match fails until its row is removed. The real builds run two at a time, once per session, and
are cached on disk by project content. `test_release_sweep` (marker `release_sweep`, deselected by
default) runs a few fixtures against every 1.x release.
"""

from __future__ import annotations

import json

import pytest

from tests import fidelity as base
from tests import fidelity_flash1 as f1
from tests.fidelity_flash1_report import fidelity_param, known_gaps
from tests.fidelity_flash1_sweep import sweep_cases

CASES = f1.cases()
GAPS = known_gaps()
_NETWORK_FILES = ("requirements.txt",)


def _needs_pip(case: f1.Case) -> bool:
    """The real build runs pip: the fixture has a requirements.txt or `dependencies=[...]`."""
    fixture = case.fixture
    if any((fixture / n).is_file() for n in _NETWORK_FILES):
        return True
    return any("dependencies=[" in p.read_text(encoding="utf-8") for p in fixture.rglob("*.py"))


def _params():
    for case in CASES:
        gap = GAPS.get((case.fixture.name, case.env, case.profile))
        yield fidelity_param(case, case.id, gap, network=_needs_pip(case))


@pytest.fixture(scope="session")
def evaluations(request):
    """Real build + comparison per case, computed two at a time for the cases this session runs."""
    wanted = base.session_params(request, "test_fidelity_flash1", "case")
    for profile in {c.profile for c in wanted}:
        for env in f1.ENVS:
            f1.ensure_env(profile, env)
    with base.two_at_a_time(f1.evaluate, wanted) as evaluate:
        yield evaluate


def test_corpus_covers_enough():
    assert len(f1.all_fixtures()) >= 40
    for fixture in f1.all_fixtures():
        readme = fixture / "README.md"
        assert readme.is_file() and readme.read_text().strip(), f"{fixture.name}: needs a one-line README.md"
    assert {c.profile for c in CASES} == set(f1.PROFILES)


def test_full_env_holds_every_corpus_requirement():
    """The full environments hold what the corpus projects list in requirements.txt."""
    pinned = {r.split("==")[0] for r in f1.FULL_REQUIREMENTS}
    for fixture in f1.all_fixtures():
        req = fixture / "requirements.txt"
        for line in req.read_text().splitlines() if req.is_file() else []:
            name = line.split("#")[0].split("==")[0].strip().lower().replace("_", "-")
            if name and name != "runpod-flash":
                assert name in pinned, f"{fixture.name}: {name} is not in FULL_REQUIREMENTS"


def test_known_gaps_name_real_cases():
    ids = {(c.fixture.name, c.env, c.profile) for c in CASES}
    stale = sorted(set(GAPS) - ids)
    assert not stale, f"KNOWN_GAPS.md rows that are no case: {stale}"


@pytest.mark.fidelity
@pytest.mark.network  # both projects' real builds run pip (unless the build cache already has them)
def test_harness_reports_a_mismatch_in_every_aspect():
    """Compared with another project's real build, each aspect differs: the comparisons can fail."""
    fixtures = f1.FIXTURES
    failed = f1.real_results(fixtures / "missing_import_endpoint", f1.PRIMARY, "base")
    diffs = f1.compare(failed, fixtures / "qb_function")
    assert diffs["manifest"] and diffs["files"] and diffs["outcome"], diffs
    built = f1.real_results(fixtures / "flat_layout", f1.PRIMARY, "base")
    assert f1.compare(built, fixtures / "lb_routes")["handlers"]


@pytest.mark.parametrize("case", list(_params()))
def test_fidelity_flash1(case, evaluations):
    _fail_on_differences(case, *evaluations(case))


def _fail_on_differences(case: f1.Case, real: f1.Flash1Result, diffs: dict[str, list[str]]) -> None:
    flat = [d for ds in diffs.values() for d in ds]
    if flat:
        head = f"{case.id}: {len(flat)} difference(s) (real exit {real.returncode})\n"
        pytest.fail(head + "\n".join(f1.base._indent(d, "  | ") for d in flat), pytrace=False)


def _uncertain_check(*files: str, fails: list[str] | None = None) -> f1.Flash1CliRun:
    steps = [{"file": f, "line": 3, "effect": "a network request", "message": "…"} for f in files]
    if fails is not None:
        steps[0]["fails"] = fails
    build = {"succeeds": None, "errors": [], "warnings": [], "uncertain": steps}
    return f1.Flash1CliRun(["check"], 0, json.dumps({"build": build}), "")


def _real(returncode: int, output: str) -> f1.Flash1Result:
    return f1.Flash1Result(
        profile=f1.PRIMARY,
        returncode=returncode,
        output=output,
        manifest=None,
        handlers={},
        files=[],
        found_count=None,
        duration=0.0,
    )


def test_an_uncertain_outcome_accepts_success_and_a_failure_at_exactly_its_files():
    failed = "\nFailed to load:\n  config_fetch.py: URLError: <urlopen error [Errno 111] Connection refused>\n\n"
    check = _uncertain_check("config_fetch.py")
    assert f1.compare_outcome(_real(0, "✓ built p  3 files\n"), check) == []
    assert f1.compare_outcome(_real(1, failed), check) == []
    assert f1.stopped_at_uncertain(_real(1, failed), check)
    # A failure at another file, or at more files than the uncertain ones, is a difference.
    assert f1.compare_outcome(_real(1, failed), _uncertain_check("other.py"))
    assert f1.compare_outcome(_real(1, failed.replace("\n\n", "\n  b.py: NameError: x\n\n")), check)
    assert f1.compare_outcome(_real(1, "✗ endpoint 'w' is defined in multiple files\n"), check)


def test_an_uncertain_chain_matches_only_its_files_in_order_with_the_one_error():
    refused = "URLError: <urlopen error [Errno 111] Connection refused>"
    lines = [f"  {f}: {refused}" for f in ("config_fetch.py", "settings.py", "worker.py")]
    failed = "\nFailed to load:\n" + "\n".join(lines) + "\n\n"
    chain = ["config_fetch.py", "settings.py", "worker.py"]
    assert f1.compare_outcome(_real(1, failed), _uncertain_check("config_fetch.py", fails=chain)) == []
    # Naming only the file making the request, or an importer too many, is a difference.
    assert f1.compare_outcome(_real(1, failed), _uncertain_check("config_fetch.py"))
    assert f1.compare_outcome(_real(1, failed), _uncertain_check("config_fetch.py", fails=[*chain, "lazy.py"]))
    # Another order, or an importer failing with an error of its own, is a difference.
    swapped = ["config_fetch.py", "worker.py", "settings.py"]
    assert f1.compare_outcome(_real(1, failed), _uncertain_check("config_fetch.py", fails=swapped))
    other = failed.replace(f"worker.py: {refused}", "worker.py: NameError: name 'x' is not defined")
    assert f1.compare_outcome(_real(1, other), _uncertain_check("config_fetch.py", fails=chain))


@pytest.mark.fidelity
@pytest.mark.release_sweep
@pytest.mark.parametrize("case", sweep_cases(), ids=lambda c: c.id)
def test_release_sweep(case):
    """A few fixtures against every 1.x release's own real build, our CLI detecting the release."""
    _fail_on_differences(case, *f1.evaluate(case))
