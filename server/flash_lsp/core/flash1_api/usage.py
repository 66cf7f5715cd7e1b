"""Where one module uses the runpod-flash API: imported names, calls of `Endpoint` and the
config classes, enum member accesses, and the functions and classes that become endpoints."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..flash1.imports import Source
from ..flash1.pruned_walk import pruned_walk
from ..model import Span

PACKAGE = "runpod_flash"
ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "patch"})
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass
class Decorated:
    """A function or class the build turns into (part of) an endpoint."""

    node: Definition
    call: ast.Call  # the Endpoint(...) / remote(...) configuring it
    name: str | None  # the endpoint name when known
    name_node: ast.Constant | None  # the `name="..."` string, None when the function name is the name
    route: tuple[str, str] | None = None  # (METHOD, path) of a load-balanced route


@dataclass
class Usage:
    names: dict[str, str] = field(default_factory=dict)  # local name → name imported from runpod_flash
    modules: set[str] = field(default_factory=set)  # local names of the runpod_flash module
    imports: list[tuple[ast.alias, ast.ImportFrom]] = field(default_factory=list)
    calls: list[tuple[str, ast.Call]] = field(default_factory=list)  # (API name, call)
    members: list[tuple[str, ast.Attribute]] = field(default_factory=list)  # (enum, `Enum.MEMBER`)
    endpoints: dict[str, ast.Call] = field(default_factory=dict)  # module variable → Endpoint(...)
    decorated: list[Decorated] = field(default_factory=list)

    def resolve(self, node: ast.expr) -> str | None:
        """The runpod_flash name an expression refers to (`Endpoint`, `rf.GpuType`), else None."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.modules:
            return node.attr
        return None


def read_usage(tree: ast.Module, enums: frozenset[str] | set[str], source: Source | None = None) -> Usage:
    """What a module uses of runpod_flash; `source` (of `tree`) lets the search skip the
    module-level statements that name none of it."""
    usage = Usage()
    for node in tree.body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == PACKAGE
            and node.level == 0
        ):
            for alias in node.names:
                usage.names[alias.asname or alias.name] = alias.name
                if node.module == PACKAGE:
                    usage.imports.append((alias, node))
        elif isinstance(node, ast.Import):
            usage.modules |= {a.asname or a.name for a in node.names if a.name == PACKAGE}
    names = [*usage.names, *usage.modules]  # only these resolve
    if not names:  # a module that does not import runpod_flash uses none of it
        return usage
    for node in pruned_walk(source, names) if source is not None else ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = usage.resolve(node.func)
            if callee is not None:
                usage.calls.append((callee, node))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            enum = usage.resolve(node.value)
            if enum in enums:
                usage.members.append((enum, node))
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Call) and usage.resolve(node.value.func) == "Endpoint":
                usage.endpoints[node.targets[0].id] = node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            usage.decorated += _decorations(node, usage)
    return usage


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def string_of(node: ast.expr | None) -> ast.Constant | None:
    return node if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def endpoint_name(call: ast.Call) -> ast.Constant | None:
    """The literal name of an `Endpoint(...)`: `name=` or the first positional argument."""
    return string_of(keyword(call, "name") or (call.args[0] if call.args else None))


def _decorations(node: Definition, usage: Usage) -> list[Decorated]:
    out = []
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        api = usage.resolve(func)
        if api in ("Endpoint", "remote"):
            literal = endpoint_name(decorator) if api == "Endpoint" else None
            out.append(
                Decorated(
                    node, decorator, literal.value if literal else node.name if api == "Endpoint" else None, literal
                )
            )
        elif isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS and isinstance(func.value, ast.Name):
            config = usage.endpoints.get(func.value.id)
            if config is None:
                continue
            literal = endpoint_name(config)
            path = string_of(decorator.args[0] if decorator.args else keyword(decorator, "path"))
            route = (func.attr.upper(), path.value) if path else None
            out.append(Decorated(node, config, literal.value if literal else None, literal, route))
    return out


def token_span(node: ast.AST, text: str, lines: list[str]) -> Span:
    """The span of `text` starting where `node` starts (a keyword's or an alias's name)."""
    start = Span.of(node, lines)
    return Span(start.line, start.col, start.line, start.col + len(text))


def name_span(node: Definition, lines: list[str]) -> Span:
    """The name after `def` / `class`."""
    line = node.lineno - 1
    text = lines[line] if line < len(lines) else ""
    keyword = "class " if isinstance(node, ast.ClassDef) else "def "
    col = text.find(node.name, text.find(keyword) + len(keyword))
    return Span(line, max(col, 0), line, max(col, 0) + len(node.name))
