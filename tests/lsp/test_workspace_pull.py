"""A workspace pull with nothing new is held open until something changes (long polling)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from .conftest import change_doc, codes, diagnostics, open_doc

HOLD = 1.5  # seconds a pull must stay unanswered to count as held


def _pull(client, held):
    params = types.WorkspaceDiagnosticParams(previous_result_ids=held)
    return asyncio.ensure_future(client.workspace_diagnostic_async(params))


def _ids(report) -> list[types.PreviousResultId]:
    return [types.PreviousResultId(uri=r.uri, value=r.result_id) for r in report.items]


async def test_a_pull_with_nothing_new_waits_for_the_next_change(client):
    u = open_doc(client, "workers/cpu/endpoint.py")
    text = (client.workspace_root / "workers/cpu/endpoint.py").read_text()
    await diagnostics(client, u, lambda ds: "FL101" in codes(ds))
    report = await _pull(client, [])
    assert u in {r.uri for r in report.items}
    # late producers (migration notes …) may still answer a pull or two at once; then it is held
    for _ in range(5):
        pending = _pull(client, _ids(report))
        done, _ = await asyncio.wait({pending}, timeout=HOLD)
        if not done:
            break
        report = pending.result()
    assert not done, "a pull with no change was answered at once: the client would poll every two seconds"
    fixed = text.replace("@remote(gpu_cfg)", "@remote(shared)")
    change_doc(client, u, fixed, 2)
    answer = await asyncio.wait_for(pending, 15)
    full = {r.uri: r for r in answer.items if isinstance(r, types.WorkspaceFullDocumentDiagnosticReport)}
    assert u in full and "FL101" not in codes(full[u].items)
    unchanged = [r for r in answer.items if isinstance(r, types.WorkspaceUnchangedDocumentDiagnosticReport)]
    assert all(r.uri != u for r in unchanged)
