"""Example requests for an endpoint's handler, built from the decorated function's parameters
(docs/editor-1x.md, "Request shapes"): queue-based endpoints take `{"input": {...}}`, load-balanced
routes take the fields themselves (a query string for GET)."""

from __future__ import annotations

import ast
import json

from .usage import Decorated

BY_TYPE = {
    "str": "text",
    "int": 0,
    "float": 0.0,
    "bool": False,
    "dict": {},
    "list": [],
    "tuple": [],
    "bytes": "<base64>",
}


def example_value(annotation: ast.expr | None, default: ast.expr | None):
    """A JSON value for one parameter: its literal default, else one of its annotated type."""
    if default is not None:
        try:
            value = ast.literal_eval(default)
            json.dumps(value)
            return value
        except (ValueError, TypeError, SyntaxError, RecursionError):
            pass
    if annotation is None:
        return None
    text = ast.unparse(annotation)
    head = text.split("[", 1)[0].split(".")[-1].lower()
    if head in ("optional", "union") or "|" in text:
        inner = (
            annotation.slice
            if isinstance(annotation, ast.Subscript)
            else annotation.left
            if isinstance(annotation, ast.BinOp)
            else None
        )
        first = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
        return example_value(first, None) if first is not None else None
    return BY_TYPE.get(head)


def _fields(function: ast.FunctionDef | ast.AsyncFunctionDef, skip_self: bool = False) -> dict:
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults, strict=False)) + list(zip(args.kwonlyargs, args.kw_defaults, strict=False))
    if skip_self and pairs:
        pairs = pairs[1:]
    return {a.arg: example_value(a.annotation, d) for a, d in pairs}


def _class_input(node: ast.ClassDef) -> dict:
    methods = [
        m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith("_")
    ]
    if len(methods) == 1:
        return _fields(methods[0], skip_self=True)
    if not methods:
        return {}
    return {"method": methods[0].name, **_fields(methods[0], skip_self=True)}


def example_request(decorated: Decorated) -> str:
    """Markdown: the request a client sends to this handler."""
    node = decorated.node
    if decorated.route is not None:
        method, path = decorated.route
        fields = _fields(node) if not isinstance(node, ast.ClassDef) else {}
        if method == "GET":
            query = "&".join(f"{k}={v}" for k, v in fields.items())
            return f"Request (load-balanced route):\n```http\nGET https://<endpoint-id>.api.runpod.ai{path}{'?' + query if query else ''}\n```"
        body = json.dumps(fields, indent=2)
        return f"Request (load-balanced route, fields at the top level):\n```http\n{method} https://<endpoint-id>.api.runpod.ai{path}\n\n{body}\n```"
    payload = _class_input(node) if isinstance(node, ast.ClassDef) else _fields(node)
    if isinstance(node, ast.ClassDef) and "method" in payload:
        note = " (`method` picks the class method)"
    else:
        note = ""
    body = json.dumps({"input": payload}, indent=2)
    return f"Request (queue-based{note}):\n```http\nPOST https://api.runpod.ai/v2/<endpoint-id>/runsync\n\n{body}\n```"
