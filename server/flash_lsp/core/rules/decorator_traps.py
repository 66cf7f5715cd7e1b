"""`@remote` uses the scanner reads differently from Python (FL108, FL205).

The scanner keys a config variable by its last assignment in the file and recognises only a
`remote(...)` call written as a decorator (`docs/tetra-build.md`, "Decorator traps").
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..ast_queries import odd_line_break, walk_mentioning
from ..model import Diagnostic, Span
from . import per_file
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..discovery import DiscoveredFunction
    from ..project import Project, ProjectModel
    from ..summary import FileSummary

NOT_SEEN = "`flash build` only finds `@remote(...)` written on a def or class, so {what} is never deployed"


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    for summary, functions in model.discovery.by_file.values():
        if len(summary.configs) > 1:  # a variable assigned twice needs two assignments
            for fn in functions:
                moved = _rebound(fn, summary)
                if moved is not None:
                    yield moved
    for relpath, summary in model.summaries.items():
        # a file that kept no AST and imports nothing cannot call remote()
        if summary.parsed and not summary.bound and (summary.tree is not None or summary.bindings):
            yield from per_file(
                project,
                "decorator_traps",
                relpath,
                summary,
                lambda: _undecorated(relpath, summary, project),  # noqa: B023 - called before the loop moves on
            )


def _rebound(fn: DiscoveredFunction, summary: FileSummary) -> Diagnostic | None:
    """FL108: the config variable names another config where the decorator runs than at the end."""
    ref = fn.decl.config
    if ref.kind != "name" or fn.resolution != "module":
        return None
    line = fn.decl.decorator_span.line
    before = [a for a in summary.configs if a.module_level and a.variable == ref.text and a.span.line < line]
    if not before:
        return None
    at_runtime = before[-1]
    runtime_name = at_runtime.name_value or at_runtime.variable
    if runtime_name == fn.resource:
        return None
    last = max((a for a in summary.configs if a.variable == ref.text), key=lambda a: a.span.line)
    return CATALOGUE["FL108"].at(
        fn.relpath,
        ref.span or fn.decl.decorator_span,
        f"`flash build` puts '{fn.name}' on endpoint '{fn.resource}' (`{ref.text}` as assigned on line "
        f"{last.span.line + 1}), but when this decorator runs `{ref.text}` is '{runtime_name}' (line "
        f"{at_runtime.span.line + 1}). Give each config its own variable.",
    )


def _undecorated(relpath: str, summary: FileSummary, project: Project) -> Iterator[Diagnostic]:
    """FL205: `remote(cfg)(fn)` and `d = remote(cfg)` followed by `@d`."""
    tree, lines, plain = summary.tree, summary.lines, summary.parser_lines
    if tree is None:  # the summary kept no AST: the file declares no config and no @remote
        text = project.text(relpath)
        if text is None or "remote" not in text:
            return
        tree, lines, plain = _parse(text), text.splitlines(), not odd_line_break(text)
    if tree is None:
        return
    # module-level statements that mention none of the names searched for are skipped (when
    # `lines` are the parser's lines of the tree)
    aliases: dict[str, ast.Assign] = {}
    for node in walk_mentioning(tree, lines if plain else None, ("remote",)):
        if isinstance(node, ast.Call) and _is_remote_call(node.func) and node.args:
            what = f"'{ast.unparse(node.args[0])}'"
            yield CATALOGUE["FL205"].at(
                relpath, Span.of(node, lines), NOT_SEEN.format(what=what) + ". Decorate it with @remote(...)."
            )
        elif isinstance(node, ast.Assign) and _is_remote_call(node.value) and isinstance(node.targets[0], ast.Name):
            aliases[node.targets[0].id] = node
    if not aliases:
        return
    for node in walk_mentioning(tree, lines if plain else None, tuple(aliases)):
        if not isinstance(node, _DEFS):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Name) and decorator.id in aliases:
                line = aliases[decorator.id].lineno
                yield CATALOGUE["FL205"].at(
                    relpath,
                    Span.of(decorator, lines),
                    f"`{decorator.id}` is the remote(...) of line {line}, but "
                    + NOT_SEEN.format(what=f"'{node.name}'")
                    + ". Write @remote(...) on it.",
                )


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _is_remote_call(node: ast.expr) -> bool:
    """`remote(...)` or `x.remote(...)`: the callee names the scanner accepts on a decorator."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "remote") or (
        isinstance(func, ast.Attribute) and func.attr == "remote"
    )


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
