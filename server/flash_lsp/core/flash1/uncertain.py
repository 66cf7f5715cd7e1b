"""Import-time steps whose success depends on the build machine: a module-level network request
that no `try` around it catches stops the build with `Failed to load` when the request fails, and
lets it go on when it works, and every file whose module-level import reaches that module fails with
it (docs/flash1.md, "Uncertain outcomes")."""

from __future__ import annotations

import ast

from ..project import UncertainStep
from ..sim_syntax import handler_names
from .imports import Imports

# Side effects (build_time_effects.py) whose failure raises: the machine decides, not the code.
RAISING_EFFECTS = ("a network request", "a network connection", "a cloud API call")
# What a failed request raises, and its bases, by the last part of the name an `except` lists:
# urllib's URLError, requests' ConnectionError/RequestException, httpx's ConnectError/TransportError/
# HTTPError, aiohttp's ClientError, socket's error/timeout/gaierror, botocore's EndpointConnectionError.
_CATCHING = frozenset(
    {
        "BaseException",
        "Exception",
        "OSError",
        "IOError",
        "EnvironmentError",
        "URLError",
        "HTTPError",
        "ConnectionError",
        "ConnectionRefusedError",
        "TimeoutError",
        "RequestException",
        "ConnectError",
        "TransportError",
        "ClientError",
        "ClientConnectorError",
        "EndpointConnectionError",
        "BotoCoreError",
        "error",
        "timeout",
        "gaierror",
    }
)
_BLOCKS = ("body", "orelse", "handlers", "finalbody")


def uncertain_steps(imports: Imports, scanned: list[str]) -> list[UncertainStep]:
    """The raising side effects of every module the scan executed, in execution order, except those
    inside a module-level `try` whose `except` catches a failed request; each with the `scanned`
    files (in scan order) that would fail to load when it fails."""
    guarded: dict[str, set[int]] = {}
    importers: dict[str, list[str]] | None = None
    steps = []
    for relpath, effects in imports.side_effects.items():
        risky = [(what, span) for what, span in effects if what.startswith(RAISING_EFFECTS)]
        if not risky:
            continue
        importers = _importers(imports, guarded) if importers is None else importers
        fails = _failing_files(importers, relpath, scanned)
        steps += [
            UncertainStep(relpath, span.line, what, fails)
            for what, span in risky
            if span.line not in _guarded(imports, relpath, guarded)
        ]
    return steps


def _importers(imports: Imports, guarded: dict[str, set[int]]) -> dict[str, list[str]]:
    """Project file → the files whose imports of it are not inside a `try` catching a failed request."""
    importers: dict[str, list[str]] = {}
    for importer, reached in imports.reached.items():
        for relpath, line in reached:
            if line not in _guarded(imports, importer, guarded):
                importers.setdefault(relpath, []).append(importer)
    return importers


def _failing_files(importers: dict[str, list[str]], failing: str, scanned: list[str]) -> tuple[str, ...]:
    """The scanned files whose import raises when `failing`'s does: a module that raises is not left
    in `sys.modules`, so every import of it runs it again, and raises again unless caught."""
    fails, todo = {failing}, [failing]
    while todo:
        for importer in importers.get(todo.pop(), ()):
            if importer not in fails:
                fails.add(importer)
                todo.append(importer)
    return tuple(f for f in scanned if f in fails)


def _guarded(imports: Imports, relpath: str, memo: dict[str, set[int]]) -> set[int]:
    if relpath not in memo:
        tree = imports.source(relpath).tree
        memo[relpath] = _guarded_lines(tree.body) if tree is not None else set()
    return memo[relpath]


def _guarded_lines(body: list[ast.stmt]) -> set[int]:
    """0-based lines of module-level code inside a `try` body with a handler that catches a failed
    request (function and class bodies are not module-level code)."""
    lines: set[int] = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and any(
            h.type is None or handler_names(h) & _CATCHING for h in node.handlers
        ):
            for stmt in node.body:
                lines.update(range(stmt.lineno - 1, (stmt.end_lineno or stmt.lineno)))
        for block in _BLOCKS:
            inner = getattr(node, block, None)
            if isinstance(inner, list):
                lines |= _guarded_lines(
                    [s for i in inner for s in (i.body if isinstance(i, ast.ExceptHandler) else [i])]
                )
    return lines
