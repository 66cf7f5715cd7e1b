"""Where a finding of the build belongs in the project: a `Locator` for `errors.locate`.

Findings name what they are about (functions, a resource, a requirement, a file's base name); the
analysis model knows where those are written. The model is read through a few attributes only, so
this package stays free of the analysis core:

* ``model.functions``: items with ``name``, ``resource``, ``relpath`` and ``decl.span`` /
  ``decl.decorator_span``;
* ``model.discovery.registry.assignments``: resource name → ``[(relpath, assignment)]`` with
  ``name_span`` / ``span``;
* ``model.files.files``: the project's relative paths;
* ``model.requirements.collected``: items with ``text``, ``path`` and ``span``.

Spans are anything with ``line``, ``col``, ``end_line`` and ``end_col``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import BuildFinding, SourceLocation
from .recommend import package_name

_FAILED_PARSE = re.compile(r"Failed to parse (?P<name>[^:/\\]+\.py)")


class BuildLocator:
    """Callable: a finding → the places it concerns (else `fallback`, a project-level place)."""

    def __init__(self, root: Path, model: Any | None) -> None:
        self.root = root
        self.model = model

    def __call__(self, finding: BuildFinding) -> list[SourceLocation]:
        return self.find(finding) or self.fallback(finding)

    def find(self, f: BuildFinding) -> list[SourceLocation]:
        names = f.functions or ((f.function,) if f.function else ())
        if f.kind == "duplicate_function":
            return self._functions(names, None, decorator=False)
        if f.kind in ("duplicate_route", "reserved_path", "lb_without_route"):
            return self._functions(names, f.resource, decorator=True)
        if f.kind in ("handler_syntax_error", "handler_generation_failed"):
            return self._resource_names(f.resources or ((f.resource,) if f.resource else ()))
        if f.kind == "syntax_error":  # "Failed to parse x.py": the dependency scan names the file only
            match = _FAILED_PARSE.search(f.message)
            return self._file_named(match["name"], f.line or 0) if match else []
        if f.kind == "requirement_failed" and f.requirement:
            return self._requirement(f.requirement)
        if f.kind in ("archive_too_large", "pip_failed", "exclusion_unmatched"):
            return self._requirements_txt()
        return []

    def fallback(self, f: BuildFinding | None = None) -> list[SourceLocation]:
        """main.py, else the first file with a Flash function: a project-level place."""
        if (self.root / "main.py").is_file():
            return [SourceLocation("main.py", 0)]
        first = next((fn.relpath for fn in self.model.functions), None) if self.model else None
        return [SourceLocation(first, 0)] if first else []

    def exists(self, relpath: str) -> bool:
        return (self.root / relpath).is_file()

    @staticmethod
    def _at(relpath: str, span: Any) -> SourceLocation:
        return SourceLocation(relpath, span.line, span.col, span.end_line, span.end_col)

    def _functions(self, names, resource: str | None, *, decorator: bool) -> list[SourceLocation]:
        if self.model is None or not names:
            return []
        matches = [fn for fn in self.model.functions if fn.name in names]
        if resource is not None:
            matches = [fn for fn in matches if str(fn.resource) == resource] or matches
        return [self._at(fn.relpath, fn.decl.decorator_span if decorator else fn.decl.span) for fn in matches]

    def _resource_names(self, resources) -> list[SourceLocation]:
        """The config's `name=` literal (else its variable); inline configs: the decorator."""
        if self.model is None:
            return []
        out = []
        for resource in resources:
            for key, assigns in self.model.discovery.registry.assignments.items():
                if str(key) == resource:
                    out += [self._at(rel, a.name_span or a.span) for rel, a in assigns]
            if not out:
                out += [
                    self._at(fn.relpath, fn.decl.decorator_span)
                    for fn in self.model.functions
                    if str(fn.resource) == resource
                ]
        return out

    def _file_named(self, name: str, line: int) -> list[SourceLocation]:
        files = list(self.model.files.files) if self.model else []
        found = [rel for rel in files if rel.rsplit("/", 1)[-1] == name]
        found.sort(key=lambda rel: (not rel.startswith("workers/"), rel))
        return [SourceLocation(found[0], line)] if found else []

    def _requirement(self, requirement: str) -> list[SourceLocation]:
        collected = list(self.model.requirements.collected) if self.model else []
        exact = [r for r in collected if r.text == requirement]
        wanted = package_name(requirement)
        same = exact or [r for r in collected if isinstance(r.text, str) and package_name(r.text) == wanted]
        if same:
            return [self._at(r.path, r.span) for r in same]
        return self._requirements_txt()

    def _requirements_txt(self) -> list[SourceLocation]:
        return [SourceLocation("requirements.txt", 0)] if self.exists("requirements.txt") else []
