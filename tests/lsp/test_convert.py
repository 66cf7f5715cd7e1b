"""The one conversion to LSP diagnostics, in process: the source comes from the catalogue, rule
overrides apply to every source, ranges are in the client's units."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from flash_lsp.core.model import Diagnostic, Related, Severity, Span
from flash_lsp.lsp.convert import to_lsp, uri_of

ROOT = Path("/project")
LINES = {"main.py": ["x = 'é' + y\n"], "requirements.txt": ["torch\n", "six\n"]}
UTF16 = PositionCodec(types.PositionEncodingKind.Utf16)


def _convert(diagnostics, overrides=None, lines=LINES):
    return to_lsp(diagnostics, ROOT, lambda rel: lines.get(rel, []), UTF16, overrides)


def test_sources_come_from_the_catalogue():
    found = _convert(
        [
            Diagnostic("FL101", Severity.ERROR, "analysis", "main.py"),
            Diagnostic("FL703", Severity.ERROR, "build", "main.py"),
            Diagnostic(
                "FL805", Severity.INFO, "size", "requirements.txt", Span(0, 0, 0, 5), data={"packages": ["torch"]}
            ),
        ]
    )
    main, req = found[uri_of(ROOT / "main.py")], found[uri_of(ROOT / "requirements.txt")]
    assert [(d.code, d.source) for d in main] == [("FL101", "flash-lsp"), ("FL703", "flash build")]
    assert [(d.code, d.source, d.data) for d in req] == [("FL805", "flash-lsp size", {"packages": ["torch"]})]


def test_overrides_change_or_drop_any_code():
    found = _convert(
        [
            Diagnostic("FL101", Severity.ERROR, "analysis", "main.py"),
            Diagnostic("FL714", Severity.WARNING, "build", "requirements.txt"),
            Diagnostic("FL801", Severity.WARNING, "size", "requirements.txt"),
        ],
        {"FL714": None, "FL801": Severity.ERROR},
    )
    req = found[uri_of(ROOT / "requirements.txt")]
    assert [(d.code, d.severity) for d in req] == [("FL801", types.DiagnosticSeverity.Error)]
    assert [d.severity for d in found[uri_of(ROOT / "main.py")]] == [types.DiagnosticSeverity.Error]


def test_ranges_and_related_places_are_in_client_units():
    # 'y' is code point 10 but UTF-16 unit 11: the character before it is astral (two units)
    lines = {**LINES, "main.py": ["s = '𝄞' + y\n"]}
    related = (Related("requirements.txt", Span(1, 0, 1, 3), "other side: 'six'"),)
    conflict = Diagnostic("FL804", Severity.ERROR, "conflict", "main.py", Span(0, 10, 0, 11), related)
    found = _convert([conflict], lines=lines)
    (d,) = found[uri_of(ROOT / "main.py")]
    assert (d.range.start.character, d.range.end.character) == (11, 12)
    (info,) = d.related_information
    assert info.location.uri == uri_of(ROOT / "requirements.txt") and info.location.range.end.character == 3
