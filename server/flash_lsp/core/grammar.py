"""Python syntax as the build's interpreter accepts it (docs/tetra-build.md, "The build interpreter").

The builder parses every file with its own Python: a file using syntax that version lacks is
skipped, one using syntax only it has is kept. We parse with the Python Flash LSP runs on and,
when the build's version differs, correct the verdict: an older build is checked with `ast`'s
`feature_version` plus parso's grammar for f-strings (the tokenizer change of Python 3.12 that
`feature_version` does not cover); a newer build is asked through parso's grammar of its version,
and where parso's grammars fall short (`match`, f-strings of 3.12+) the answer is "unknown".
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from functools import lru_cache

RUNNING = (sys.version_info.major, sys.version_info.minor)
_VERSION = re.compile(r"(\d+)\.(\d+)")
_FSTRING = re.compile(r"(?<![\w])(?:[fF][rR]?|[rR][fF])['\"]")
# what parso's grammars do not know: `match` statements and the f-strings of Python 3.12+
_PARSO_GAPS = re.compile(r"^\s*(?:match|case)\b|" + _FSTRING.pattern, re.M)


@dataclass(frozen=True)
class Parsed:
    """The module as the build sees it: a tree, or why the build skips it (`error`: message,
    0-based line and column), or why we cannot read a file the build keeps (`unreadable`)."""

    tree: ast.Module | None = None
    error: tuple[str, int, int] | None = None
    unreadable: str | None = None


def version_of(text: str | None) -> tuple[int, int] | None:
    """(major, minor) of a version string such as "3.11" or "3.13t"."""
    match = _VERSION.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def parse_as_build(text: str, build_version: str | None) -> Parsed:
    """Parse `text` and settle whether the build's Python (`build_version`) accepts it."""
    target = version_of(build_version) or RUNNING
    named = "" if target == RUNNING else f"; the build's Python {target[0]}.{target[1]}"
    older = target < RUNNING
    try:  # an older version's grammar checks apply while parsing (one parse, the same tree)
        tree = ast.parse(text, feature_version=target) if older else ast.parse(text)
    except SyntaxError as exc:
        if target > RUNNING:
            errors = _parso_errors(text, target)
            if errors == []:
                return Parsed(
                    unreadable=f"syntax of Python {_dotted(target)} that Flash LSP's {_dotted(RUNNING)} cannot parse"
                )
            if errors is None or _PARSO_GAPS.search(text):
                return Parsed(
                    unreadable=f"syntax Flash LSP's Python {_dotted(RUNNING)} cannot parse, and whether {_dotted(target)} accepts it is unknown"
                )
        return Parsed(error=_located(exc, named))
    except (ValueError, RecursionError, MemoryError) as exc:
        return Parsed(error=(str(exc), 0, 0))
    error = _older_fstring_rejected(text, target, named) if older else None
    return Parsed(error=error) if error else Parsed(tree=tree)


def _older_fstring_rejected(text: str, target: tuple[int, int], named: str) -> tuple[str, int, int] | None:
    """The error a build Python older than 3.12 reports for an f-string ours (3.12+) accepts, if any."""
    if target >= (3, 12) or RUNNING < (3, 12) or not _FSTRING.search(text):
        return None
    for segment, line, col in _fstrings(text):
        errors = _parso_errors(segment, target)
        if errors:
            return (f"{errors[0].removeprefix('SyntaxError: ')} in an f-string (line {line + 1}{named})", line, col)
    return None


def _fstrings(text: str):
    """(source, 0-based line, column) of every outermost f-string, from the running tokenizer."""
    lines = text.splitlines(keepends=True)
    depth, start = 0, (0, 0)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            name = tokenize.tok_name.get(token.type)
            if name == "FSTRING_START":
                depth += 1
                if depth == 1:
                    start = token.start
            elif name == "FSTRING_END":
                depth -= 1
                if depth == 0:
                    (l1, c1), (l2, c2) = start, token.end
                    chunk = "".join(lines[l1 - 1 : l2])
                    end = len(chunk) - len(lines[l2 - 1]) + c2
                    yield chunk[c1:end], l1 - 1, c1
    except (tokenize.TokenError, SyntaxError):
        return


def _parso_errors(text: str, target: tuple[int, int]) -> list[str] | None:
    """parso's syntax errors for `text` under `target`'s grammar; None when parso has no grammar."""
    grammar = _grammar(target)
    if grammar is None:
        return None
    try:
        return [error.message for error in grammar.iter_errors(grammar.parse(text))]
    except RecursionError:
        return None


@lru_cache(maxsize=8)
def _grammar(target: tuple[int, int]):
    import parso

    try:
        return parso.load_grammar(version=_dotted(target))
    except (NotImplementedError, FileNotFoundError):
        return None


def _located(exc: SyntaxError, named: str) -> tuple[str, int, int]:
    message = f"{exc.msg} (line {exc.lineno}{named})" if exc.lineno else exc.msg
    return message, max((exc.lineno or 1) - 1, 0), max((exc.offset or 1) - 1, 0)


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
