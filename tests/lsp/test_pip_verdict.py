"""pip's verdict reaches the editor: the endpoints tree's outcome and `flash/bundleSize` say the
build fails when pip cannot install the requirements, like `flash-lsp check` (real server, real
pip against the local stub index of tests/lsp/bundle/conftest.py)."""

from __future__ import annotations

from flash_lsp.bundle.verdict import INSTALL_FAILED

from .bundle.conftest import _plain, servers, size_cache, size_index  # noqa: F401 - fixtures
from .conftest import change_doc, open_doc, uri
from .test_bundle_size import GPU, gpu_source, size


async def _project(client) -> dict:
    tree = _plain(await client.protocol.send_request_async("flash/endpoints", {}))
    [project] = [p for p in tree["projects"] if p["uri"] == uri(client, "")]
    return project


async def test_tree_and_size_answer_carry_pips_verdict(servers):
    client = await servers("vscode")
    r = open_doc(client, "requirements.txt", "six\nbeta==1.2\n")
    g = open_doc(client, GPU, gpu_source(client, '"six", "alpha"'))  # alpha needs beta<1.1: pip fails
    est = await size(client, wait=True)
    assert est["problems"][0]["kind"] == "conflict" and est["dependencies"]["state"] == "fails"
    project = await _project(client)
    assert project["succeeds"] is False and project["errors"][-1] == INSTALL_FAILED
    manifest = _plain(await client.protocol.send_request_async("flash/manifest", {"project": uri(client, "")}))
    assert manifest["succeeds"] is False and manifest["text"] is not None  # written before pip runs

    change_doc(client, r, "six\n", 2)
    change_doc(client, g, gpu_source(client, '"six"'), 2)
    est = await size(client, wait=True)
    assert est["dependencies"] == {"state": "installs", "reason": ""}
    project = await _project(client)
    assert project["succeeds"] is True and INSTALL_FAILED not in project["errors"]
