"""The one-shot commands' shortcuts change nothing they print: `manifest` skips the diagnostics
rules, and the files the profile detection read are not read again."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter

from flash_lsp import cli
from flash_lsp.core import disk, profile_detect, project
from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

from .conftest import write_project

WORKER = """\
from tetra_rp import LiveServerless, remote

gpu = LiveServerless(name="gpu", workersMax=2)


@remote(gpu, dependencies=["six"])
def f(x):
    return x


@remote(undefined_config)
def g(x):
    return x
"""
FILES = {"workers/w.py": WORKER, "lib/helper.py": "import json\n", "requirements.txt": "six\n"}


def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(list(args))
    return code, out.getvalue()


def test_without_diagnostics_the_model_is_the_same_but_for_them(tmp_path):
    root = write_project(tmp_path / "p", FILES)
    stamp = "2026-01-01T00:00:00.000000Z"
    full = Project(root, TETRA_024).analyze(stamp)
    bare = Project(root, TETRA_024, with_diagnostics=False).analyze(stamp)
    assert "FL101" in {d.code for d in full.diagnostics}
    assert bare.diagnostics == []
    assert bare.manifest_text() == full.manifest_text()
    assert (bare.outcome, bare.files.files) == (full.outcome, full.files.files)


def test_check_still_reports_what_manifest_does_not_compute(tmp_path):
    root = write_project(tmp_path / "p", FILES)
    code, out = run_cli("check", str(root), "--offline", "--format", "json")
    assert code == 1 and "FL101" in {d["code"] for d in json.loads(out)["diagnostics"]}
    code, out = run_cli("manifest", str(root))
    assert code == 0 and [f["name"] for f in json.loads(out)["resources"]["gpu"]["functions"]] == ["f"]


def test_a_one_shot_manifest_reads_each_file_once(tmp_path, monkeypatch):
    """No pinned or installed Flash: the detection reads the sources, and the analysis takes
    those reads instead of reading the files again."""
    root = write_project(tmp_path / "p", FILES)
    reads: Counter = Counter()

    def counting(path, unchanged=None):
        reads[path] += 1
        return disk.read_bytes(path, unchanged)

    monkeypatch.setattr(profile_detect, "read_bytes", counting)
    monkeypatch.setattr(project, "read_bytes", counting)
    code, out = run_cli("manifest", str(root), "--python", str(tmp_path / "no-such-python"))
    assert code == 0 and json.loads(out)["resources"]["gpu"]["functions"][0]["name"] == "f"
    sources = {str(p) for p in root.resolve().rglob("*.py")}
    assert sources <= set(reads), "the detection reads every source"
    assert max(reads.values()) == 1, reads


def test_read_ahead_is_ignored_unless_the_disk_is_trusted(tmp_path):
    root = write_project(tmp_path / "p", {"lib/a.py": "x = 1\n"})
    stale = {str(root.resolve() / "lib" / "a.py"): ((0, 6), b"x = 2\n")}
    trusting, checking = Project(root, trust_disk_cache=True), Project(root)
    for p in (trusting, checking):
        p.read_ahead(stale)
    assert trusting.text("lib/a.py") == "x = 2\n"  # taken as read, without another read
    assert checking.text("lib/a.py") == "x = 1\n"
