"""The one-shot commands' shortcuts change nothing they print: `manifest` skips the diagnostics
rules, and the files the profile detection read are not read again."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
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


def many_workers(root, count: int):
    """`count` worker files, each with its own endpoint and functions."""
    files = {}
    for i in range(count):
        text = WORKER.replace('"gpu"', f'"gpu{i}"').replace("undefined_config", "gpu")
        files[f"workers/w{i}.py"] = text.replace("def f(", f"def f{i}(").replace("def g(", f"def g{i}(")
    return write_project(root, {**files, "requirements.txt": "six\n"})


def test_the_program_prints_everything_before_it_exits(tmp_path):
    """The program ends without the interpreter's teardown: everything written is flushed first."""
    root = many_workers(tmp_path / "p", 60)
    model = Project(root, TETRA_024).analyze()

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # the output as buffered as usual

    def program(command: str) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "flash_lsp", command, str(root)]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)

    manifest, files = program("manifest"), program("files")
    assert (manifest.returncode, manifest.stderr, files.returncode, files.stderr) == (0, "", 0, "")
    stamp = json.loads(manifest.stdout)["generated_at"]
    assert manifest.stdout == Project(root, TETRA_024).analyze(stamp).manifest_text()
    assert files.stdout.splitlines() == sorted(model.files.files)


def test_a_reader_that_stops_early_ends_the_program_quietly(tmp_path):
    root = many_workers(tmp_path / "p", 60)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flash_lsp", "manifest", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.read(20).startswith(b"{")
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0 and proc.stderr.read() == b""
