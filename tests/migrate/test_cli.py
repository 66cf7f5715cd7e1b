"""`flash-lsp migrate` as a real subprocess: the dry-run diff, the write, refusing unparsable files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.fidelity import our_cli

FIXTURES = Path(__file__).parent.parent / "fixtures" / "migrate"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*our_cli(), "migrate", *args], capture_output=True, text=True, timeout=120)


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path):
    root = shutil.copytree(FIXTURES / "t_multi_fn", tmp_path / "t_multi_fn")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    proc = run(str(root), "--to", "runpod-2.0", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("--- a/workers/tools.py\n+++ b/workers/tools.py\n")
    assert '+@app.queue(name="tools-lower", idle_timeout=5, cpu="cpu3g-2-8")' in proc.stdout
    assert "info FL955" in proc.stderr and "would change 1 file(s)" in proc.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_write_then_nothing_left_to_migrate(tmp_path):
    root = shutil.copytree(FIXTURES / "f_multi_file", tmp_path / "f_multi_file")
    proc = run(str(root), "--to", "runpod-2.0")
    assert proc.returncode == 0, proc.stderr
    assert (root / "runpod_app" / "__init__.py").read_text().endswith('app = runpod.App("f_multi_file")\n')
    assert "cleaned = await preprocess.remote.aio(text)" in (root / "infer.py").read_text()
    again = run(str(root), "--to", "runpod-2.0", "--dry-run")
    assert again.stdout == "" and "would change 0 file(s)" in again.stderr


def test_refuses_to_write_when_an_old_api_file_does_not_parse(tmp_path):
    root = shutil.copytree(FIXTURES / "f_qb_gpu", tmp_path / "f_qb_gpu")
    (root / "broken.py").write_text("from runpod_flash import Endpoint\n@Endpoint(\n")
    original = (root / "worker.py").read_text()
    proc = run(str(root), "--to", "runpod-2.0")
    assert proc.returncode == 2
    assert "nothing written: broken.py use the old API but do not parse" in proc.stderr and "FL957" in proc.stderr
    assert (root / "worker.py").read_text() == original


def test_unrelated_unparsable_file_is_skipped_and_reported(tmp_path):
    root = shutil.copytree(FIXTURES / "f_qb_gpu", tmp_path / "f_qb_gpu")
    (root / "scratch.py").write_text("def (:\n")
    proc = run(str(root), "--to", "runpod-2.0")
    assert proc.returncode == 1  # FL957 is an error note
    assert "skipped (do not parse): scratch.py" in proc.stderr
    assert "@app.queue(" in (root / "worker.py").read_text() and (root / "scratch.py").read_text() == "def (:\n"


def test_bad_input_gets_one_clear_line():
    proc = run("/no/such/dir", "--to", "runpod-2.0")
    assert proc.returncode == 2 and proc.stderr.strip() == "flash-lsp: error: no such directory: /no/such/dir"
    proc = run(".", "--to", "runpod-3.0")
    assert proc.returncode == 2 and "invalid choice: 'runpod-3.0'" in proc.stderr
