"""`flash-lsp check` carries pip's verdict: the real pip, against a local index, decides whether
the build installs its requirements; without an answer the outcome is unknown, never success."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from flash_lsp.bundle.model import Problem, SizeEstimate
from flash_lsp.bundle.verdict import INSTALL_FAILED, pip_verdict
from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

MAIN = "from fastapi import FastAPI\napp = FastAPI()\n"
WORKER = "from tetra_rp import LiveServerless, remote\nc = LiveServerless(name='g')\n@remote(c)\ndef f(): pass\n"


def _project(tmp_path, requirements: str):
    root = tmp_path / "proj"
    (root / "workers").mkdir(parents=True)
    (root / "main.py").write_text(MAIN)
    (root / "workers" / "w.py").write_text(WORKER)
    (root / "requirements.txt").write_text(requirements)
    return root


def _check(root, *args, index: str | None = None, cache=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(PIP_INDEX_URL=index or "http://127.0.0.1:9/simple", PIP_DISABLE_PIP_VERSION_CHECK="1")
    if cache is not None:
        env["FLASH_LSP_CACHE_DIR"] = str(cache)
    proc = subprocess.run(
        [sys.executable, "-m", "flash_lsp", "check", str(root), "--format", "json", "--profile", "tetra-0.24", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    return proc.returncode, json.loads(proc.stdout)["build"] if proc.stdout else proc.stderr


def test_a_requirement_with_only_an_sdist_fails_the_build_and_the_cache_remembers(stub_index, tmp_path):
    stub_index.add_listing("sdistonly", "sdistonly-1.0.tar.gz")
    root = _project(tmp_path, "sdistonly==1.0\n")
    code, build = _check(root, index=stub_index.simple)
    assert code == 1, build
    assert build["succeeds"] is False and build["errors"] == [INSTALL_FAILED]
    assert build["dependencies"]["state"] == "fails" and "sdistonly" in build["dependencies"]["reason"]
    stub_index.close()  # the index is gone: the cached verdict answers
    code, offline = _check(root, "--offline", index=stub_index.simple)
    assert (code, offline["succeeds"], offline["errors"]) == (1, False, [INSTALL_FAILED])


def test_offline_without_a_cached_answer_is_unknown_not_success(tmp_path):
    root = _project(tmp_path, "sdistonly==1.0\n")
    code, build = _check(root, "--offline", cache=tmp_path / "empty-cache")
    assert code == 0 and build["succeeds"] is None and build["dependencies"]["state"] == "unknown"
    assert any(w.startswith("Unknown: ") for w in build["warnings"])
    text = subprocess.run(
        [sys.executable, "-m", "flash_lsp", "check", str(root), "--offline", "--profile", "tetra-0.24"],
        capture_output=True,
        text=True,
        env={**os.environ, "FLASH_LSP_CACHE_DIR": str(tmp_path / "empty-cache")},
        timeout=300,
    ).stdout
    assert "flash build: unknown (" in text and "flash build: succeeds" not in text


def test_check_excludes_like_the_build(tmp_path):
    root = _project(tmp_path, "sdistonly==1.0\n")
    code, build = _check(root, "--exclude", "SdistOnly", "--offline", cache=tmp_path / "c")
    assert code == 0 and build["succeeds"] is True and build["dependencies"]["state"] == "irrelevant"
    _, unmatched = _check(root, "--exclude", "nothing", "--offline", cache=tmp_path / "c")
    assert "Warning: No packages matched exclusions: nothing" in unmatched["warnings"]


def _estimate(confidence: str, problems=(), cached_from=None, archive: int | None = 1000) -> SizeEstimate:
    return SizeEstimate(archive, 500 << 20, confidence, "ready", problems=list(problems), cached_from=cached_from)


def test_only_pips_own_answer_decides(tmp_path):
    model = Project(_project(tmp_path, "six\n"), TETRA_024, env_vars={}).analyze()
    no_wheel = [Problem("no-wheel", "no wheel of six", "six")]
    assert pip_verdict(model, _estimate("authoritative", no_wheel, archive=None)).state == "fails"
    assert pip_verdict(model, _estimate("cached", no_wheel, "authoritative", None)).state == "fails"
    assert pip_verdict(model, _estimate("provisional", no_wheel, archive=None)).state == "unknown"
    assert pip_verdict(model, _estimate("cached", no_wheel, "provisional", None)).state == "unknown"
    assert pip_verdict(model, _estimate("offline-estimate")).state == "unknown"
    assert pip_verdict(model, _estimate("authoritative")).state == "installs"
    assert pip_verdict(model, None).state == "unknown"
