"""Static simulation of importing one module, as `ManifestBuilder` does for deployment fields.

The 0.22–0.24 builder *executes* the file that defines a resource config (without the project root
on `sys.path`) and reads the config object from it; any exception silently drops the deployment
fields. We never execute user code: this module walks the top-level statements in order, tracks
what each name is bound to, and predicts the first exception (a missing module, a relative import,
a `NameError`, a `remote()` or resource validation error) together with the values of resource
configs built from literals. Anything it cannot know is `UNKNOWN`, never a guess.
"""

from __future__ import annotations

import ast
import builtins
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import flash_api
from .limits import MAX_DEPTH, MAX_INT_BITS, MAX_ITEMS, MAX_STEPS, MAX_STR_CHARS, too_big
from .model import Span
from .profiles import HTTP_METHODS, LIVE_CLASSES, RESOURCE_CLASSES, RUNTIME_LB_CLASSES

STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}
_BUILTINS = frozenset(dir(builtins)) | {
    "__name__",
    "__file__",
    "__doc__",
    "__spec__",
    "__loader__",
    "__package__",
    "__builtins__",
}
_CATCH_ALL = {"Exception", "BaseException"}


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Ref:
    """A name bound to something of Flash's public API (module, class, enum, function)."""

    kind: str  # "module" | "resource_class" | "template_class" | "enum" | "remote"
    name: str


@dataclass(frozen=True)
class EnumMember:
    enum: str
    member: str

    @property
    def value(self) -> str:
        return flash_api.ENUMS[self.enum][self.member]


@dataclass
class TemplateValue:
    kwargs: dict


@dataclass
class ResourceValue:
    type_name: str
    kwargs: dict
    span: Span


@dataclass(frozen=True)
class Failure:
    """The exception importing the module would raise first."""

    kind: str  # "import" | "relative_import" | "name" | "remote" | "validation" | "raise" | "call" | "exit"
    message: str
    span: Span


@dataclass
class ExecResult:
    failure: Failure | None
    bindings: dict[str, Any] = field(default_factory=dict)
    unknowns: list[tuple[str, Span]] = field(default_factory=list)  # what made values UNKNOWN
    bounds: list[tuple[str, Span]] = field(default_factory=list)  # analysis bounds exceeded (see limits)


class _Raised(Exception):
    def __init__(self, failure: Failure):
        self.failure = failure


class _OutOfSteps(Exception):
    """The module needs more evaluation steps than `MAX_STEPS`."""


def execution_key(tree: ast.Module, lines: list[str]) -> int:
    """A key that changes exactly when importing the module can behave differently: the text
    without the bodies of functions defined at import time (they do not run on import), with the
    number of lines each body had, so that reported positions stay right."""
    bodies: list[tuple[int, int]] = []  # 1-based inclusive line ranges, in source order

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.body[0].lineno
                if first > node.lineno:  # not a one-line def
                    bodies.append((first, node.end_lineno or first))
            elif isinstance(node, ast.ClassDef):
                visit(node.body)  # a class body runs on import; its methods' bodies do not
            else:
                for block in ("body", "orelse", "finalbody"):
                    children = getattr(node, block, None)
                    if isinstance(children, list):
                        visit(children)
                for handler in getattr(node, "handlers", ()):
                    visit(handler.body)

    visit(tree.body)
    pieces: list = []
    kept = 1
    for first, last in bodies:
        pieces.append("\n".join(lines[kept - 1 : first - 1]))
        pieces.append(last - first + 1)
        kept = last + 1
    pieces.append("\n".join(lines[kept - 1 :]))
    return hash(tuple(pieces))


def simulate(tree: ast.Module, lines: list[str], importable: Callable[[str], bool], package: str) -> ExecResult:
    """Predict the outcome of executing `tree` as a fresh module named after the file stem."""
    sim = _Simulator(lines, importable, package)
    failure = None
    try:
        sim.block(tree.body, sim.globals)
    except _Raised as raised:
        failure = raised.failure
    except (_OutOfSteps, RecursionError) as stopped:
        bound = (
            f"{MAX_STEPS:,} evaluation steps per module"
            if isinstance(stopped, _OutOfSteps)
            else "the interpreter's recursion limit"
        )
        sim.bounds.append((bound, sim.span(sim.position) if sim.position is not None else Span(0, 0, 0, 0)))
        for name in _bound_names(tree.body):  # whatever the rest of the module binds is unknown
            sim.globals.setdefault(name, UNKNOWN)
    return ExecResult(failure, sim.globals, sim.unknowns, sim.bounds)


class _Simulator:
    def __init__(self, lines: list[str], importable: Callable[[str], bool], package: str):
        self.lines = lines
        self.importable = importable
        self.package = package
        self.globals: dict[str, Any] = {}
        self.unknowns: list[tuple[str, Span]] = []
        self.bounds: list[tuple[str, Span]] = []
        self.future_annotations = False
        self.steps = 0
        self.depth = 0
        self.position: ast.stmt | None = None  # the statement being simulated

    def exceeded(self, bound: str, node: ast.AST) -> Any:
        """Record that `bound` made the value of `node` unknown."""
        self.bounds.append((bound, self.span(node)))
        return UNKNOWN

    def span(self, node: ast.AST) -> Span:
        return Span.of(node, self.lines)

    def fail(self, kind: str, message: str, node: ast.AST) -> None:
        raise _Raised(Failure(kind, message, self.span(node)))

    # -- statements -------------------------------------------------------------------------
    def block(self, body: list[ast.stmt], scope: dict) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node: ast.stmt, scope: dict) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _OutOfSteps
        self.position = node
        handler = getattr(self, f"_{type(node).__name__}", None)
        if handler is not None:
            handler(node, scope)

    def _Import(self, node: ast.Import, scope: dict) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            self.check_module(alias.name, node)
            if alias.asname:
                scope[alias.asname] = self.module_ref(alias.name)
            else:
                scope[top] = self.module_ref(top)

    def _ImportFrom(self, node: ast.ImportFrom, scope: dict) -> None:
        if node.level:
            self.fail("relative_import", "attempted relative import with no known parent package", node)
        module = node.module or ""
        if module == "__future__" and any(a.name == "annotations" for a in node.names):
            self.future_annotations = True
        self.check_module(module, node)
        ours = module.split(".")[0] == self.package
        for alias in node.names:
            if alias.name == "*":
                if ours:
                    for name in flash_api.PACKAGE_EXPORTS:
                        scope[name] = _api_ref(name)
                continue
            if ours:
                scope[alias.asname or alias.name] = _api_ref(alias.name)
            else:
                scope[alias.asname or alias.name] = _EXITS.get(f"{module}.{alias.name}", UNKNOWN)

    def check_module(self, dotted: str, node: ast.AST) -> None:
        top = dotted.split(".")[0]
        if top == self.package or top in STDLIB or self.importable(top):
            return
        self.fail("import", f"No module named '{top}'", node)

    def module_ref(self, dotted: str) -> Any:
        top = dotted.split(".")[0]
        if top == self.package:
            return Ref("module", dotted)
        return Ref("stdlib", dotted) if top in _EXIT_MODULES else UNKNOWN

    def _Assign(self, node: ast.Assign, scope: dict) -> None:
        value = self.expr(node.value, scope)
        for target in node.targets:
            self.bind(target, value, scope)

    def _AnnAssign(self, node: ast.AnnAssign, scope: dict) -> None:
        if not self.future_annotations:
            self.expr(node.annotation, scope)
        if node.value is not None:
            self.bind(node.target, self.expr(node.value, scope), scope)

    def _AugAssign(self, node: ast.AugAssign, scope: dict) -> None:
        self.expr(node.target if not isinstance(node.target, ast.Name) else _load(node.target), scope)
        self.expr(node.value, scope)
        self.bind(node.target, UNKNOWN, scope)

    def _Expr(self, node: ast.Expr, scope: dict) -> None:
        self.expr(node.value, scope)

    def _Raise(self, node: ast.Raise, scope: dict) -> None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(exc, ast.Name) and exc.id in ("SystemExit", "KeyboardInterrupt"):
            self.fail("exit", _exit_message(node.exc), node)
        self.fail("raise", "the module raises at import time", node)

    def _Delete(self, node: ast.Delete, scope: dict) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                scope.pop(target.id, None)

    def _FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: dict) -> None:
        self.signature(node, scope)
        for decorator in reversed(node.decorator_list):
            self.decorator(decorator, scope)
        scope[node.name] = UNKNOWN

    _AsyncFunctionDef = _FunctionDef

    def signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: dict) -> None:
        """Defaults and (unless postponed) annotations are evaluated when the def runs."""
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.expr(default, scope)
        if not self.future_annotations:
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None and arg.annotation is not None:
                    self.expr(arg.annotation, scope)
            if node.returns is not None:
                self.expr(node.returns, scope)

    def _ClassDef(self, node: ast.ClassDef, scope: dict) -> None:
        for base in node.bases:
            self.expr(base, scope)
        for kw in node.keywords:
            self.expr(kw.value, scope)
        class_scope = _Layered(scope)
        self.block(node.body, class_scope)
        for decorator in reversed(node.decorator_list):
            self.decorator(decorator, scope)
        scope[node.name] = UNKNOWN

    def _If(self, node: ast.If, scope: dict) -> None:
        test = node.test
        main = _main_guard(test)
        if _is_type_checking(test) or main is True:
            self.block(node.orelse, scope)
            return
        if main is False:  # `if __name__ != "__main__":` always runs: the module is named after the file
            self.block(node.body, scope)
            return
        self.expr(test, scope)
        self.block(node.body, scope)
        for name in _bound_names(node.orelse):
            scope.setdefault(name, UNKNOWN)

    def _Try(self, node: ast.Try, scope: dict) -> None:
        depth = self.depth
        try:
            self.block(node.body, scope)
        except _Raised as raised:
            self.depth = depth
            handler = next((h for h in node.handlers if self.catches(h, raised.failure)), None)
            if handler is None:
                raise
            if handler.name:
                scope[handler.name] = UNKNOWN
            self.block(handler.body, scope)
        else:
            self.block(node.orelse, scope)
        self.block(node.finalbody, scope)

    _TryStar = _Try

    def catches(self, handler: ast.ExceptHandler, failure: Failure) -> bool:
        return _catches(handler, failure)

    def _With(self, node: ast.With, scope: dict) -> None:
        for item in node.items:
            self.expr(item.context_expr, scope)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, UNKNOWN, scope)
        self.block(node.body, scope)

    _AsyncWith = _With

    def _For(self, node: ast.For, scope: dict) -> None:
        self.expr(node.iter, scope)
        self.bind(node.target, UNKNOWN, scope)
        self.block(node.body, scope)
        self.block(node.orelse, scope)

    _AsyncFor = _For

    def _While(self, node: ast.While, scope: dict) -> None:
        self.expr(node.test, scope)
        self.block(node.body, scope)

    def _Match(self, node: ast.Match, scope: dict) -> None:
        self.expr(node.subject, scope)
        for case in node.cases:
            for name in _bound_names(case.body):
                scope.setdefault(name, UNKNOWN)

    def bind(self, target: ast.expr, value: Any, scope: dict) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, UNKNOWN, scope)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            self.expr(target.value, scope)

    # -- decorators ---------------------------------------------------------------------------
    def decorator(self, node: ast.expr, scope: dict) -> None:
        if isinstance(node, ast.Call) and self.expr(node.func, scope) == Ref("remote", "remote"):
            self.remote_call(node, scope)
        else:
            self.expr(node, scope)

    def remote_call(self, node: ast.Call, scope: dict) -> None:
        """`remote(config, method=..., path=...)` validates LB routing when the decorator is built."""
        args = [self.expr(a, scope) for a in node.args]
        kwargs = {kw.arg: self.expr(kw.value, scope) for kw in node.keywords if kw.arg}
        if not args and "resource_config" not in kwargs and not any(k.arg is None for k in node.keywords):
            self.fail("call", "remote() missing 1 required positional argument: 'resource_config'", node)
        config = kwargs.get("resource_config", args[0] if args else None)
        if not isinstance(config, ResourceValue) or config.type_name not in RUNTIME_LB_CLASSES:
            return
        method, path = kwargs.get("method"), kwargs.get("path")
        if method is UNKNOWN or path is UNKNOWN:
            return
        if not method or not path:
            self.fail(
                "remote",
                f"LoadBalancerSlsResource requires both 'method' and 'path' parameters. Got method={method}, path={path}.",
                node,
            )
        if isinstance(path, str) and not path.startswith("/"):
            self.fail("remote", f"path must start with '/'. Got: {path}", node)
        if method not in HTTP_METHODS:
            self.fail("remote", f"method must be one of {{{', '.join(HTTP_METHODS)}}}. Got: {method}", node)

    # -- expressions --------------------------------------------------------------------------
    def expr(self, node: ast.expr, scope: dict) -> Any:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _OutOfSteps
        if self.depth >= MAX_DEPTH:
            return self.exceeded(f"expressions nested at most {MAX_DEPTH} levels deep", node)
        self.depth += 1  # not restored when a failure propagates: `_Try` restores it
        value = self._expr(node, scope)
        self.depth -= 1
        return value

    def _expr(self, node: ast.expr, scope: dict) -> Any:
        if isinstance(node, ast.Constant):
            value = node.value  # only a hex, octal or binary literal can be an integer too large to print
            return (
                self.exceeded(too_big(value), node)
                if type(value) is int and value.bit_length() > MAX_INT_BITS
                else value
            )
        if isinstance(node, ast.Name):
            if node.id in scope:
                return scope[node.id]
            if node.id in _BUILTINS:
                return _EXITS.get(node.id, UNKNOWN)
            self.fail("name", f"name '{node.id}' is not defined", node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node, scope)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            if len(node.elts) > MAX_ITEMS:
                return self.exceeded(f"literals of at most {MAX_ITEMS:,} elements", node)
            values = [self.expr(e.value if isinstance(e, ast.Starred) else e, scope) for e in node.elts]
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return UNKNOWN
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if isinstance(node, ast.Dict):
            if len(node.keys) > MAX_ITEMS:
                return self.exceeded(f"literals of at most {MAX_ITEMS:,} elements", node)
            keys = [self.expr(k, scope) if k is not None else UNKNOWN for k in node.keys]
            values = [self.expr(v, scope) for v in node.values]
            if any(k is UNKNOWN or isinstance(k, (list, dict)) for k in keys):
                return UNKNOWN
            try:
                return dict(zip(keys, values, strict=False))
            except TypeError as exc:  # a tuple key holding a list: importing the module raises the same
                self.fail("call", str(exc), node)
        if isinstance(node, ast.UnaryOp):
            return self.fold(node, _UNARY.get(type(node.op)), self.expr(node.operand, scope))
        if isinstance(node, ast.BinOp):
            return self.fold(
                node, _BINARY.get(type(node.op)), self.expr(node.left, scope), self.expr(node.right, scope)
            )
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value, scope)
            scope[node.target.id] = value
            return value
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return UNKNOWN
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, scope)
        return UNKNOWN

    def attribute(self, node: ast.Attribute, scope: dict) -> Any:
        base = self.expr(node.value, scope)
        if isinstance(base, Ref) and base.kind == "module":
            return (
                _api_ref(node.attr)
                if node.attr in flash_api.PACKAGE_EXPORTS
                else Ref("module", f"{base.name}.{node.attr}")
            )
        if isinstance(base, Ref) and base.kind == "enum":
            if node.attr not in flash_api.ENUMS[base.name]:
                self.fail("validation", f"{node.attr}", node)
            return EnumMember(base.name, node.attr)
        if isinstance(base, EnumMember) and node.attr == "value":
            return base.value
        if isinstance(base, Ref) and base.kind == "stdlib":
            return _EXITS.get(f"{base.name}.{node.attr}", UNKNOWN)
        return UNKNOWN

    def call(self, node: ast.Call, scope: dict) -> Any:
        func = self.expr(node.func, scope)
        args, kwargs, opaque = self.arguments(node, scope)
        if not isinstance(func, Ref):
            return UNKNOWN
        if func.kind == "exit":
            self.fail("exit", _exit_message(node), node)
        if func.kind == "resource_class":
            if args:
                self.fail("validation", "BaseModel.__init__() takes 1 positional argument but 2 were given", node)
            if opaque:
                self.unknowns.append(("keyword arguments that cannot be read statically", self.span(node)))
                return UNKNOWN
            error = validate_resource(func.name, kwargs)
            if error:
                self.fail("validation", error, node)
            return ResourceValue(func.name, kwargs, self.span(node))
        if func.kind == "template_class":
            if opaque or args:
                return UNKNOWN
            error = template_error("PodTemplate", kwargs)
            if error:
                self.fail("validation", error, node)
            return TemplateValue(kwargs)
        if func.kind == "enum" and len(args) == 1 and not kwargs:
            member = next((m for m, v in flash_api.ENUMS[func.name].items() if v == args[0]), None)
            if member is None and args[0] is not UNKNOWN:
                self.fail("validation", f"{args[0]!r} is not a valid {func.name}", node)
            return EnumMember(func.name, member) if member else UNKNOWN
        return UNKNOWN

    def fold(self, node: ast.expr, op, *values) -> Any:
        """`op(*values)` for constants, UNKNOWN otherwise or when it would exceed a bound."""
        if op is None or not all(isinstance(v, _SCALARS) for v in values):
            return UNKNOWN
        if op is operator.mod and isinstance(values[0], str):
            return UNKNOWN  # %-formatting: the widths it accepts make any size of string
        bound = _fold_bound(op, values)
        if bound is None:
            try:
                result = op(*values)
            except Exception:  # noqa: BLE001 - a constant expression that raises is just unknown here
                return UNKNOWN
            bound = too_big(result)
            if bound is None:
                return result
        return self.exceeded(bound, node)

    def arguments(self, node: ast.Call, scope: dict) -> tuple[list, dict[str, Any], bool]:
        """Positional values, keyword values (`**` of a known dict merged) and whether some
        argument cannot be read (a `*` or an unknown `**`)."""
        args = [self.expr(a.value if isinstance(a, ast.Starred) else a, scope) for a in node.args]
        kwargs: dict[str, Any] = {}
        opaque = any(isinstance(a, ast.Starred) for a in node.args)
        for kw in node.keywords:
            value = self.expr(kw.value, scope)
            if kw.arg is None:
                opaque = True
                if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                    kwargs.update(value)
                    opaque = False
            else:
                kwargs[kw.arg] = value
        return args, kwargs, opaque


class _Layered(dict):
    """A class body's namespace: its own names first, then the module's."""

    def __init__(self, parent: dict):
        super().__init__()
        self.parent = parent

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self.parent

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key) if super().__contains__(key) else self.parent[key]


def _api_ref(name: str) -> Any:
    if name == "remote":
        return Ref("remote", "remote")
    if name in RESOURCE_CLASSES:
        return Ref("resource_class", name)
    if name == "PodTemplate":
        return Ref("template_class", name)
    if name in flash_api.ENUMS:
        return Ref("enum", name)
    return UNKNOWN


def _load(name: ast.Name) -> ast.Name:
    return ast.copy_location(ast.Name(id=name.id, ctx=ast.Load()), name)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _main_guard(test: ast.expr) -> bool | None:
    """True for `__name__ == "__main__"`, False for `!=`, None for anything else."""
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
        and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
    ):
        return isinstance(test.ops[0], ast.Eq)
    return None


_EXIT_MODULES = frozenset({"sys", "os"})
_EXITS = {name: Ref("exit", name) for name in ("exit", "quit", "sys.exit", "os._exit", "os.abort")}


def _exit_message(node: ast.expr | None) -> str:
    """What the build process prints when this exit ends it (the SystemExit argument)."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        return value if isinstance(value, str) else f"exit code {value}"
    return "the module exits the interpreter"


_EXCEPTION_OF_KIND = {
    "import": {"ImportError", "ModuleNotFoundError"},
    "relative_import": {"ImportError"},
    "name": {"NameError"},
    "call": {"TypeError"},
    "exit": {"SystemExit", "KeyboardInterrupt"},
    "remote": {"ValueError"},
    "validation": {"ValueError", "ValidationError", "TypeError", "AttributeError"},
}


def handler_names(handler: ast.ExceptHandler) -> set[str]:
    """The exception class names an `except` clause lists (by their last dotted part)."""
    return {
        n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
        for n in (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
    }


def _catches(handler: ast.ExceptHandler, failure: Failure) -> bool:
    if handler.type is None:
        return True
    names = handler_names(handler)
    catch_all = {"BaseException"} if failure.kind == "exit" else _CATCH_ALL
    return bool(names & (catch_all | _EXCEPTION_OF_KIND.get(failure.kind, set())))


def _bound_names(body: list[ast.stmt]) -> set[str]:
    names = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
    return names


_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Div: operator.truediv,
}
_SCALARS = (int, float, str, bool)


def _fold_bound(op, values: tuple) -> str | None:
    """The bound computing `op(*values)` would exceed, checked before computing it."""
    if op is operator.mul and len(values) == 2:
        a, b = values
        if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS:
            return f"integers of at most {MAX_INT_BITS:,} bits"
        text, times = (a, b) if isinstance(a, str) else (b, a)
        if isinstance(text, str) and isinstance(times, int) and len(text) * max(times, 0) > MAX_STR_CHARS:
            return f"strings of at most {MAX_STR_CHARS:,} characters"
    if op is operator.add and len(values) == 2 and all(isinstance(v, str) for v in values):
        if len(values[0]) + len(values[1]) > MAX_STR_CHARS:
            return f"strings of at most {MAX_STR_CHARS:,} characters"
    return None


# -- resource validation (tetra-rp 0.24's pydantic models; docs/tetra-build.md, "Resource classes") --


def validate_resource(type_name: str, kwargs: dict) -> str | None:
    """The validation error constructing `type_name(**kwargs)` raises, or None."""
    name = kwargs.get("name", _MISSING)
    if name is _MISSING:
        return f"1 validation error for {type_name}\nname\n  Field required"
    if name is not UNKNOWN and not isinstance(name, str):
        return f"1 validation error for {type_name}\nname\n  Input should be a valid string"
    for key in ("workersMin", "workersMax", "gpuCount", "idleTimeout", "scalerValue", "executionTimeoutMs"):
        if key in kwargs and not int_like(kwargs[key]):
            return f"1 validation error for {type_name}\n{key}\n  Input should be a valid integer"
    template = kwargs.get("template")
    if isinstance(template, dict):  # pydantic builds the PodTemplate from the mapping
        error = template_error(type_name, template)
        if error:
            return error
    for key, enum in (("gpus", ("GpuGroup", "GpuType")), ("instanceIds", ("CpuInstanceType",))):
        if key in kwargs and coerce_members(kwargs[key], enum) is None:
            return f"1 validation error for {type_name}\n{key}\n  Input should be a valid list of {'/'.join(enum)}"
    if type_name not in LIVE_CLASSES and not any(
        _truthy(kwargs.get(k)) for k in ("imageName", "template", "templateId")
    ):
        return "Either imageName, template, or templateId must be provided"
    fields = resource_state(type_name, kwargs)
    limit = fields.get("_cpu_limit")
    disk = fields.get("_disk")
    if fields.get("_validates_disk") and isinstance(limit, int) and isinstance(disk, int) and disk > limit:
        return (
            f"Container disk size {disk}GB exceeds the maximum allowed for CPU instances. Maximum allowed: {limit}GB."
        )
    return None


_MISSING = object()


def template_error(model: str, kwargs: dict) -> str | None:
    """The validation error of a PodTemplate's integer field (`containerDiskInGb="20GB"`), or None."""
    disk = kwargs.get("containerDiskInGb")
    if disk is not None and not int_like(disk):
        return f"1 validation error for {model}\ncontainerDiskInGb\n  Input should be a valid integer"
    return None


def int_like(value: Any) -> bool:
    if value is UNKNOWN or value is None or isinstance(value, (bool, int)):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        digits = value.strip().lstrip("+-")
        return digits.isdigit() and digits.isascii() and len(digits) <= 4_300
    return False


def _truthy(value: Any) -> bool:
    return value is UNKNOWN or bool(value)


def coerce_members(value: Any, enums: tuple[str, ...]) -> list[EnumMember] | None:
    """A list of enum members (pydantic accepts members or their values); None when invalid."""
    if value is UNKNOWN:
        return []
    if not isinstance(value, (list, tuple)):
        return None if value is not None else []
    members = []
    for item in value:
        if isinstance(item, EnumMember) and item.enum in enums:
            members.append(item)
        elif item is UNKNOWN:
            continue
        else:
            match = next(
                (EnumMember(e, m) for e in enums for m, v in flash_api.ENUMS[e].items() if v == item),
                None,
            )
            if match is None:
                return None
            members.append(match)
    return members


def resource_state(type_name: str, kwargs: dict) -> dict:
    """Derived state the validators compute: CPU instance limit, container disk, sizing rules."""
    cpu_class = type_name.startswith("Cpu")
    lb_class = type_name in RUNTIME_LB_CLASSES
    if "instanceIds" in kwargs:
        instances = coerce_members(kwargs["instanceIds"], ("CpuInstanceType",)) or []
        unknown_instances = kwargs["instanceIds"] is UNKNOWN
    else:
        instances = [EnumMember("CpuInstanceType", flash_api.DEFAULT_CPU_INSTANCE)] if cpu_class else []
        unknown_instances = False
    template = kwargs.get("template")
    has_template = _truthy(template)
    template_kwargs = (
        template.kwargs if isinstance(template, TemplateValue) else template if isinstance(template, dict) else {}
    )
    state: dict[str, Any] = {"_instances": instances, "_unknown_instances": unknown_instances}
    makes_template = has_template or not _truthy(kwargs.get("templateId"))
    if template is UNKNOWN:
        state["_disk"] = UNKNOWN
    elif makes_template:
        disk = template_kwargs.get("containerDiskInGb", flash_api.DEFAULT_CONTAINER_DISK_GB)
        sizes = not lb_class or cpu_class  # GPU LB classes never auto-size
        limit = min(flash_api.cpu_disk_limit(m.member) for m in instances) if instances else None
        if sizes and limit is not None and disk == flash_api.DEFAULT_CONTAINER_DISK_GB:
            disk = limit
        state["_disk"] = UNKNOWN if unknown_instances else disk
        state["_cpu_limit"] = limit
        state["_validates_disk"] = not lb_class
    state["_template"] = makes_template
    state["_template_kwargs"] = template_kwargs
    return state
