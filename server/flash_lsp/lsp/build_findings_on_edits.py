"""The last build's findings follow the user's edits: lines inserted or deleted above a finding move
it, and a finding on a line edited since that build is dropped (see docs/editors.md, "Findings of
the last build after an edit")."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.model import Diagnostic, Span
from ..core.rules.catalogue import BUILD

if TYPE_CHECKING:
    from .session import ProjectState, Session

LinesOf = Callable[[str], Sequence[str]]


class BuildFindingsOnEdits:
    """Keeps each project's last build findings with the text they were found in; after every
    analysis (a buffer or file changed) re-places them against the current text."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.baselines: dict[ProjectState, tuple[list[Diagnostic], dict[str, list[str]]]] = {}
        session.listeners.append(self.follow)

    def set(self, state: ProjectState, found: list[Diagnostic]) -> None:
        """A build's findings, as found in the text the build read."""
        texts = {rel: _stripped(self.session.lines_of(state, rel)) for rel in _paths(found)}
        self.baselines[state] = (list(found), texts)
        self.session.set_external(state, BUILD, found)

    def follow(self, state: ProjectState) -> None:
        baseline = self.baselines.get(state)
        if baseline is None:
            return
        found, texts = baseline
        current = follow_edits(found, texts, lambda rel: _stripped(self.session.lines_of(state, rel)))
        if current != state.found.get(BUILD):
            self.session.set_external(state, BUILD, current)


def follow_edits(found: list[Diagnostic], then: dict[str, list[str]], now: LinesOf) -> list[Diagnostic]:
    """`found` (spans in the texts `then`) placed in the current texts: moved with inserted or
    deleted lines; dropped when a line of its span was edited or deleted. Related places on edited
    lines are left out."""
    maps: dict[str, dict[int, int] | None] = {}

    def moved(rel: str, span: Span) -> Span | None:
        if rel not in then:
            return span
        if rel not in maps:
            current = list(now(rel))
            maps[rel] = None if current == then[rel] else _line_map(then[rel], current)
        lines = maps[rel]
        if lines is None:
            return span
        new = [lines.get(line) for line in range(span.line, span.end_line + 1)]
        if None in new or new[-1] - new[0] != span.end_line - span.line:
            return None
        return Span(new[0], span.col, new[-1], span.end_col)

    out = []
    for d in found:
        span = moved(d.path, d.span)
        if span is None:
            continue
        related = tuple(replace(r, span=s) for r in d.related if (s := moved(r.path, r.span)) is not None)
        out.append(replace(d, span=span, related=related))
    return out


def _line_map(old: list[str], new: list[str]) -> dict[int, int]:
    """Old line → new line, for the lines left unchanged."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return {a + k: b + k for a, b, size in matcher.get_matching_blocks() for k in range(size)}


def _stripped(lines: Sequence[str]) -> list[str]:
    return [line.rstrip("\r\n") for line in lines]


def _paths(found: list[Diagnostic]) -> set[str]:
    return {d.path for d in found} | {r.path for d in found for r in d.related}
