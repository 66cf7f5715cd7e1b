"""The one Python process in which the tetra-rp builder imports config modules, one after the
other in sorted resource order (docs/tetra-build.md, "One process"): a `sys.path` entry a
module adds, and every project module imported through it, stay for the modules after it."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .sim_values import ProjectModule

MAX_IMPORT_NESTING = 20  # project modules importing project modules, followed this deep


@dataclass
class BuildProcess:
    """`sys.path` additions (directories relative to the build directory, "" for its root) and
    the project modules in `sys.modules`; `source` parses a shipped file (None when it cannot)."""

    build_dir: str
    files: frozenset[str]
    source: Callable[[str], tuple[ast.Module, list[str]] | None]
    sys_path: list[str] = field(default_factory=list)
    unknown_path: bool = False  # an entry we could not compute (or outside the build directory)
    modules: dict[str, ProjectModule] = field(default_factory=dict)
    nesting: int = 0

    def file_path(self, relpath: str) -> str:
        """`__file__` of a module of the build directory."""
        return posixpath.join(self.build_dir, relpath)

    def add_path(self, path: Any, first: bool) -> None:
        """`sys.path.insert(0, path)` (`first`) or `sys.path.append(path)`."""
        if not isinstance(path, str) or not posixpath.isabs(path):
            self.unknown_path = True  # a relative entry depends on the build's working directory
            return
        path = posixpath.normpath(path)
        if path != self.build_dir and not path.startswith(self.build_dir + "/"):
            self.unknown_path = True
            return
        relative = posixpath.relpath(path, self.build_dir)
        entry = "" if relative == "." else relative
        if entry in self.sys_path:
            return
        if first:
            self.sys_path.insert(0, entry)
        else:
            self.sys_path.append(entry)

    def find(self, dotted: str) -> str | None:
        """The shipped file the import of `dotted` finds on the added entries, or None."""
        parts = dotted.split(".")
        for entry in self.sys_path:
            base = posixpath.join(entry, *parts) if entry else posixpath.join(*parts)
            for candidate in (f"{base}.py", f"{base}/__init__.py"):
                if candidate in self.files:
                    return candidate
        return None

    def pristine(self) -> bool:
        """Whether no module has changed the process yet (then a module's simulation does not
        depend on the modules before it, and can be reused)."""
        return not (self.sys_path or self.unknown_path or self.modules)
