"""Static simulation of importing one module, as `ManifestBuilder` does for deployment fields.

The 0.22–0.24 builder *executes* the file that defines a resource config (without the project root
on `sys.path`) and reads the config object from it; any exception silently drops the deployment
fields. We never execute user code: this module walks the top-level statements in order, tracks
what each name is bound to (values: `sim_values`; expressions: `sim_expressions`), and predicts
the first exception (a missing module, a relative import, a `NameError`, a `remote()` or resource
validation error) together with the values of resource configs. Conditions are decided with the
build's environment when they can be; anything it cannot know is `UNKNOWN`, never a guess
(docs/tetra-build.md, "Computed configs").
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from .build_process import BuildProcess
from .limits import MAX_STEPS
from .model import Span
from .profiles import HTTP_METHODS, RUNTIME_LB_CLASSES
from .sim_expressions import exit_message as _exit_message
from .sim_expressions import handler_of
from .sim_imports import STDLIB as STDLIB  # (re-exported: the 1.x simulation extends this one)
from .sim_imports import ImportSimulator
from .sim_syntax import (
    _bound_names,
    _catches,
    _is_type_checking,
    _Layered,
    _load,
    _main_guard,
    _matches,
)
from .sim_syntax import handler_names as handler_names
from .sim_values import (
    UNKNOWN,
    ExecResult,
    Failure,
    Ref,
    ResourceValue,
    TemplateValue,
    _OutOfSteps,
    _Raised,
    holds,
    same,
    truth,
)


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
                for case in getattr(node, "cases", ()):
                    visit(case.body)

    visit(tree.body)
    pieces: list = []
    kept = 1
    for first, last in bodies:
        pieces.append("\n".join(lines[kept - 1 : first - 1]))
        pieces.append(last - first + 1)
        kept = last + 1
    pieces.append("\n".join(lines[kept - 1 :]))
    return hash(tuple(pieces))


def simulate(
    tree: ast.Module,
    lines: list[str],
    importable: Callable[[str], bool],
    package: str,
    env: Mapping[str, str] | None = None,
    process: BuildProcess | None = None,
    relpath: str | None = None,
) -> ExecResult:
    """Predict the outcome of executing `tree` as a fresh module named after the file stem, with
    the build's environment variables `env` (None: unknown) in the build `process` (None: alone)."""
    sim = _Simulator(lines, importable, package, env, process, relpath)
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


class _Simulator(ImportSimulator):
    def __init__(
        self,
        lines: list[str],
        importable: Callable[[str], bool],
        package: str,
        env: Mapping[str, str] | None = None,
        process: BuildProcess | None = None,
        relpath: str | None = None,
    ):
        self.lines = lines
        self.importable = importable
        self.package = package
        self.env = env
        self.process = process
        self.globals: dict[str, Any] = {}
        if process is not None and relpath is not None:
            self.globals["__file__"] = process.file_path(relpath)
        self.unknowns: list = []
        self.bounds: list = []
        self.future_annotations = False
        self.steps = 0
        self.depth = 0
        self.defined: dict[str, ast.AST] = {}
        self.uncertain = 0  # > 0 while simulating code that may not run
        self.position: ast.stmt | None = None  # the statement being simulated

    def child(self, lines: list[str], relpath: str) -> _Simulator:
        return _Simulator(lines, self.importable, self.package, self.env, self.process, relpath)

    # -- statements -------------------------------------------------------------------------
    def block(self, body: list[ast.stmt], scope: dict) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node: ast.stmt, scope: dict) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _OutOfSteps
        self.position = node
        handler = handler_of(type(self), type(node), "_")
        if handler is not None:
            handler(self, node, scope)

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
        current = self.expr(node.target if not isinstance(node.target, ast.Name) else _load(node.target), scope)
        self.expr(node.value, scope)
        if isinstance(current, (list, dict)):  # `+=` / `|=` change the object in place
            self.forget(lambda value: holds(value, current), scope)
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
            else:
                self.bind(target, UNKNOWN, scope)

    def _FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: dict) -> None:
        self.signature(node, scope)
        for decorator in reversed(node.decorator_list):
            self.decorator(decorator, scope)
        scope[node.name] = UNKNOWN
        self.defined[node.name] = node

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
        self.defined[node.name] = node

    def _If(self, node: ast.If, scope: dict) -> None:
        """The branch the condition picks, decided in the build's environment; when it cannot be
        decided, what either branch binds is UNKNOWN and neither branch's exception is predicted."""
        test = node.test
        main = _main_guard(test)
        if _is_type_checking(test) or main is True:
            self.block(node.orelse, scope)
            return
        if main is False:  # `if __name__ != "__main__":` always runs: the module is named after the file
            self.block(node.body, scope)
            return
        chosen = truth(self.expr(test, scope))
        if chosen is not None:
            self.block(node.body if chosen else node.orelse, scope)
            return
        self.unknowns.append(("a condition that cannot be decided before the build runs", self.span(test)))
        self.either(scope, node.body, node.orelse)

    def either(self, scope: dict, *branches: list[ast.stmt]) -> None:
        """Exactly one of `branches` runs, we cannot say which: a name keeps a value only when
        every branch completes and gives it the same one."""
        outcomes = []
        for body in branches:
            branch = _Layered(scope)
            done, _ = self.tentative(lambda body=body, branch=branch: self.block(body, branch))
            outcomes.append((done, branch, _bound_names(body)))
        for name in set().union(*(names for _, _, names in outcomes)):
            values = [dict.get(branch, name, scope.get(name, UNKNOWN)) for _, branch, _ in outcomes]
            agreed = all(done for done, _, _ in outcomes) and all(same(values[0], v) for v in values)
            scope[name] = values[0] if agreed else UNKNOWN

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
        for name in _bound_names([*node.body, *node.orelse]):  # the loop may run any number of times
            scope[name] = UNKNOWN

    _AsyncFor = _For

    def _While(self, node: ast.While, scope: dict) -> None:
        self.expr(node.test, scope)
        self.block(node.body, scope)
        for name in _bound_names(node.body):
            scope[name] = UNKNOWN

    def _Match(self, node: ast.Match, scope: dict) -> None:
        """The first case whose pattern (and guard) certainly matches runs; from the first case
        that cannot be decided on, any of the remaining cases, or none, may run."""
        subject = self.expr(node.subject, scope)
        for index, case in enumerate(node.cases):
            captures: dict[str, Any] = {}
            matched = _matches(case.pattern, subject, captures, lambda e: self.expr(e, scope))
            if matched is True and case.guard is not None:
                trial = _Layered(scope)
                trial.update(captures)
                matched = truth(self.expr(case.guard, trial))
            if matched is False:
                continue
            if matched is True:
                scope.update(captures)
                self.block(case.body, scope)
                return
            self.unknowns.append(("a match that cannot be decided before the build runs", self.span(case.pattern)))
            rest = node.cases[index:]
            for name in (n.name for c in rest for n in ast.walk(c.pattern) if getattr(n, "name", None)):
                scope[name] = UNKNOWN
            self.either(scope, [], *(c.body for c in rest))
            return

    def bind(self, target: ast.expr, value: Any, scope: dict) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, UNKNOWN, scope)
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)
            settable = isinstance(container, dict) and same(key, key) and not isinstance(key, (list, dict))
            if settable and value is not UNKNOWN and not self.uncertain:
                container[key] = value  # the same object every name bound to it sees
            elif isinstance(container, (list, dict)):
                self.forget(lambda v: holds(v, container), scope)
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value, scope)
            if isinstance(owner, (ResourceValue, TemplateValue)):  # `cfg.workersMax = 5` changes the config
                self.forget(lambda v: v is owner or holds(v, owner), scope)

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
