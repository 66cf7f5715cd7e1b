"""Projects are found when the folder opens: a project three levels down, without mothership.py,
whose Flash files sit deeper than two levels, shows its endpoints and diagnostics with no file open."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from flash_lsp.lsp.project_search import MAX_ENTRIES, search_projects

from .conftest import codes, diagnostics

DEEP = Path(__file__).parent.parent / "fixtures" / "workspaces" / "deep"
PROJECT = "services/api/flashapp"
FLASH_FILE = (
    "from tetra_rp import LiveServerless, remote\n\n"
    "cfg = LiveServerless(name='x')\n\n@remote(cfg)\ndef f():\n    pass\n"
)


@pytest.fixture
def workspace(tmp_path) -> Path:
    """The deep workspace, plus Flash-looking files where the search must not look."""
    root = tmp_path / "deep"
    shutil.copytree(DEEP, root)
    for skipped in (".venv/lib/site-packages/pkg", "node_modules/pkg", ".git/hooks"):
        (root / skipped).mkdir(parents=True)
        (root / skipped / "main.py").write_text(FLASH_FILE)
    return root


def test_search_finds_the_deep_project_and_skips_ignored_and_tool_folders(workspace):
    result = search_projects(workspace)
    assert result.roots == [workspace / PROJECT]
    assert result.capped is None


def test_search_finds_projects_by_requirements_and_by_workers_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "requirements.txt").write_text("runpod-flash==1.21.0\n")
    (tmp_path / "b" / "workers").mkdir(parents=True)
    (tmp_path / "b" / "main.py").write_text("from fastapi import FastAPI\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "requirements.txt").write_text("fastapi\n")
    (tmp_path / "c" / "main.py").write_text("print('not flash')\n")
    assert search_projects(tmp_path).roots == [tmp_path / "a", tmp_path / "b"]


def test_flash_files_without_main_make_the_folder_the_project(tmp_path):
    (tmp_path / "pkg" / "deep").mkdir(parents=True)
    (tmp_path / "pkg" / "deep" / "ep.py").write_text(FLASH_FILE.replace("tetra_rp", "runpod_flash"))
    assert search_projects(tmp_path).roots == [tmp_path]


def test_search_stops_at_the_entry_cap_and_says_so(tmp_path):
    many = tmp_path / "many"
    many.mkdir()
    for i in range(MAX_ENTRIES + 1):
        (many / f"f{i}.txt").touch()
    seen = []
    result = search_projects(tmp_path, seen.append)
    assert result.capped and str(MAX_ENTRIES)[:2] in result.capped
    assert seen and seen[-1] > MAX_ENTRIES


async def test_deep_project_shows_diagnostics_and_endpoints_with_no_file_open(client):
    endpoint = client.workspace_root / PROJECT / "src" / "endpoints" / "gpu" / "inference.py"
    ds = await diagnostics(client, from_fs_path(str(endpoint)), lambda ds: "FL101" in codes(ds), timeout=20)
    assert "missing_cfg" in next(d.message for d in ds if d.code == "FL101")
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    (project,) = tree.projects
    assert project.uri == from_fs_path(str(client.workspace_root / PROJECT))
    functions = {f.name for ep in project.endpoints for f in ep.functions}
    assert "infer" in functions
    assert not client.diagnostics.get(from_fs_path(str(client.workspace_root / "scratch" / "workers" / "w.py")))


async def test_the_search_shows_progress_before_indexing(client):
    for _ in range(200):
        reports = [r for values in client.progress_reports.values() for r in values]
        if any(isinstance(r, types.WorkDoneProgressEnd) for r in reports):
            break
        await asyncio.sleep(0.05)
    (reports,) = [r for r in client.progress_reports.values() if r and getattr(r[0], "title", "") == "Flash: indexing"]
    assert reports[0].message.startswith("Looking for Flash projects")
    assert reports[-1].message == "1 Flash project(s)"
