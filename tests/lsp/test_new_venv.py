"""A `.venv` created and filled after the folder was opened: the server notices it from the
file-watch events it registers for (`pyvenv.cfg`, a distribution's dist-info and RECORD), or
without any event from its poll of the interpreters' fingerprint, and the build's predicted import
failures and the profile follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from flash_lsp.lsp.environment_watch import (
    ENVIRONMENT_GLOBS,
    INSTALL,
    NONE,
    POLL_S,
    SOME,
    EnvironmentWatch,
    environment_signal,
)
from tests.venv_layout import make_venv

from .conftest import codes, diagnostics, only_project, open_doc, uri, write_workspace

WORKER = """\
import numpy

from runpod_flash import Endpoint, GpuType


@Endpoint(name="summarize", gpu=GpuType.NVIDIA_A40)
async def summarize(text: str) -> dict:
    return {"n": numpy.__name__}
"""
SITE = "/p/.venv/lib/python3.11/site-packages"


def _missing_numpy(ds) -> bool:
    return any(d.code == "FL420" and "No module named 'numpy'" in d.message for d in ds)


async def _profile_reason(client) -> str:
    tree = await client.protocol.send_request_async("flash/endpoints", None)
    (project,) = tree.projects
    return project.profileReason


@pytest.fixture
def workspace(tmp_path):
    return write_workspace(tmp_path, "novenv", {"worker.py": WORKER})


async def test_the_server_asks_to_hear_about_environments(client):
    """VS Code registers watchers dynamically; Neovim 0.11 does not (its users rely on the edit check)."""
    await only_project(client, "worker.py")  # the server registers before it indexes
    globs = {
        w["globPattern"]  # the client keeps the options as sent
        for r in getattr(client, "registrations", [])
        if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for w in r.register_options["watchers"]
    }
    if client.client_name == "vscode":
        assert set(ENVIRONMENT_GLOBS) <= globs and "**/*.py" in globs, globs
    else:
        assert not globs, globs


async def test_a_venv_created_after_opening_clears_the_import_failure(client):
    u = open_doc(client, "worker.py")
    await diagnostics(client, u, _missing_numpy)
    assert "the sources import runpod_flash" in await _profile_reason(client)
    site = make_venv(client.workspace_root / ".venv", ("numpy",))
    record = site / "runpod_flash-1.21.0.dist-info" / "RECORD"
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [
                types.FileEvent(uri(client, ".venv/pyvenv.cfg"), types.FileChangeType.Created),
                types.FileEvent(record.as_uri(), types.FileChangeType.Created),
            ]
        )
    )
    ds = await diagnostics(client, u, lambda ds: not _missing_numpy(ds))
    assert "FL420" not in codes(ds), [d.message for d in ds]
    assert "runpod-flash 1.21.0 is installed in" in await _profile_reason(client)


async def test_a_new_venv_that_no_event_announced_is_noticed_by_the_poll(client):
    """Neither an event (Neovim 0.11 watches no files; code-server sometimes sends none) nor an edit."""
    u = open_doc(client, "worker.py")
    await diagnostics(client, u, _missing_numpy)
    make_venv(client.workspace_root / ".venv", ("numpy",))
    await diagnostics(client, u, lambda ds: not _missing_numpy(ds), timeout=POLL_S + 10)
    assert "runpod-flash 1.21.0 is installed in" in await _profile_reason(client)


async def test_a_distribution_rewritten_in_place_is_detected_again_from_its_record(client):
    """Files added inside an existing dist-info leave site-packages' time alone: the RECORD event
    alone makes the server detect the environment again."""
    OTHER = WORKER.replace("numpy", "fastlib").replace("summarize", "condense")
    (client.workspace_root / "other.py").write_text(OTHER)
    site = make_venv(client.workspace_root / ".venv", ("numpy",))
    info = site / "fastlib-0.1.0.dist-info"
    info.mkdir()
    u = open_doc(client, "other.py")

    def missing(ds) -> bool:
        return any(d.code == "FL420" and "'fastlib'" in d.message for d in ds)

    await diagnostics(client, u, missing)
    (info / "top_level.txt").write_text("fastlib\n")  # an editable install: no package in site-packages
    (info / "RECORD").write_text("fastlib-0.1.0.dist-info/top_level.txt,,\n")
    event = types.FileEvent((info / "RECORD").as_uri(), types.FileChangeType.Created)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([event]))
    await diagnostics(client, u, lambda ds: not missing(ds))


@pytest.mark.parametrize(
    "path, signal",
    [
        ("/p/.venv/pyvenv.cfg", INSTALL),
        (f"{SITE}/numpy-2.0.0.dist-info", INSTALL),
        (f"{SITE}/numpy-2.0.0.dist-info/RECORD", INSTALL),
        (f"{SITE}/numpy-2.0.0.dist-info/METADATA", SOME),
        (f"{SITE}/numpy/__init__.py", SOME),
        ("/p/workers/RECORD", NONE),
        ("/p/workers/endpoint.py", NONE),
    ],
)
def test_what_a_changed_file_says_about_the_environments(path, signal):
    assert environment_signal(Path(path)) == signal


def test_an_install_elsewhere_only_asks_for_the_fingerprint(tmp_path):
    """A venv or distribution that is not among a project's candidate interpreters does not make
    the project anew by itself (a workspace of many projects with a venv each)."""
    watch = EnvironmentWatch(tmp_path / "app", None)
    assert watch.signal(tmp_path / "app" / ".venv" / "pyvenv.cfg", INSTALL) == INSTALL
    assert watch.signal(tmp_path / "app" / "venv" / "lib" / "x.dist-info", INSTALL) == INSTALL
    assert watch.signal(tmp_path / "other" / ".venv" / "pyvenv.cfg", INSTALL) == SOME
    assert watch.signal(tmp_path / "app" / ".venvx" / "pyvenv.cfg", INSTALL) == SOME
    given = EnvironmentWatch(tmp_path / "app", "/opt/py/bin/python3")
    assert given.signal(Path("/opt/py/lib/python3.11/site-packages/a-1.dist-info/RECORD"), INSTALL) == INSTALL
    assert given.signal(tmp_path / "app" / ".venv" / "pyvenv.cfg", INSTALL) == SOME  # the setting wins
