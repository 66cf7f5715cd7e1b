"""The last build's findings follow edits: moved by lines inserted above, dropped on edited lines,
back in place when the edit is undone (fake `flash`, see test_build_commands)."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from flash_lsp.core.model import Diagnostic, Related, Severity, Span
from flash_lsp.lsp.build_findings_on_edits import follow_edits

from .conftest import change_doc, open_doc
from .test_build_commands import (  # noqa: F401 - fake_venvs and fake_flash are fixtures
    ERR,
    ERRORS_PY,
    FAKE_SETTINGS,
    Builds,
    build_diagnostics,
    fake_flash,
    fake_venvs,
    with_files,
)

pytestmark = pytest.mark.settings(FAKE_SETTINGS)
E = int(types.DiagnosticSeverity.Error)


def test_follow_edits_moves_drops_and_keeps_related_places_it_can():
    then = ["a", "b", "c", "d", "e"]
    found = [
        Diagnostic("FL703", Severity.ERROR, "x", "f.py", Span(1, 0, 1, 1), (Related("f.py", Span(3, 0, 3, 1), ""),)),
        Diagnostic("FL703", Severity.ERROR, "x", "f.py", Span(3, 0, 4, 1), (Related("f.py", Span(1, 0, 1, 1), ""),)),
        Diagnostic("FL714", Severity.WARNING, "y", "other.txt", Span(0, 0, 0, 3)),
    ]
    now = {"f.py": ["new", "a", "b", "c", "D!", "e"]}
    moved = follow_edits(found, {"f.py": then}, lambda rel: now[rel])
    # the first moves down one line and loses its related place (edited); the second spans an edited line
    places = [(d.path, d.span, d.related) for d in moved]
    assert places == [("f.py", Span(2, 0, 2, 1), ()), ("other.txt", Span(0, 0, 0, 3), ())]
    assert follow_edits(found, {"f.py": then}, lambda rel: then) == found


@with_files({ERR: ERRORS_PY})
async def test_build_findings_move_with_edits_and_go_from_edited_lines(client, fake_flash):  # noqa: F811
    builds = Builds(client)
    fake_flash.mode("duplicate_route")
    await builds.run()
    assert await build_diagnostics(client, [ERR]) == {(ERR, "FL703", 7, 1, E), (ERR, "FL703", 12, 1, E)}
    u = open_doc(client, ERR)
    change_doc(client, u, "# a comment\n" + ERRORS_PY, 2)
    await _until(client, {(ERR, "FL703", 8, 1, E), (ERR, "FL703", 13, 1, E)})
    second = '@remote(api_lb, method="POST", path="/x")\ndef two'
    fixed = ("# a comment\n" + ERRORS_PY).replace(second, second.replace("/x", "/y"))
    change_doc(client, u, fixed, 3)
    await _until(client, {(ERR, "FL703", 8, 1, E)})
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(u)))
    await _until(client, {(ERR, "FL703", 7, 1, E), (ERR, "FL703", 12, 1, E)})  # back to the text the build read


async def _until(client, expected: set, attempts: int = 100) -> None:
    for _ in range(attempts):
        found = await build_diagnostics(client, [ERR])
        if found == expected:
            return
        await asyncio.sleep(0.1)
    assert found == expected
