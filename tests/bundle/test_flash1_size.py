"""runpod-flash 1.x requirements and archive size against real builds.

`data/flash1_out/sizes.json` holds archive sizes of real runpod-flash 1.21.0 builds of the case
directories (the command is recorded with each); `expected/dependencies-*.json` comes from
`python -m tests.core.flash1_record dependencies` (its README passes `--exclude tabulate,nothere`).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from flash_lsp.bundle import SizePredictor
from flash_lsp.bundle.release_rules import RECORDED_BUNDLE_BYTES, archive_rules, bundled_bytes
from flash_lsp.bundle.request import request_for
from flash_lsp.core.environment import detect_environment
from flash_lsp.core.flash1.requirements import collect as collect_requirements
from flash_lsp.core.profiles import PROFILES
from flash_lsp.core.project import Project, analyze_project

DATA = Path(__file__).resolve().parents[1] / "core" / "data" / "flash1_out"
SIZES = json.loads((DATA / "sizes.json").read_text())
VENV = Path(__file__).resolve().parents[2] / ".cache" / "ref-venvs" / "flash-1.21"
_DEPS = re.compile(r"✓ built \S+\s+\d+ files, (\d+) deps")


def copy(case: str, tmp_path: Path) -> Path:
    shutil.copytree(DATA / case, tmp_path / case)
    return tmp_path / case


def model_for(root: Path):
    if not (VENV / "bin" / "python").exists():
        pytest.skip("no runpod-flash 1.21.0 reference venv under .cache/ref-venvs")
    environment = detect_environment(root, str(VENV / "bin" / "python"), PROFILES["flash-1.21"])
    return analyze_project(root, PROFILES["flash-1.21"], environment=environment)


@pytest.mark.parametrize("profile", ["flash-1.21", "flash-1.17"])
def test_requirements_are_what_the_real_build_installs(profile, tmp_path):
    expected = json.loads((DATA / "expected" / f"dependencies-{profile}.json").read_text())
    root = copy("dependencies", tmp_path)
    project = Project(root, PROFILES[profile])
    requirements = collect_requirements(project, project.files(), ["tabulate", "nothere"])
    assert [r.text for r in requirements.installed] == ["six", "idna", "attrs", "termcolor==3.3.0", "toml"]
    assert int(_DEPS.search(expected["output"]).group(1)) == len(requirements.installed)
    assert [r.text for r in requirements.excluded] == ["torch>=2.0", "tabulate"]
    assert expected["warnings"] == [f"! No packages matched exclusions: {', '.join(requirements.unmatched_exclusions)}"]
    first = requirements.installed[2]
    assert (first.path, first.span.line, first.function) == ("w.py", 2, None)


def test_a_file_the_build_cannot_read_is_a_parse_warning(tmp_path):
    expected = json.loads((DATA / "expected" / "closure_helper_warnings-flash-1.21.json").read_text())
    root = copy("closure_helper_warnings", tmp_path)
    project = Project(root, PROFILES["flash-1.21"])
    requirements = collect_requirements(project, project.files(), [])
    assert requirements.warnings == [w for w in expected["warnings"] if w.startswith("! Failed to parse")]


def test_archive_rules_of_the_newest_release(tmp_path):
    model = model_for(copy("size_deps", tmp_path))
    rules = archive_rules(model)
    assert rules.python_version == "3.12"
    assert set(rules.tarball_filter) == {"torch", "torchvision", "torchaudio", "triton", "runpod_flash"}
    assert (rules.limit_mb, rules.limit_is_error, rules.archive_name) == (1500, True, "artifact.tar.gz")
    assert rules.bundled_bytes == RECORDED_BUNDLE_BYTES[(1, 21, 0)]  # measured from this very package
    assert bundled_bytes(str(tmp_path), (1, 19, 0)) == (
        RECORDED_BUNDLE_BYTES[(1, 17, 0)],
        "bundled runpod_flash sized as recorded for 1.17.0",
    )


def _predict(root: Path, tmp_path: Path, offline: bool):
    model = model_for(root)
    predictor = SizePredictor(
        cache_dir=tmp_path / "cache", python=str(VENV / "bin" / "python"), use_uv=False, offline=offline
    )
    return predictor.estimate_sync(request_for(model))


def test_archive_without_dependencies_is_project_plus_bundle(tmp_path):
    real = SIZES["no_endpoints"]["archive_bytes"]
    estimate = _predict(copy("no_endpoints", tmp_path), tmp_path, offline=True)
    assert abs(estimate.archive_bytes - real) / real < 0.01


@pytest.mark.network
def test_archive_with_dependencies(tmp_path):
    real = SIZES["size_deps"]["archive_bytes"]
    estimate = _predict(copy("size_deps", tmp_path), tmp_path, offline=False)
    assert estimate.python_version == "3.12"
    assert abs(estimate.archive_bytes - real) / real < 0.03


def test_dependency_diagnostics(tmp_path):
    root = copy("dependencies", tmp_path)
    (root / "requirements.txt").write_text("six # pinned\nidna\n")
    model = analyze_project(root, PROFILES["flash-1.21"])
    found = {(d.code, d.path, d.span.line, d.span.col) for d in model.diagnostics if d.code.startswith("FL50")}
    assert found == {("FL503", "w.py", 6, 79), ("FL504", "requirements.txt", 0, 0)}  # the 5 in the list; the comment
    assert not model.outcome.succeeds and model.outcome.errors[-1] == "Failed to install dependencies"


def test_archive_rules_before_1_8(tmp_path):
    """1.7.0 (read in its build.py): wheels for the local Python, no auto-exclusion and no archive
    filter, 500 MB limit; the runpod_flash bundle is still copied in."""
    import dataclasses

    model = model_for(copy("size_deps", tmp_path))
    model.profile = dataclasses.replace(model.profile, release="1.7.0")
    rules = archive_rules(model)
    assert rules.python_version == model.environment.python_version
    assert rules.tarball_filter == ("runpod_flash",)
    assert (rules.limit_mb, rules.limit_is_error) == (500, True)
