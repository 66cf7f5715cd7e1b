"""Renaming a runpod-flash 1.x endpoint (docs/editor-1x.md, "Rename"): every place that refers to
it by name — `Endpoint(name=...)` / `Endpoint(id=...)` strings and, when the function name is the
endpoint name, the function, its imports and its calls."""

from __future__ import annotations

import ast
import keyword

from ..model import Span
from .usage import Usage, endpoint_name, name_span, string_of, token_span
from .usage import keyword as keyword_value


def string_spans(usage: Usage, name: str, lines: list[str]) -> list[Span]:
    """Insides of the `name=` / `id=` strings of `Endpoint(...)` calls naming `name`."""
    out = []
    for callee, call in usage.calls:
        if callee != "Endpoint":
            continue
        for literal in (endpoint_name(call), string_of(keyword_value(call, "id"))):
            if literal is not None and literal.value == name:
                span = Span.of(literal, lines)
                if span.line == span.end_line and span.end_col - span.col == len(name) + 2:
                    out.append(Span(span.line, span.col + 1, span.line, span.end_col - 1))
    return sorted(set(out))


def identifier_spans(tree: ast.Module, usage: Usage, name: str, lines: list[str], defines: bool) -> list[Span]:
    """The function name `name` in a module that defines it or imports it by that name."""
    imports = [a for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names if a.name == name]
    if not defines and not imports:
        return []
    out = [token_span(a, a.name, lines) for a in imports]
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name:
            out.append(Span.of(node, lines))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            out.append(name_span(node, lines))
    return sorted(set(out))


def invalid_name(new: str, is_identifier: bool) -> str | None:
    """Why `new` cannot be the endpoint's name, or None."""
    if not new.strip():
        return "An endpoint name cannot be empty."
    if is_identifier and (not new.isidentifier() or keyword.iskeyword(new)):
        return f"'{new}' is not a Python identifier: the function name is this endpoint's name."
    if not is_identifier and any(c in new for c in "\"'\\\n"):
        return f"'{new}' cannot be written inside the name string."
    return None
