"""Build the runpod 2.0 `@app.api` class that replaces module-level route functions or a queue class.

Route functions become methods (`self` added, their decorator replaced by `@runpod.get/post/…("/p")`);
their comments travel with them. A runpod-flash 1.x queue-based class keeps its methods and gets one
`POST /<method>` route per public method (docs/migration.md, "Classes").
"""

from __future__ import annotations

import libcst as cst

from .settings import string


def marker(method: str, path: cst.BaseExpression) -> cst.Decorator:
    """`@runpod.<method>(<path>)`."""
    func = cst.Attribute(cst.Name("runpod"), cst.Name(method.lower()))
    return cst.Decorator(cst.Call(func, [cst.Arg(path)]))


def app_decorator(app: str, kind: str, args: list[cst.Arg], like: cst.Call | None = None) -> cst.Decorator:
    """`@app.queue(...)` / `@app.api(...)`, laid out like the old call `like` (one argument a line stays so)."""
    func = cst.Attribute(cst.Name(app), cst.Name(kind))
    if like is None or not like.args or not args:
        return cst.Decorator(cst.Call(func, args))
    first, last = like.args[0].comma, like.args[-1].comma
    multiline = isinstance(first, cst.Comma) and isinstance(first.whitespace_after, cst.ParenthesizedWhitespace)
    laid = []
    for i, arg in enumerate(args):
        if i == len(args) - 1:
            arg = arg.with_changes(comma=last)
        elif multiline and (
            arg.comma is last
            or not (
                isinstance(arg.comma, cst.Comma) and isinstance(arg.comma.whitespace_after, cst.ParenthesizedWhitespace)
            )
        ):
            arg = arg.with_changes(comma=first)  # one argument a line; an own comma (and its comment) stays
        laid.append(arg)
    return cst.Decorator(cst.Call(func, laid, whitespace_before_args=like.whitespace_before_args))


def as_method(fn: cst.FunctionDef, old: cst.Decorator, method: str, path: cst.BaseExpression) -> cst.FunctionDef:
    """A module-level route function as a method of the api class."""
    decorators = [marker(method, path) if d is old else d for d in fn.decorators]
    self_param = cst.Param(cst.Name("self"))
    params = fn.params.with_changes(params=[self_param, *fn.params.params])
    if fn.params.posonly_params:
        params = fn.params.with_changes(posonly_params=[self_param, *fn.params.posonly_params])
    return fn.with_changes(decorators=decorators, params=params)


def class_name(base: str, taken: set[str]) -> str:
    """`my_api` → `MyApi` (suffixed until it is free in the module)."""
    name = "".join(part[:1].upper() + part[1:] for part in base.replace("-", "_").split("_") if part) or "Api"
    if not name.isidentifier():
        name = "Api"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate


def api_class(
    name: str, decorator: cst.Decorator, methods: list[cst.FunctionDef], leading: list[cst.EmptyLine]
) -> cst.ClassDef:
    """`@app.api(...) class <name>:` holding `methods` (the first keeps the group's leading comments)."""
    body = [fn.with_changes(leading_lines=_method_lines(fn.leading_lines, i == 0)) for i, fn in enumerate(methods)]
    return cst.ClassDef(
        name=cst.Name(name), body=cst.IndentedBlock(body), decorators=[decorator], leading_lines=leading
    )


def queue_class_routes(cls: cst.ClassDef, old: cst.Decorator, new: cst.Decorator) -> tuple[cst.ClassDef, list[str]]:
    """A 1.x queue-based class as an api class: each public method gets `@runpod.post("/<name>")`."""
    routes, body = [], []
    for stmt in cls.body.body:
        if (
            isinstance(stmt, cst.FunctionDef)
            and not stmt.name.value.startswith("_")
            and not any(
                isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
                for d in stmt.decorators
            )
        ):
            routes.append(stmt.name.value)
            stmt = stmt.with_changes(decorators=[marker("post", string(f"/{stmt.name.value}")), *stmt.decorators])
        body.append(stmt)
    decorators = [new if d is old else d for d in cls.decorators]
    return cls.with_changes(decorators=decorators, body=cls.body.with_changes(body=body)), routes


def _method_lines(lines, first: bool) -> list[cst.EmptyLine]:
    """A method's leading lines: its comments, one blank line before it (none for the first method)."""
    comments = [line for line in lines if line.comment is not None]
    return comments if first else [cst.EmptyLine(indent=False), *comments]
