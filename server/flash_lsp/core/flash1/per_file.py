"""Project-wide loops of a 1.x analysis whose result is a concatenation of per-file results (the
editor rules' diagnostics, the requirement collection): each file's part is kept from one analysis
to the next and redone only for the files edited since (docs/flash1.md, "Keystrokes"). Everything is
redone when the file list, the `context` the parts depend on, or the whole disk changed, and always
for a project that does not trust its disk cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..project import Project


class EditedFiles:
    """What a per-file cache of a project needs to know: the files edited since its last update."""

    def __init__(self, project: Project):
        from ..project import ALL_FILES

        self.project = project
        self._changes = project.watch_changes()
        self._everything = ALL_FILES
        self._files: list[str] | None = None

    def _only_edits(self, files: list[str]) -> bool:
        """Whether redoing the edited files is enough: the disk cache is trusted, `files` is the
        list of the last update and the whole disk did not change."""
        return self.project.trust_disk_cache and files is self._files and self._everything not in self._changes


class PerFile(EditedFiles):
    def __init__(self, project: Project):
        super().__init__(project)
        self._context: Hashable = None
        self._parts: dict[str, Sequence[Any]] = {}
        self._joined: list[Any] = []

    def joined(self, files: list[str], context: Hashable, part: Callable[[str], Sequence[Any]]) -> list[Any]:
        """`part(f)` for each of `files` in order, concatenated. `part` must depend only on the
        file's text and on `context`."""
        reuse = self._only_edits(files) and context == self._context
        self._files = None  # until this call succeeds
        if reuse:
            redo = [p for p in self._changes if p in self._parts]
            self._changes.clear()
            renewed = {p: list(part(p)) for p in redo}
            if any(renewed[p] != self._parts[p] for p in redo):
                self._parts.update(renewed)
                self._joined = [x for p in files for x in self._parts[p]]
        else:
            self._changes.clear()
            self._parts = {p: list(part(p)) for p in files}
            self._joined = [x for p in files for x in self._parts[p]]
        self._files, self._context = files, context
        return self._joined


def per_file(project: Project, name: str) -> PerFile:
    """The project's `PerFile` for the loop called `name` (made on first use)."""
    found = project.__dict__.setdefault("_flash1_per_file", {})
    if name not in found:
        found[name] = PerFile(project)
    return found[name]
