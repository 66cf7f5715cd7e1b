"""What a 1.x analysis reads of every project file (the scan's per-file key, the parsed trees, the
fingerprint's records, the editor's summaries), kept from one analysis to the next and redone only
for the files edited since (docs/flash1.md, "Keystrokes"). The project reports edits; a project
that does not trust its disk cache is read again in full every time.
"""

from __future__ import annotations

import ast
import hashlib
from typing import TYPE_CHECKING, Any

from .imports import Source
from .per_file import EditedFiles

if TYPE_CHECKING:
    from ..project import Project

_STEP = 64  # records between kept fingerprint states


class FileFacts(EditedFiles):
    def __init__(self, project: Project):
        super().__init__(project)
        self._members: set[str] = set()
        self._sorted: list[str] = []
        self.keys: dict[str, Any] = {}  # .py file → what its import depends on in the file
        self.parsed: dict[str, tuple[str, ast.Module]] = {}  # .py file → (text, tree) when it parses
        self.summaries: dict[str, Any] = {}  # scanned file → editor summary
        self._records: dict[str, tuple[str | None, bytes]] = {}  # file → (text, fingerprint record)
        self._position: dict[str, int] = {}  # file → its place in the fingerprint's order
        self._states: list[Any] = []  # SHA-256 state before record k * _STEP, for k = 0, 1, …
        self._first_changed = 0  # the first record changed since the last fingerprint

    def update(self, files: list[str], scanned: list[str], prediction: Any) -> None:
        """Bring every fact up to date for the analysis of `files` by `prediction`."""
        project = self.project
        if self._only_edits(files):
            todo = [p for p in self._changes if p in self._members]
        else:
            todo = files
            self._files, self._members, self._sorted = files, set(files), sorted(files)
            self._position = {p: i for i, p in enumerate(self._sorted)}
            self._states, self._first_changed = [], 0
            self.keys, self.parsed, self.summaries = {}, {}, {}
        self._changes.clear()
        stale = prediction.stale_errors()
        for relpath in todo:
            self._record(relpath)
            if not relpath.endswith(".py"):
                continue
            source: Source = prediction.source(relpath)
            self.keys[relpath] = prediction.key(relpath)
            text = prediction.text_of(relpath)
            if source.tree is not None and text is not None and relpath not in stale:
                self.parsed[relpath] = (text, source.tree)
            else:
                self.parsed.pop(relpath, None)
        if project.keep_last_good:
            targets = scanned if todo is files else [p for p in todo if p in self.summaries]
            self.summaries.update((p, project.editor_summary(p)) for p in targets)

    def trees(self) -> dict[str, ast.Module]:
        """Text → AST of the files that parse (a file being typed with a syntax error is left
        out: its last good version is no parse of its text)."""
        return dict(self.parsed.values())

    def fingerprint(self) -> str:
        """`compute_source_fingerprint`: SHA-256 over the shipped files in POSIX-path order, each
        as length-prefixed path and length-prefixed content.

        The hash state is kept every `_STEP` records, so a keystroke rehashes only from the
        last kept state before the edited file."""
        start = min(self._first_changed // _STEP, len(self._states) - 1)
        if start < 0:
            self._states, start = [hashlib.sha256()], 0
        del self._states[start + 1 :]
        digest = self._states[start].copy()
        for k in range(start, -(-len(self._sorted) // _STEP)):
            if k == len(self._states):
                self._states.append(digest.copy())
            digest.update(b"".join(self._records[p][1] for p in self._sorted[k * _STEP : (k + 1) * _STEP]))
        self._first_changed = len(self._sorted)
        return digest.hexdigest()

    def _record(self, relpath: str) -> None:
        project = self.project
        override = project.overrides.get(relpath)
        current = override if override is not None else project.text(relpath) if relpath.endswith(".py") else None
        cached = self._records.get(relpath)
        if current is not None and cached is not None and cached[0] is current:
            return
        if current is not None and (override is not None or project.verbatim(relpath, current)):
            content = current.encode("utf-8")
        else:
            try:
                content = (project.root / relpath).read_bytes()
            except OSError:
                content = b""
        name = relpath.encode("utf-8")
        record = b"".join((len(name).to_bytes(8, "big"), name, len(content).to_bytes(8, "big"), content))
        self._records[relpath] = (current, record)
        self._first_changed = min(self._first_changed, self._position.get(relpath, 0))


def facts(project: Project) -> FileFacts:
    """The project's `FileFacts` (made on first use)."""
    found = project.__dict__.get("_flash1_facts")
    if found is None:
        found = project.__dict__["_flash1_facts"] = FileFacts(project)
    return found
