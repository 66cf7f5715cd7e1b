"""Keystrokes inside function bodies that a runpod-flash 1.x build cannot see: the file's
`Source` keeps its identity (so the scan, the cross-call analysis, the closure check, the
requirement collection and the editor rules reuse their per-file results) and only its AST and
lines are brought up to date (docs/flash1.md, "Keystrokes")."""

from __future__ import annotations

import ast

from ..body_edit import splice
from .closure import parse, same_as
from .imports import Source

# What any of those steps reads on a line: imports (closure, requirements), the decorators and
# `dependencies=` of endpoints, and runpod_flash's names (the editor's API checks).
_MARKS = ("import", "__import__", "dependencies", "runpod_flash", "Endpoint", "remote")


def apply_body_edit(source: Source, old_text: str, text: str, endpoints: frozenset[str]) -> bool:
    """Update `source` in place for `text` when the edit is one the build cannot see (True);
    `endpoints` are the names of the functions the last scan found."""
    tree = source.tree
    if tree is None or source.error is not None:
        return False
    imported, api_names = _module_imports(tree)
    marks = (*_MARKS, *api_names)

    def allowed(ancestors: list[ast.stmt]) -> bool:
        # Bodies of endpoints (and of anything decorated by a name not imported) ship or are read.
        for node in ancestors:
            if node.name in endpoints:
                return False
            if any(_root(d) not in imported for d in node.decorator_list):
                return False
        return True

    new = splice(tree, source.lines, text, marks, allowed)
    if new is None:
        return False
    source.lines[:] = new  # the Source is frozen: its list is brought up to date
    same_as(text, parse(old_text))
    return True


def _module_imports(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound by module-level imports of other modules, and those bound from runpod_flash."""
    imported, api = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                from_flash = (module or alias.name).split(".")[0] == "runpod_flash"
                (api if from_flash else imported).add(name)
    return imported - api, api


def _root(decorator: ast.expr) -> str | None:
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
