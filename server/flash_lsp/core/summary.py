"""Per-file facts the build reads from a Python file, extracted once per content version.

A `FileSummary` is a pure function of (module path, text): it records, in the scanner's own
`ast.walk` order, the resource-config assignments (pass 1), the `@remote` declarations with
their raw decorator arguments (pass 2), the `dependencies=` lists (requirement collection) and the
FastAPI / mothership facts. Resolving names across files happens later, in `discovery`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from .ast_queries import (
    Binding,
    call_type,
    callee_name,
    module_bindings,
    name_span,
    odd_line_break,
    statements,
    token_lines,
)
from .grammar import parse_as_build
from .limits import MAX_FILE_CHARS, too_big
from .model import Span
from .profiles import HTTP_METHODS

_OTHER_TOKENS = ("remote", "FastAPI", "mothership")
_REMOTE_ALIAS = re.compile(r"\bremote\s+as\s+(\w+)")
_FASTAPI_APP = re.compile(r"((?:\b\w+\s*=\s*)+)(?:[\w.]*\.)?FastAPI\s*\(")
ROUTE_DECORATORS = ("get", "post", "put", "delete", "patch")


@dataclass(frozen=True)
class ConfigAssign:
    """`var = SomeClass(...)` anywhere in the file (the scanner's pass 1 looks at every Assign)."""

    variable: str
    type_name: str
    name_value: Any  # the `name=` constant as written, or None when absent / not a constant
    name_span: Span | None
    span: Span  # the target name
    call_span: Span
    module_level: bool
    star_kwargs: bool = False  # `**mapping` in the call, which may carry the name at runtime


@dataclass(frozen=True)
class ConfigRef:
    """The `resource_config` argument of a `@remote(...)` decorator."""

    kind: str  # "name" | "inline" | "attribute" | "other" | "none" (no argument) | "bare" (@remote)
    text: str = ""  # variable name for "name", dotted text for "attribute"
    inline_name: Any = None  # `name=` constant of an inline call
    inline_type: str = ""  # callee name of an inline call
    span: Span | None = None


@dataclass(frozen=True)
class Literal:
    """A keyword argument's value: `value` when it is a constant, `present` when written at all."""

    present: bool = False
    is_constant: bool = False
    value: Any = None
    span: Span | None = None


@dataclass(frozen=True)
class RemoteDecl:
    """A def or class whose first `remote` decorator the scanner finds (pass 2)."""

    name: str
    kind: str  # "function" | "async" | "class"
    span: Span  # the def/class name
    decorator_span: Span
    config: ConfigRef
    method: Literal
    path: Literal
    parent: str  # "" (module level), "function" or "class"
    raises: str | None = None  # the scanner's exception for this node (drops the whole file)


@dataclass(frozen=True)
class DependencyDecl:
    """A `dependencies=` keyword on a `remote(...)` decorator call."""

    function: str
    is_async: bool
    is_list_literal: bool
    items: tuple[tuple[Any, Span], ...]  # constant elements as the build takes them
    non_constant: tuple[Span, ...]  # list elements the build drops
    span: Span


@dataclass(frozen=True)
class FastAPIApp:
    variable: str
    span: Span
    has_routes: bool


@dataclass(frozen=True)
class MothershipDecl:
    """`mothership = SomeClass(...)` in mothership.py (literal keywords only)."""

    type_name: str
    kwargs: dict
    span: Span


@dataclass
class FileSummary:
    """Everything the build reads from one file."""

    module: str
    text_hash: int
    syntax_error: tuple[str, Span] | None = None
    stale_syntax_error: tuple[str, Span] | None = None  # editor: this is the last good summary
    decode_error: bool = False
    configs: list[ConfigAssign] = field(default_factory=list)
    remotes: list[RemoteDecl] = field(default_factory=list)
    dependencies: list[DependencyDecl] = field(default_factory=list)
    fastapi_app: FastAPIApp | None = None
    mothership: MothershipDecl | None = None
    scan_error: str | None = None  # an exception in pass 2 drops every function of the file
    uses_remote_alias: list[tuple[str, Span]] = field(default_factory=list)  # `remote as rr`
    alias_remotes: list[tuple[str, Span, str]] = field(default_factory=list)  # defs decorated by an alias
    class_aliases: list[tuple[str, str, Span]] = field(default_factory=list)  # (alias, class, span)
    bindings: dict[str, Binding] = field(default_factory=dict)  # imports and config names: first binding
    bound: str | None = None  # an analysis bound the file exceeds: it is treated as declaring nothing
    analysis_error: str | None = None  # an unexpected failure summarising it (see `failed`)
    tree: ast.Module | None = field(default=None, repr=False)
    lines: list[str] = field(default_factory=list, repr=False)
    parser_lines: bool = True  # `lines` break where Python does (no \f, \v, \u2028… in the text)

    @property
    def parsed(self) -> bool:
        return self.syntax_error is None and not self.decode_error


def module_path(relpath: str) -> str:
    """The scanner's module path: relative path without `.py`, `/` replaced by `.`."""
    plain = "/." not in relpath and "//" not in relpath and not relpath.startswith("./")
    if plain and relpath.endswith(".py") and len(relpath.rpartition("/")[2]) > 3:
        relpath = relpath[:-3]  # the walk's plain relative paths, without building a path object
    else:
        relpath = str(PurePosixPath(relpath).with_suffix(""))
    return relpath.replace("/", ".").replace("\\", ".")


def summarize(
    relpath: str,
    text: str | None,
    resource_classes: tuple[str, ...],
    python_version: str | None = None,
    parsed_as: tuple[ast.Module, list[str]] | None = None,
) -> FileSummary:
    """Summarise one file as the build's Python (`python_version`, default ours) parses it; `text`
    None means it could not be decoded as UTF-8. `parsed_as`: the tree and lines of `text`, known
    already (a keystroke in one module-level statement, `core/statement_edit.py`).

    A file that mentions none of the names the build looks for (resource classes, `remote`,
    `FastAPI`, `mothership`) cannot contribute anything, so it is not parsed at all; identifiers
    can only spell those names in ASCII text (non-ASCII text is always parsed, because Python
    normalises identifiers with NFKC)."""
    summary = FileSummary(module=module_path(relpath), text_hash=hash(text))
    if text is None:
        summary.decode_error = True
        return summary
    tokens = (*resource_classes, *_OTHER_TOKENS)
    ascii_text = text.isascii()
    if ascii_text and not any(token in text for token in _innermost(tokens)):
        return summary
    if len(text) > MAX_FILE_CHARS:
        summary.bound = f"Python files of at most {MAX_FILE_CHARS:,} characters (this one has {len(text):,})"
        return summary
    summary.parser_lines = not odd_line_break(text)
    if parsed_as is not None:
        tree, summary.lines = parsed_as
    else:
        summary.lines = text.splitlines()
        parsed = parse_as_build(text, python_version)
        if parsed.tree is None:
            if parsed.unreadable:
                summary.bound, summary.lines = parsed.unreadable, []
            else:
                message, line, col = parsed.error
                summary.syntax_error = (message, Span(line, col, line, col + 1))
            return summary
        tree = parsed.tree
    relevant = None
    if ascii_text:  # aliases (`remote as rr`) and FastAPI apps (`@app.get`) mark their decorators' lines too
        apps = (
            [f"{n}." for chain in _FASTAPI_APP.findall(text) for n in re.findall(r"\w+", chain)]
            if "FastAPI" in text
            else []
        )
        aliases = _REMOTE_ALIAS.findall(text) if " as " in text else []
        relevant = token_lines(text, (*tokens, *aliases, *apps))
    _Extractor(summary, set(resource_classes), ascii_text).run(tree, relevant)
    if summary.configs or summary.remotes or summary.alias_remotes:
        summary.tree = tree  # kept for the import simulation; other files drop their AST
    else:
        summary.lines = []
    return summary


@lru_cache(maxsize=16)
def _innermost(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens holding no other token: a text holds one of `tokens` exactly when it holds one
    of these (`CpuLiveServerless` holds `LiveServerless`), and they are fewer to look for."""
    return tuple(t for t in tokens if not any(other != t and other in t for other in tokens))


def failed(relpath: str, text: str | None, exc: Exception) -> FileSummary:
    """The summary of a file whose analysis raised `exc`: it declares nothing."""
    return FileSummary(module=module_path(relpath), text_hash=hash(text), analysis_error=f"{type(exc).__name__}: {exc}")


class _Extractor:
    """Walks one module in `ast.walk` order, exactly as the scanner does."""

    def __init__(self, summary: FileSummary, resource_classes: set[str], ascii_text: bool):
        self.s = summary
        self.classes = resource_classes
        self.lines = summary.lines
        self.column_lines = None if ascii_text else summary.lines  # ASCII: byte columns are code points

    def span(self, node: ast.AST) -> Span:
        return Span.of(node, self.column_lines)

    def text(self, node: ast.expr) -> str:
        """The expression as code; past the interpreter's recursion limit, or holding an integer
        too long to print (`sys.set_int_max_str_digits`), its first source line."""
        try:
            return ast.unparse(node)
        except (RecursionError, ValueError):
            span = self.span(node)
            return self.lines[span.line][span.col : span.col + 80] + "…"

    def run(self, tree: ast.Module, relevant: list[int] | None) -> None:
        aliases: set[str] = set()
        alias_candidates: list[tuple[ast.AST, ast.expr, str]] = []
        routed: set[str] = set()  # X of every @X.get/post/... on a def (FastAPI routes)
        app: tuple[str, ast.Name] | None = None
        for node, scope in statements(tree, relevant):
            kind = type(node)
            if kind is ast.Assign:
                self._config_assign(node, scope)
                callee = call_type(node.value)
                if app is None and callee == "FastAPI":
                    target = next((t for t in node.targets if isinstance(t, ast.Name)), None)
                    if target is not None:
                        app = (target.id, target)
                if self.s.mothership is None and isinstance(node.value, ast.Call):
                    if any(isinstance(t, ast.Name) and t.id == "mothership" for t in node.targets):
                        self.s.mothership = _mothership_decl(node, self.span)
            elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                self._remote_decl(node, scope)
                self._dependencies(node)
                for decorator in node.decorator_list:
                    callee = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(callee, ast.Name):
                        alias_candidates.append((node, decorator, callee.id))
                    elif (
                        kind is not ast.ClassDef
                        and isinstance(callee, ast.Attribute)
                        and isinstance(callee.value, ast.Name)
                        and callee.attr in ROUTE_DECORATORS
                    ):
                        routed.add(callee.value.id)
            elif kind is ast.ImportFrom:
                self._aliases(node)
                aliases.update(a.asname for a in node.names if a.name == "remote" and a.asname)
        self.s.alias_remotes = [(n.name, self.span(d), name) for n, d, name in alias_candidates if name in aliases]
        wanted = {d.config.text for d in self.s.remotes if d.config.kind == "name"}
        self.s.bindings = module_bindings(tree.body, self.span, wanted)
        if app is not None:
            self.s.fastapi_app = FastAPIApp(app[0], self.span(app[1]), app[0] in routed)

    def _config_assign(self, node: ast.Assign, scope: str) -> None:
        type_name = call_type(node.value)
        if type_name not in self.classes:
            return
        call = node.value
        name_kw = next((k for k in call.keywords if k.arg == "name"), None)
        name_value = name_kw.value.value if name_kw and isinstance(name_kw.value, ast.Constant) else None
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.s.configs.append(
                    ConfigAssign(
                        variable=target.id,
                        type_name=type_name,
                        name_value=name_value,
                        name_span=self.span(name_kw.value) if name_kw else None,
                        span=self.span(target),
                        call_span=self.span(call),
                        module_level=scope == "",
                        star_kwargs=any(k.arg is None for k in call.keywords),
                    )
                )

    def _remote_decl(self, node: ast.AST, scope: str) -> None:
        decorator = _find_remote_decorator(node.decorator_list)
        if decorator is None:
            return
        kind = (
            "class"
            if isinstance(node, ast.ClassDef)
            else "async"
            if isinstance(node, ast.AsyncFunctionDef)
            else "function"
        )
        config = self._config_ref(decorator)
        method = path = Literal()
        raises = None
        if isinstance(decorator, ast.Call):
            method = self._literal(decorator, "method")
            path = self._literal(decorator, "path")
            resolves = config.kind == "name" or (config.kind == "inline" and bool(config.inline_name))
            raises = _routing_error(method) if resolves else None
        self.s.remotes.append(
            RemoteDecl(
                name=node.name,
                kind=kind,
                span=name_span(node, self.lines),
                decorator_span=self.span(decorator),
                config=config,
                method=method,
                path=path,
                parent=scope,
                raises=raises,
            )
        )
        if raises and self.s.scan_error is None:
            self.s.scan_error = raises

    def _config_ref(self, decorator: ast.expr) -> ConfigRef:
        if not isinstance(decorator, ast.Call):
            return ConfigRef("bare", span=self.span(decorator))
        expr = next((k.value for k in decorator.keywords if k.arg == "resource_config"), None)
        if expr is None and decorator.args:
            expr = decorator.args[0]
        if expr is None:
            return ConfigRef("none", span=self.span(decorator))
        span = self.span(expr)
        if isinstance(expr, ast.Name):
            return ConfigRef("name", text=expr.id, span=span)
        if isinstance(expr, ast.Call):
            name_kw = next((k for k in expr.keywords if k.arg == "name"), None)
            value = name_kw.value.value if name_kw and isinstance(name_kw.value, ast.Constant) else None
            return ConfigRef("inline", inline_name=value, inline_type=call_type(expr) or "", span=span)
        if isinstance(expr, ast.Attribute):
            return ConfigRef("attribute", text=self.text(expr), span=span)
        return ConfigRef("other", text=self.text(expr), span=span)

    def _literal(self, call: ast.Call, keyword: str) -> Literal:
        kw = next((k for k in call.keywords if k.arg == keyword), None)
        if kw is None:
            return Literal()
        if isinstance(kw.value, ast.Constant):
            return Literal(True, True, kw.value.value, self.span(kw.value))
        return Literal(True, False, None, self.span(kw.value))

    def _dependencies(self, node: ast.AST) -> None:
        for decorator in node.decorator_list:
            if not (isinstance(decorator, ast.Call) and callee_name(decorator.func) == "remote"):
                continue
            kw = next((k for k in decorator.keywords if k.arg == "dependencies"), None)
            if kw is None:
                continue
            is_list = isinstance(kw.value, ast.List)
            items = (
                tuple((e.value, self.span(e)) for e in kw.value.elts if isinstance(e, ast.Constant)) if is_list else ()
            )
            dropped = tuple(self.span(e) for e in kw.value.elts if not isinstance(e, ast.Constant)) if is_list else ()
            self.s.dependencies.append(
                DependencyDecl(
                    function=node.name,
                    is_async=isinstance(node, ast.AsyncFunctionDef),
                    is_list_literal=is_list,
                    items=items,
                    non_constant=dropped,
                    span=self.span(kw.value),
                )
            )

    def _aliases(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if not alias.asname or alias.asname == alias.name:
                continue
            if alias.name == "remote":
                self.s.uses_remote_alias.append((alias.asname, self.span(alias)))
            elif alias.name in self.classes:
                self.s.class_aliases.append((alias.asname, alias.name, self.span(alias)))


def _find_remote_decorator(decorators: list[ast.expr]) -> ast.expr | None:
    """The scanner's rule: the first `@remote`, `@remote(...)` or `@<anything>.remote(...)`."""
    for decorator in decorators:
        if isinstance(decorator, ast.Name) and decorator.id == "remote":
            return decorator
        if isinstance(decorator, ast.Call) and callee_name(decorator.func) == "remote":
            return decorator
    return None


def _routing_error(method: Literal) -> str | None:
    """The exception `_extract_http_routing` raises for this method (it drops the file)."""
    if not method.is_constant or method.value is None:
        return None
    value = method.value
    if not isinstance(value, str):
        return f"'{type(value).__name__}' object has no attribute 'upper'"
    if value.upper() not in HTTP_METHODS:
        return f"Invalid HTTP method '{value}'. Must be one of: GET, POST, PUT, DELETE, PATCH"
    return None


def _mothership_decl(node: ast.Assign, span) -> MothershipDecl:
    """`detect_explicit_mothership`: the first `mothership = <call>(...)`, literal keywords only."""
    call = node.value
    kwargs = {}
    for kw in call.keywords:
        if kw.arg:
            try:
                value = ast.literal_eval(kw.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if not too_big(value):  # like a non-literal: the integer could not even be printed
                kwargs[kw.arg] = value
    return MothershipDecl(callee_name(call.func) or "CpuLiveLoadBalancer", kwargs, span(node))
