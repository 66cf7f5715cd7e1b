"""Expression evaluation for the import simulation (`module_exec`): constants, names, Flash's
API, containers, operators, conditions and the modelled builtins (docs/tetra-build.md,
"Computed configs"). A value that cannot be known is UNKNOWN; an expression that certainly
raises on import raises `_Raised` with the failure the build would see."""

from __future__ import annotations

import ast
import builtins
import operator
from collections.abc import Callable, Mapping
from typing import Any

from . import flash_api
from .limits import MAX_DEPTH, MAX_INT_BITS, MAX_ITEMS, MAX_STEPS, too_big
from .model import Span
from .profiles import RESOURCE_CLASSES
from .resource_validation import template_error, validate_resource
from .sim_builtins import (
    BUILTIN_VALUES,
    STDLIB_VALUES,
    BuiltinError,
    call_builtin,
    dict_method,
    env_get,
    env_item,
    path_call,
)
from .sim_operators import BINARY, COMPARE, SCALARS, UNARY, container_op, fold_bound
from .sim_values import (
    UNKNOWN,
    DictMethod,
    EnumMember,
    Failure,
    ProjectModule,
    Ref,
    ResourceValue,
    TemplateValue,
    _OutOfSteps,
    _Raised,
    holds,
    same,
    truth,
)

BUILTIN_NAMES = frozenset(dir(builtins)) | {
    "__name__",
    "__file__",
    "__doc__",
    "__spec__",
    "__loader__",
    "__package__",
    "__builtins__",
}
_MUTATING_METHODS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove", "sort", "reverse"}
)


_HANDLERS: dict[tuple[type, type, str], Any] = {}


def handler_of(simulator: type, node: type, prefix: str) -> Callable | None:
    """The method of a simulator class named `prefix` + the AST node class's name (None: there is
    none), looked up once per pair: the simulation visits every module-level node."""
    key = (simulator, node, prefix)
    if key not in _HANDLERS:
        _HANDLERS[key] = getattr(simulator, f"{prefix}{node.__name__}", None)
    return _HANDLERS[key]


class ExpressionEvaluator:
    """Evaluates expressions in a scope; the statement simulator builds on it."""

    lines: list[str]
    package: str
    env: Mapping[str, str] | None
    globals: dict[str, Any]
    unknowns: list[tuple[str, Span]]
    bounds: list[tuple[str, Span]]
    steps: int
    depth: int
    defined: dict[str, ast.AST]  # module-level functions and classes (a call may change module state)
    uncertain: int  # > 0 while evaluating code that may not run

    def exceeded(self, bound: str, node: ast.AST) -> Any:
        """Record that `bound` made the value of `node` unknown."""
        self.bounds.append((bound, self.span(node)))
        return UNKNOWN

    def span(self, node: ast.AST) -> Span:
        return Span.of(node, self.lines)

    def fail(self, kind: str, message: str, node: ast.AST) -> None:
        raise _Raised(Failure(kind, message, self.span(node)))

    def tentative(self, run: Callable[[], Any]) -> tuple[bool, Any]:
        """(completed, value) of code that may not run at all: its exception is not predicted."""
        depth = self.depth
        self.uncertain += 1
        try:
            return True, run()
        except _Raised as raised:
            self.depth = depth
            self.unknowns.append((f"code that may run raises ({raised.failure.message})", raised.failure.span))
            return False, UNKNOWN
        finally:
            self.uncertain -= 1

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
        handler = handler_of(type(self), type(node), "_e_")
        if handler is not None:
            return handler(self, node, scope)
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return UNKNOWN
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, scope)
        return UNKNOWN

    def _e_Constant(self, node: ast.Constant, scope: dict) -> Any:
        value = node.value  # only a hex, octal or binary literal can be an integer too large to print
        if type(value) is int and value.bit_length() > MAX_INT_BITS:
            return self.exceeded(too_big(value), node)
        return value

    def _e_Name(self, node: ast.Name, scope: dict) -> Any:
        if node.id in scope:
            return scope[node.id]
        if node.id in BUILTIN_NAMES:
            return BUILTIN_VALUES.get(node.id, UNKNOWN)
        self.fail("name", f"name '{node.id}' is not defined", node)

    def _e_Attribute(self, node: ast.Attribute, scope: dict) -> Any:
        return self.attribute(node, scope)

    def _e_Call(self, node: ast.Call, scope: dict) -> Any:
        return self.call(node, scope)

    def _e_List(self, node: ast.List | ast.Tuple | ast.Set, scope: dict) -> Any:
        if len(node.elts) > MAX_ITEMS:
            return self.exceeded(f"literals of at most {MAX_ITEMS:,} elements", node)
        values = [self.expr(e.value if isinstance(e, ast.Starred) else e, scope) for e in node.elts]
        if any(isinstance(e, ast.Starred) for e in node.elts) or (isinstance(node, ast.Set) and len(values) > 1):
            return UNKNOWN  # (a set's order is the hash order)
        return tuple(values) if isinstance(node, ast.Tuple) else values

    _e_Tuple = _e_Set = _e_List

    def _e_Dict(self, node: ast.Dict, scope: dict) -> Any:
        if len(node.keys) > MAX_ITEMS:
            return self.exceeded(f"literals of at most {MAX_ITEMS:,} elements", node)
        result: dict = {}
        known = True
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            key = self.expr(key_node, scope) if key_node is not None else None
            value = self.expr(value_node, scope)
            if key_node is None:  # `**mapping`
                known = known and isinstance(value, dict)
                if known:
                    result.update(value)
            elif key is UNKNOWN or isinstance(key, (list, dict)):
                known = False
            elif known:
                try:
                    result[key] = value
                except TypeError as exc:  # a tuple key holding a list: importing the module raises the same
                    self.fail("call", str(exc), node)
        if not known:
            return UNKNOWN
        return (
            result if len(result) <= MAX_ITEMS else self.exceeded(f"literals of at most {MAX_ITEMS:,} elements", node)
        )

    def _e_UnaryOp(self, node: ast.UnaryOp, scope: dict) -> Any:
        operand = self.expr(node.operand, scope)
        if isinstance(node.op, ast.Not):
            known = truth(operand)
            return UNKNOWN if known is None else not known
        return self.fold(node, UNARY.get(type(node.op)), operand)

    def _e_BinOp(self, node: ast.BinOp, scope: dict) -> Any:
        return self.fold(node, BINARY.get(type(node.op)), self.expr(node.left, scope), self.expr(node.right, scope))

    def _e_NamedExpr(self, node: ast.NamedExpr, scope: dict) -> Any:
        value = self.expr(node.value, scope)
        scope[node.target.id] = value
        return value

    def _e_IfExp(self, node: ast.IfExp, scope: dict) -> Any:
        """Only the branch the condition picks runs; an undecided condition gives the common
        value of both branches, else UNKNOWN."""
        chosen = truth(self.expr(node.test, scope))
        if chosen is not None:
            return self.expr(node.body if chosen else node.orelse, scope)
        done_a, a = self.tentative(lambda: self.expr(node.body, scope))
        done_b, b = self.tentative(lambda: self.expr(node.orelse, scope))
        return a if done_a and done_b and same(a, b) else UNKNOWN

    def _e_BoolOp(self, node: ast.BoolOp, scope: dict) -> Any:
        """`and`/`or` with short-circuiting: operands after an undecided one may not run."""
        stop_on = isinstance(node.op, ast.Or)
        value: Any = UNKNOWN
        for index, operand in enumerate(node.values):
            value = self.expr(operand, scope)
            decided = truth(value)
            if decided is None:
                for rest in node.values[index + 1 :]:
                    self.tentative(lambda rest=rest: self.expr(rest, scope))
                return UNKNOWN
            if decided is stop_on:
                return value
        return value

    def _e_Compare(self, node: ast.Compare, scope: dict) -> Any:
        left = self.expr(node.left, scope)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.expr(right_node, scope)
            outcome = self.compare(op, left, right)
            if outcome is False:
                return False  # later comparisons do not run
            if outcome is UNKNOWN:
                result = UNKNOWN
            left = right
        return result

    def compare(self, op: ast.cmpop, left: Any, right: Any) -> Any:
        if isinstance(op, (ast.In, ast.NotIn)) and right == Ref("environ", "os.environ"):
            if self.env is None or not isinstance(left, str):
                return UNKNOWN
            return (left in self.env) is isinstance(op, ast.In)
        if isinstance(op, (ast.Is, ast.IsNot)):
            if not any(v is None or isinstance(v, bool) for v in (left, right)) or UNKNOWN in (left, right):
                return UNKNOWN
            return (left is right) is isinstance(op, ast.Is)
        if not (same(left, left) and same(right, right)):  # both fully known plain values
            return UNKNOWN
        try:
            return bool(COMPARE[type(op)](left, right))
        except TypeError:
            return UNKNOWN

    def _e_Subscript(self, node: ast.Subscript, scope: dict) -> Any:
        base = self.expr(node.value, scope)
        key = self.expr(node.slice, scope)
        if base == Ref("environ", "os.environ"):
            return self.builtin(lambda: env_item(self.env, key), node)
        if isinstance(base, dict) and same(key, key) and not isinstance(key, (list, dict)):
            if key not in base:
                self.fail("key", f"KeyError: {key!r}", node)
            return base[key]
        if isinstance(base, (list, tuple)) and type(key) is int and -len(base) <= key < len(base):
            return base[key]
        return UNKNOWN

    def builtin(self, run: Callable[[], Any], node: ast.AST) -> Any:
        try:
            return run()
        except BuiltinError as error:
            self.fail(error.kind, str(error), node)

    def attribute(self, node: ast.Attribute, scope: dict) -> Any:
        base = self.expr(node.value, scope)
        if isinstance(base, Ref) and base.kind == "module":
            return (
                api_ref(node.attr)
                if node.attr in flash_api.PACKAGE_EXPORTS
                else Ref("module", f"{base.name}.{node.attr}")
            )
        if isinstance(base, Ref) and base.kind == "enum":
            if node.attr not in flash_api.ENUMS[base.name]:
                self.fail("validation", f"{node.attr}", node)
            return EnumMember(base.name, node.attr)
        if isinstance(base, EnumMember) and node.attr == "value":
            return base.value
        if isinstance(base, Ref) and base.kind in ("stdlib", "environ", "sys_path"):
            if base.kind == "environ" and node.attr == "get":
                return Ref("env_get", "os.environ.get")
            return STDLIB_VALUES.get(f"{base.name}.{node.attr}", UNKNOWN)
        if isinstance(base, ProjectModule):
            if node.attr not in base.bindings:
                self.fail("validation", f"module '{base.name}' has no attribute '{node.attr}'", node)
            return base.bindings[node.attr]
        if isinstance(base, dict) and node.attr in ("get", "copy"):
            return DictMethod(node.attr, base)
        return UNKNOWN

    def call(self, node: ast.Call, scope: dict) -> Any:
        func = self.expr(node.func, scope)
        args, kwargs, opaque = self.arguments(node, scope)
        if isinstance(func, DictMethod):
            return UNKNOWN if opaque else dict_method(func, args, kwargs)
        if not isinstance(func, Ref):
            self.may_mutate(node, args, kwargs, scope)
            return UNKNOWN
        kind = func.kind
        if kind == "exit":
            self.fail("exit", exit_message(node), node)
        if kind == "resource_class":
            if args:
                self.fail("validation", "BaseModel.__init__() takes 1 positional argument but 2 were given", node)
            if opaque:
                self.unknowns.append(("keyword arguments that cannot be read statically", self.span(node)))
                return UNKNOWN
            error = validate_resource(func.name, kwargs)
            if error:
                self.fail("validation", error, node)
            return ResourceValue(func.name, kwargs, self.span(node))
        if kind == "template_class":
            if opaque or args:
                return UNKNOWN
            error = template_error("PodTemplate", kwargs)
            if error:
                self.fail("validation", error, node)
            return TemplateValue(kwargs)
        if kind == "enum" and len(args) == 1 and not kwargs:
            member = next((m for m, v in flash_api.ENUMS[func.name].items() if v == args[0]), None)
            if member is None and args[0] is not UNKNOWN:
                self.fail("validation", f"{args[0]!r} is not a valid {func.name}", node)
            return EnumMember(func.name, member) if member else UNKNOWN
        if opaque:
            return UNKNOWN
        if kind == "builtin":
            return self.builtin(lambda: call_builtin(func.name, args, kwargs), node)
        if kind == "env_get":
            return env_get(self.env, args, kwargs)
        if kind == "path_fn" and not kwargs:
            return path_call(func.name, args)
        if kind == "sys_path_add":
            self.add_path(func.name, args, node)
            return None
        return UNKNOWN

    def add_path(self, how: str, args: list, node: ast.AST) -> None:
        """`sys.path.insert/append`: the statement simulator records it for the build process."""

    def may_mutate(self, node: ast.Call, args: list, kwargs: dict, scope: dict) -> None:
        """A call we do not model may change the containers it is given (or a method's own object,
        or with a module-level function, any module global): they become UNKNOWN."""
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.defined:
            rebound = {n for g in ast.walk(self.defined[func.id]) if isinstance(g, ast.Global) for n in g.names}
            for name in rebound:
                self.globals[name] = UNKNOWN
            self.forget(lambda value: isinstance(value, (list, dict, ResourceValue, TemplateValue)), scope)
            return
        targets = [*args, *kwargs.values()]
        if isinstance(func, ast.Attribute) and func.attr in _MUTATING_METHODS:
            targets.append(self.expr(func.value, scope))
        for target in targets:
            if isinstance(target, (list, dict)):
                self.forget(lambda value, target=target: holds(value, target), scope)

    def forget(self, changed: Callable[[Any], bool], scope: dict) -> None:
        for names in {id(scope): scope, id(self.globals): self.globals}.values():
            for name, value in list(names.items()):
                if changed(value):
                    names[name] = UNKNOWN

    def fold(self, node: ast.expr, op, *values) -> Any:
        """`op(*values)` for constants (and list/tuple concatenation, dict `|`), UNKNOWN otherwise
        or when it would exceed a bound."""
        if op is None or not all(same(v, v) for v in values):
            return UNKNOWN
        if not all(isinstance(v, SCALARS) for v in values) and not container_op(op, values):
            return UNKNOWN
        if op is operator.mod and isinstance(values[0], str):
            return UNKNOWN  # %-formatting: the widths it accepts make any size of string
        bound = fold_bound(op, values)
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
                if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                    kwargs.update(value)
                else:
                    opaque = True
            else:
                kwargs[kw.arg] = value
        return args, kwargs, opaque


def api_ref(name: str) -> Any:
    if name == "remote":
        return Ref("remote", "remote")
    if name in RESOURCE_CLASSES:
        return Ref("resource_class", name)
    if name == "PodTemplate":
        return Ref("template_class", name)
    if name in flash_api.ENUMS:
        return Ref("enum", name)
    return UNKNOWN


def exit_message(node: ast.expr | None) -> str:
    """What the build process prints when this exit ends it (the SystemExit argument)."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        value = node.args[0].value
        return value if isinstance(value, str) else f"exit code {value}"
    return "the module exits the interpreter"
