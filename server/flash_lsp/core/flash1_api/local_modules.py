"""The local modules one endpoint's file brings in, transitively, and whether the archive carries
each (docs/editor-1x.md, "Local modules per endpoint"). Imports anywhere in a file count, as the
worker may run any of them; only imports that resolve to files under the project are followed."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

SHIPPED, NOT_SHIPPED = "shipped", "not shipped (excluded by the ignore rules)"


@dataclass(frozen=True)
class LocalModule:
    module: str
    relpath: str
    status: str


def closure(
    start: str, shipped: set[str], tree_of: Callable[[str], ast.Module | None], exists: Callable[[str], bool]
) -> tuple[list[LocalModule], list[int]]:
    """(the local modules `start` reaches, 1-based lines of `start`'s dynamic imports with a computed name)."""
    found: dict[str, LocalModule] = {}
    dynamic: list[int] = []
    queue = [start]
    seen = {start}
    while queue:
        rel = queue.pop(0)
        tree = tree_of(rel) if rel in shipped else None
        if tree is None:
            continue
        for dotted, level, line in _imports(tree):
            if dotted is None:
                if rel == start:
                    dynamic.append(line)
                continue
            target = _resolve(dotted, level, rel, exists)
            if target is None or target in seen:
                continue
            seen.add(target)
            module = target[:-3].replace("/", ".").removesuffix(".__init__")
            found[target] = LocalModule(module, target, SHIPPED if target in shipped else NOT_SHIPPED)
            queue.append(target)
    return sorted(found.values(), key=lambda m: m.relpath), dynamic


def _imports(tree: ast.Module):
    """(dotted name or None for a computed one, level, line) of every import in the file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            yield base, node.level, node.lineno
            for alias in node.names:  # `from pkg import module`
                yield f"{base}.{alias.name}" if base else alias.name, node.level, node.lineno
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            first = node.args[0]
            yield (
                (first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None),
                0,
                node.lineno,
            )


def _is_dynamic_import(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("__import__", "import_module")
    )


def _resolve(dotted: str, level: int, current: str, exists: Callable[[str], bool]) -> str | None:
    """The project file a module name refers to from `current`, or None (installed or missing)."""
    if not dotted and not level:
        return None
    parts = current.split("/")[:-1]
    if level:
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
    else:
        parts = []
    path = "/".join([*parts, *[p for p in dotted.split(".") if p]])
    for candidate in (f"{path}.py", f"{path}/__init__.py"):
        if candidate.strip("/") and exists(candidate.lstrip("/")):
            return candidate.lstrip("/")
    return None
