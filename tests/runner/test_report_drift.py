"""Package report and drift on a fabricated build dir and archive."""

from __future__ import annotations

import copy
import json
import tarfile
from pathlib import Path

import pytest

from flash_lsp.runner.drift import compare_build, diff_manifest, pip_installed, shipped_project_files
from flash_lsp.runner.report import MIB, package_report

MANIFEST = {
    "version": "1.0",
    "generated_at": "2026-11-27T17:51:47.160610Z",
    "project_name": "demo",
    "resources": {
        "gpu_worker": {
            "resource_type": "LiveServerless",
            "handler_file": "handler_gpu_worker.py",
            "functions": [{"name": "a", "is_async": False}, {"name": "b", "is_async": True}],
            "gpuIds": "ADA_24,AMPERE_80",
            "workersMax": 3,
        }
    },
    "function_registry": {"a": "gpu_worker", "b": "gpu_worker"},
}
HANDLER = '"""\nAuto-generated handler for resource: gpu_worker\nGenerated at: 2026-11-27T17:51:47Z\n"""\nFUNCTION_REGISTRY = {"a": a}\n'
PROJECT_FILES = {
    "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "workers/gpu/endpoint.py": "x = 1\n",
    "requirements.txt": "six\n",
    ".env": "TOKEN=x\n",
    "config/.env.production": "TOKEN=y\n",
    "config/token.env": "TOKEN=z\n",
    "certs/server.pem": "-----BEGIN-----\n",
    "id_rsa": "key\n",
    ".venv/lib/v.py": "v = 1\n" * 100,
    ".venv/bin/python": "",
    "tests/test_x.py": "def test(): pass\n",
    "node_modules/pkg/index.js": "//\n",
    ".flash/flash_manifest.json": "{}",
}
PIP_FILES = {
    "six.py": "# six\n" * 2000,
    "six-1.17.0.dist-info/METADATA": "Name: six\n",
    "six-1.17.0.dist-info/RECORD": "six.py,sha256=x,12000\nsix-1.17.0.dist-info/METADATA,,\nsix-1.17.0.dist-info/RECORD,,\nsixpkg/tests/t.py,,\n../../bin/six-tool,,\n",
    "sixpkg/tests/t.py": "pass\n",
    "bin/six-tool": "#!/bin/sh\n",
}


def prediction() -> dict:
    return {
        "manifest": copy.deepcopy(MANIFEST),
        "handlers": {"handler_gpu_worker.py": HANDLER, "handlers/handler_mothership.py": "M\n"},
        "files": sorted(PROJECT_FILES),
    }


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A project whose .flash holds a kept build dir and its archive."""
    root = tmp_path / "demo"
    build = root / ".flash" / ".build"
    files = {
        **PROJECT_FILES,
        **PIP_FILES,
        "flash_manifest.json": json.dumps(MANIFEST, indent=2),
        "handler_gpu_worker.py": HANDLER,
        "handlers/handler_mothership.py": "M\n",
    }
    for rel, text in files.items():
        path = build / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    with tarfile.open(root / ".flash" / "archive.tar.gz", "w:gz") as tar:
        tar.add(build, arcname=".")
    return root


def test_pip_installed_and_shipped_files(built):
    build = built / ".flash" / ".build"
    assert {"six.py", "sixpkg/tests/t.py", "six-1.17.0.dist-info/RECORD"} <= pip_installed(build)
    assert shipped_project_files(build) == sorted(PROJECT_FILES)


def test_report_sizes_and_flags(built):
    report = package_report(built, top_n=3)
    archive = built / ".flash" / "archive.tar.gz"
    assert report.archive == ".flash/archive.tar.gz" and report.archive_bytes == archive.stat().st_size
    assert report.members == len(PROJECT_FILES) + len(PIP_FILES) + 3
    assert report.largest_files[0].path == "six.py" and report.largest_files[0].bytes == 12000
    assert [e.path for e in report.top_entries][:2] == ["six.py", ".venv/"]
    assert report.top_entries[1].files == 2
    assert not report.over_limit
    flagged = {(f.kind, f.path) for f in report.flagged}
    assert flagged == {
        ("secret", ".env"),
        ("secret", "config/.env.production"),
        ("secret", "config/token.env"),
        ("secret", "certs/server.pem"),
        ("secret", "id_rsa"),
        ("stale", ".flash/"),
        ("junk", ".venv/"),
        ("junk", "tests/"),
        ("junk", "node_modules/"),
    }
    venv = next(f for f in report.flagged if f.path == ".venv/")
    assert venv.files == 2 and venv.bytes == 600


def test_limit_is_strictly_greater_in_mib(built):
    size = (built / ".flash" / "archive.tar.gz").stat().st_size
    assert not package_report(built, limit_mb=size / MIB).over_limit
    assert package_report(built, limit_mb=(size - 1) / MIB).over_limit


def test_report_renders_markdown_and_json(built):
    report = package_report(built, predict=lambda root: prediction())
    data = json.loads(json.dumps(report.to_dict()))
    assert data["drift"]["no_drift"] is True and data["archive"] == ".flash/archive.tar.gz"
    text = report.to_markdown()
    assert "# Package report: demo" in text and "**secret** `.env`" in text and "No drift" in text


def test_report_without_archive(tmp_path):
    report = package_report(tmp_path)
    assert report.archive is None and "run `flash build --keep-build` first" in report.to_markdown()


def test_no_drift(built):
    assert compare_build(built / ".flash" / ".build", prediction()).no_drift


def test_manifest_drift_ignores_timestamp_gpu_order_and_function_order():
    actual = copy.deepcopy(MANIFEST)
    actual["generated_at"] = "2030-01-01T00:00:00Z"
    actual["resources"]["gpu_worker"]["gpuIds"] = "AMPERE_80,ADA_24"
    actual["resources"]["gpu_worker"]["functions"].reverse()
    assert diff_manifest(MANIFEST, actual) == []
    actual["resources"]["gpu_worker"]["workersMax"] = 2
    actual["resources"]["gpu_worker"]["functions"][0]["is_async"] = False
    del actual["function_registry"]["b"]
    actual["routes"] = {}
    items = {(i.path, i.kind, json.dumps(i.expected), json.dumps(i.actual)) for i in diff_manifest(MANIFEST, actual)}
    assert items == {
        ("/resources/gpu_worker/functions/b/is_async", "changed", "true", "false"),
        ("/resources/gpu_worker/workersMax", "changed", "3", "2"),
        ("/function_registry/b", "missing", '"gpu_worker"', "null"),
        ("/routes", "extra", "null", "{}"),
    }


def test_handler_and_file_drift(built):
    predicted = prediction()
    predicted["handlers"]["handler_gpu_worker.py"] = HANDLER.replace("2026-11-27T17:51:47Z", "other time")
    assert compare_build(built / ".flash" / ".build", predicted).no_drift  # only the Generated at: line differs
    predicted["handlers"]["handler_gpu_worker.py"] = HANDLER.replace('{"a": a}', '{"a": a, "b": b}')
    del predicted["handlers"]["handlers/handler_mothership.py"]
    predicted["files"] = [f for f in predicted["files"] if f != ".env"] + ["workers/missing.py"]
    report = compare_build(built / ".flash" / ".build", predicted)
    got = {(i.area, i.path, i.kind) for i in report.items}
    assert got == {
        ("handlers", "handler_gpu_worker.py", "changed"),
        ("handlers", "handlers/handler_mothership.py", "extra"),
        ("files", "workers/missing.py", "missing"),
        ("files", ".env", "extra"),
    }
    changed = next(i for i in report.items if i.kind == "changed")
    assert '+FUNCTION_REGISTRY = {"a": a}' in changed.detail
    assert "4 difference(s)" in report.to_markdown()


def test_predictor_failure_and_missing_build_dir(built, tmp_path):
    def broken(root):
        raise KeyError("nope")

    report = package_report(built, predict=broken)
    assert report.drift.error == "prediction failed: KeyError: 'nope'" and not report.drift.no_drift
    assert "does not exist" in compare_build(tmp_path / "nothing", prediction()).error
