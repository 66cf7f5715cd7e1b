"""Odd URIs, a file that breaks the analysis and stray files never stop diagnostics elsewhere."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.uris import from_fs_path

from .conftest import codes, diagnostics, open_doc, uri

BROKEN_REF = "from tetra_rp import remote\n\n@remote(missing)\ndef f():\n    pass\n"


def _open(client, u: str, text: str) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(u, "python", 1, text)))


async def test_document_with_a_nul_byte_in_its_uri_is_ignored(client):
    _open(client, uri(client, "workers/gpu") + "/a%00b.py", BROKEN_REF)
    _open(client, uri(client, "workers/gpu") + "/%ED%A0%80.py", BROKEN_REF)  # an undecodable byte sequence
    u = open_doc(client, "workers/cpu/endpoint.py", BROKEN_REF)
    # The first publication may still be of the file on disk; wait for the one of the text just opened.
    ds = await diagnostics(client, u, lambda ds: any(d.code == "FL101" and "missing" in d.message for d in ds))
    assert "gpu_cfg" not in " ".join(d.message for d in ds if d.code == "FL101")


async def test_one_file_that_breaks_the_analysis_leaves_diagnostics_for_the_others(client):
    root = client.workspace_root
    long_sum = "+".join(["1"] * 1500)
    (root / "workers" / "big.py").write_text(
        f"from tetra_rp import remote, LiveServerless\nx = {long_sum}\ncfg = LiveServerless(name='big', workersMax=x)\n"
        "@remote(cfg)\ndef big(x):\n    return x\n"
    )
    u = open_doc(client, "workers/cpu/endpoint.py", BROKEN_REF)
    ds = await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    assert ds
    big = await diagnostics(client, uri(client, "workers/big.py"), lambda ds: "FL411" in codes(ds))
    assert "nested" in next(d.message for d in big if d.code == "FL411")


async def test_stray_file_is_analysed_alone_and_nothing_is_published_around_it(client, tmp_path):
    strays = tmp_path / "strays"  # outside the workspace folder, no project markers
    (strays / "other").mkdir(parents=True)
    (strays / "other" / "w.py").write_text(BROKEN_REF.replace("missing", "nope"))
    for i in range(300):
        (strays / "other" / f"f{i}.txt").write_text("x")
    stray = strays / "notes.py"
    stray.write_text(BROKEN_REF)
    u = from_fs_path(str(stray))
    _open(client, u, BROKEN_REF)
    ds = await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    assert codes(ds) == ["FL101"]  # no "main.py is missing" or other project findings on a lone file
    await asyncio.sleep(0.5)
    other = from_fs_path(str(strays / "other" / "w.py"))
    assert not client.diagnostics.get(other) and not client.diagnostics.get(from_fs_path(str(strays / "main.py")))


async def test_stray_file_in_a_small_flash_project_gets_that_project(client, tmp_path):
    project = tmp_path / "elsewhere"
    (project / "workers").mkdir(parents=True)
    (project / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (project / "workers" / "cfg.py").write_text(
        "from tetra_rp import LiveServerless\nshared = LiveServerless(name='s')\n"
    )
    text = "from tetra_rp import remote\nfrom workers.cfg import shared\n\n@remote(shared)\ndef f():\n    pass\n"
    (project / "workers" / "w.py").write_text(text)
    u = from_fs_path(str(project / "workers" / "w.py"))
    _open(client, u, text)
    ds = await diagnostics(client, u, lambda ds: "FL104" in codes(ds))  # needs the other file: the project was found
    assert ds
