"""Behaviour of single 1.x releases that the release sweep (`pytest -m release_sweep`) found by
building the fixtures with each release: the texts below are the real builds' output."""

from __future__ import annotations

from pathlib import Path

from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.flash1.requirements import warning_prefix
from flash_lsp.core.profiles import profile_for_version
from flash_lsp.core.project import analyze_project

from .conftest import write_project

FIXTURES = Path(__file__).parent.parent / "fixtures" / "flash1"
ENV = Environment(FLASH1_BASELINE, "test", "3.11", "2.14")


def _outcome(root: Path, release: str):
    model = analyze_project(root, profile_for_version(release, "runpod_flash"), environment=ENV, env_vars={})
    return model, model.outcome


def test_max_concurrency_is_rejected_before_1_13():
    _, before = _outcome(FIXTURES / "max_concurrency_async", "1.12.0")
    assert before.errors == [
        "Failed to load:",
        "worker.py: TypeError: Endpoint.__init__() got an unexpected keyword argument 'max_concurrency'",
    ]
    _, since = _outcome(FIXTURES / "max_concurrency_async", "1.13.0")
    assert since.succeeds and since.errors == []


def test_min_cuda_version_is_accepted_from_1_11(tmp_path):
    worker = (
        'from runpod_flash import Endpoint\n@Endpoint(name="w", min_cuda_version="12.8")\ndef run(x):\n    return x\n'
    )
    _, outcome = _outcome(write_project(tmp_path / "p", {"worker.py": worker}, main=False), "1.11.0")
    assert outcome.succeeds and outcome.errors == []


def test_errors_are_marked_error_before_1_15():
    duplicate = "Duplicate function name 'preprocess' found in resources 'cpu_worker' and 'cpu_worker'"
    for release in ("1.12.0", "1.13.0", "1.14.0"):
        assert _outcome(FIXTURES / "reexport_import", release)[1].errors == [f"Error: {duplicate}"], release
    (since,) = _outcome(FIXTURES / "reexport_import", "1.15.0")[1].errors
    assert since.startswith("endpoint 'cpu_worker' is defined in multiple files: ")


def test_a_project_without_python_files_is_still_fl425_before_1_15(tmp_path):
    root = write_project(tmp_path / "p", {"README.md": "x\n"}, main=False)
    model, outcome = _outcome(root, "1.14.0")
    assert outcome.errors == [f"Error: No Python files found in {root}", "Error: Not a valid Flash project"]
    assert [d.code for d in model.diagnostics] == ["FL425"]


def test_warnings_are_marked_warning_before_1_15():
    assert warning_prefix(profile_for_version("1.14.0", "runpod_flash")) == "Warning: "
    assert warning_prefix(profile_for_version("1.15.0", "runpod_flash")) == "! "


def test_1_11_0_writes_the_build_interpreters_python_like_the_ast_era():
    model, outcome = _outcome(FIXTURES / "lb_routes", "1.11.0")
    assert outcome.succeeds and model.manifest["python_version"] == "3.11"
    images = {r["resource_type"]: r["imageName"] for r in model.manifest["resources"].values()}
    assert images["CpuLiveLoadBalancer"] == "runpod/flash-lb-cpu:py3.11-latest"
    later, _ = _outcome(FIXTURES / "lb_routes", "1.11.1")
    assert later.manifest["python_version"] == "3.12"
    assert {r["imageName"] for r in later.manifest["resources"].values()} >= {"runpod/flash-lb-cpu:py3.12-latest"}
