"""Free names of a decorated function or class body: what the body reads but does not define
(docs/editor-1x.md, "Only the body ships"). Scopes are flattened — a name bound anywhere in the
body counts as defined — which can miss a free name but never invents one."""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__"}


@dataclass(frozen=True)
class FreeName:
    name: str
    kind: str  # "import", "function", "class", "variable" (module level) or "undefined"
    node: ast.Name  # the first read in the body
    binding_line: int | None  # 0-based line of the module-level binding


def module_bindings(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """Module-level name → (kind, 0-based line), through if/try/with/for blocks."""
    out: dict[str, tuple[str, int]] = {}
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        line = node.lineno - 1
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                out.setdefault((alias.asname or alias.name).split(".")[0], ("import", line))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.setdefault(node.name, ("function", line))
        elif isinstance(node, ast.ClassDef):
            out.setdefault(node.name, ("class", line))
        else:
            for child in (
                ast.walk(node)
                if not isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While))
                else _targets(node)
            ):
                if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                    out.setdefault(child.id, ("variable", line))
            for field in ("body", "orelse", "finalbody", "handlers"):
                stack.extend(reversed(getattr(node, field, []) or []))
    return out


def _targets(node: ast.stmt) -> list[ast.AST]:
    if isinstance(node, ast.For):
        return list(ast.walk(node.target))
    if isinstance(node, ast.With):
        return [n for item in node.items if item.optional_vars for n in ast.walk(item.optional_vars)]
    return []  # if / try / while bind nothing themselves: their blocks are walked


def free_names(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, module: dict[str, tuple[str, int]]
) -> list[FreeName]:
    """Names the body reads and does not bind, in order of first read."""
    body = node.body
    bound: set[str] = set()
    reads: dict[str, ast.Name] = {}
    if not isinstance(node, ast.ClassDef):
        bound |= _parameters(node.args)
    # a local variable's annotation is never evaluated (a class attribute's is): its names do not
    # have to exist on the worker
    functions = (
        [node]
        if not isinstance(node, ast.ClassDef)
        else [f for f in ast.walk(node) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    )
    unevaluated = {
        id(n) for f in functions for a in ast.walk(f) if isinstance(a, ast.AnnAssign) for n in ast.walk(a.annotation)
    }
    for stmt in body:
        for child in ast.walk(stmt):
            if isinstance(child, ast.Name):
                if id(child) in unevaluated:
                    continue
                if isinstance(child.ctx, ast.Load):
                    reads.setdefault(child.id, child)
                else:
                    bound.add(child.id)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                bound |= _parameters(child.args)
                if not isinstance(child, ast.Lambda):
                    bound.add(child.name)
            elif isinstance(child, ast.ClassDef):
                bound.add(child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                bound |= {(a.asname or a.name).split(".")[0] for a in child.names}
            elif isinstance(child, ast.ExceptHandler) and child.name:
                bound.add(child.name)
            elif isinstance(child, ast.Global):
                bound.difference_update(child.names)
    bound.add(node.name)
    out = []
    for name, read in reads.items():
        if name in bound or name in BUILTINS:
            continue
        kind, line = module.get(name, ("undefined", None))
        out.append(FreeName(name, kind, read, line))
    return out


def _parameters(args: ast.arguments) -> set[str]:
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return names
