"""Turn raw console bytes from Rich/pip into plain lines: ANSI codes, carriage-return frames and
spinner glyphs removed. No escape sequence or control character (C0, DEL, C1) survives `clean_line`,
so build output can be shown anywhere, a terminal included, without acting on it."""

from __future__ import annotations

import re

_ANSI = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]              # CSI: colours, cursor moves, erase line
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?    # OSC: titles, hyperlinks
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?         # DCS / SOS / PM / APC strings
    | \x1b[ -/]*[0-~]                       # other escape sequences (charset, keypad, ...)
    | \x9b[0-?]*[ -/]*[@-~]                 # 8-bit CSI
    | \x9d[^\x07\x9c\x1b]*(?:\x07|\x9c|\x1b\\)?  # 8-bit OSC
    | [\x90\x98\x9e\x9f][^\x9c\x1b]*(?:\x9c|\x1b\\)?  # 8-bit DCS / SOS / PM / APC strings
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Rich's default "dots" spinner is Braille; the non-tty final render keeps one frame per step line.
_SPINNER = re.compile(r"^[\u2800-\u28ff]\s+")
# Rich box drawing (panels, tables) around a line.
_BOX = "\u2500\u2502\u256d\u256e\u256f\u2570\u2574\u2576\u250c\u2510\u2514\u2518\u2501\u2503"


def strip_ansi(text: str) -> str:
    """Remove escape sequences only."""
    return _ANSI.sub("", text)


def clean_line(raw: str) -> str:
    """What a terminal would finally show for one line, without styling, spinner or padding."""
    text = _ANSI.sub("", raw)
    if "\r" in text:
        frames = [frame for frame in text.split("\r") if frame.strip()]
        text = frames[-1] if frames else ""
    text = _CONTROL.sub("", text)
    text = _SPINNER.sub("", text)
    return text.rstrip()


def unbox(line: str) -> str:
    """A cleaned line without panel borders and status glyphs, for matching messages."""
    text = line.strip().strip(_BOX).strip()
    while text[:1] in ("✓", "⚠", "✗", "!", "•") and text[1:2] == " ":
        text = text[2:].lstrip()
    return text
