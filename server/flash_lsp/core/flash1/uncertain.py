"""Import-time steps whose success depends on the build machine: a module-level network request
that no `try` around it catches stops the build with `Failed to load` when the request fails, and
lets it go on when it works (docs/flash1.md, "Uncertain outcomes")."""

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


def uncertain_steps(imports: Imports) -> list[UncertainStep]:
    """The raising side effects of every module the scan executed, in execution order, except those
    inside a module-level `try` whose `except` catches a failed request."""
    steps = []
    for relpath, effects in imports.side_effects.items():
        risky = [(what, span) for what, span in effects if what.startswith(RAISING_EFFECTS)]
        if not risky:
            continue
        tree = imports.source(relpath).tree
        guarded = _guarded_lines(tree.body) if tree is not None else set()
        steps += [UncertainStep(relpath, span.line, what) for what, span in risky if span.line not in guarded]
    return steps


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
