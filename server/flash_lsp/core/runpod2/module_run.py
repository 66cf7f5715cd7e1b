"""One module's top-level statements run against its namespace, as the SDK's discovery imports
it (docs/runpod2.md, "Discovery"): Apps, their decorators and route markers, project imports
through the discovery simulator, and the exceptions the import raises. Nothing is executed.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..model import Span
from ..module_exec import _main_guard
from .spec import PARAMETERS, Resource, make
from .values import (
    SDK_MODULES,
    SDK_NAMES,
    UNKNOWN,
    AppObj,
    Function,
    ProjectModule,
    RouteMarker,
    SdkError,
    SdkName,
    literal,
)

if TYPE_CHECKING:
    from .discovery import Simulator


class Raised(Exception):
    """The exception a module raises while the build imports it."""

    def __init__(self, kind: str, message: str, relpath: str, span: Span):
        super().__init__(message)
        self.kind, self.message, self.relpath, self.span = kind, message, relpath, span


class ModuleRun:
    """Executes one module's top-level statements against its namespace."""

    def __init__(self, sim: Simulator, relpath: str, ns: dict, package: str, lines: list[str]):
        self.sim, self.relpath, self.ns, self.package, self.lines = sim, relpath, ns, package, lines

    def span(self, node: ast.AST) -> Span:
        return Span.of(node, self.lines)

    def lookup(self, name: str):
        if "." in name:  # attribute of a project module
            module, _, attr = name.rpartition(".")
            ns = self.sim.modules.get(module)
            return ns.get(attr, UNKNOWN) if ns is not None else UNKNOWN
        return self.ns.get(name, UNKNOWN)

    def value(self, node: ast.AST):
        try:
            return literal(node, self.lookup)
        except SdkError as exc:
            raise Raised(exc.kind, str(exc), self.relpath, self.span(exc.node or node)) from None

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                ns = self.sim.import_name(alias.name, self.relpath, self.span(stmt))
                if alias.asname:
                    self.ns[alias.asname] = self._module_value(alias.name, ns)
                else:
                    head = alias.name.split(".")[0]
                    self.ns[head] = self._module_value(head, self.sim.modules.get(head) if ns is not None else None)
        elif isinstance(stmt, ast.ImportFrom):
            self._import_from(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.ns[stmt.name] = self.definition(stmt)
        elif isinstance(stmt, ast.Assign):
            value = self.value(stmt.value)
            value = self._maybe_app(stmt.value, value)
            for target in stmt.targets:
                self._bind(target, value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._bind(stmt.target, self._maybe_app(stmt.value, self.value(stmt.value)))
        elif isinstance(stmt, ast.Expr):
            self._call_effects(stmt.value)
            self._maybe_app(stmt.value, UNKNOWN)
        elif isinstance(stmt, ast.If):
            if _main_guard(stmt.test) is not True:  # not `if __name__ == "__main__":`
                self.run(stmt.body)  # conditions are not evaluated: the body is assumed to run
        elif isinstance(stmt, ast.Try):
            self.run(stmt.body)
            self.run(stmt.orelse)
            self.run(stmt.finalbody)
        elif isinstance(stmt, ast.With):
            self.run(stmt.body)
        elif isinstance(stmt, ast.Raise) and stmt.exc is not None:
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            kind = exc.id if isinstance(exc, ast.Name) else "Exception"
            args = stmt.exc.args if isinstance(stmt.exc, ast.Call) else []
            message = self.value(args[0]) if args else ""
            raise Raised(kind, message if isinstance(message, str) else "?", self.relpath, self.span(stmt))

    def _module_value(self, name: str, ns: dict | None):
        if name in ("runpod", "runpod.apps"):
            return SdkName(name)
        return ProjectModule(name) if ns is not None else UNKNOWN

    def _import_from(self, stmt: ast.ImportFrom) -> None:
        module = stmt.module or ""
        if stmt.level:
            base = self.package.split(".") if self.package else []
            if not self.package:
                raise Raised(
                    "ImportError",
                    "attempted relative import with no known parent package",
                    self.relpath,
                    self.span(stmt),
                )
            base = base[: len(base) - (stmt.level - 1)]
            module = ".".join([*base, module] if module else base)
        if module in SDK_MODULES or module.startswith("runpod."):
            for alias in stmt.names:
                self.ns[alias.asname or alias.name] = SdkName(alias.name) if alias.name in SDK_NAMES else UNKNOWN
            return
        ns = self.sim.import_name(module, self.relpath, self.span(stmt))
        for alias in stmt.names:
            if alias.name == "*":
                if ns is not None:
                    self.ns.update({k: v for k, v in ns.items() if not k.startswith("_")})
                continue
            if ns is None:
                value = UNKNOWN
            elif alias.name in ns:
                value = ns[alias.name]
            elif self.sim._file_for(f"{module}.{alias.name}") or self.sim._is_namespace_dir(f"{module}.{alias.name}"):
                self.sim.import_name(f"{module}.{alias.name}", self.relpath, self.span(stmt))
                value = ProjectModule(f"{module}.{alias.name}")
            else:
                where = self.sim._file_for(module)
                location = f"{self.sim.root}/{where}" if where else "unknown location"
                raise Raised(
                    "ImportError",
                    f"cannot import name '{alias.name}' from '{module}' ({location})",
                    self.relpath,
                    self.span(stmt),
                )
            self.ns[alias.asname or alias.name] = value

    def _bind(self, target: ast.AST, value) -> None:
        if isinstance(target, ast.Name):
            self.ns[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = (
                value
                if isinstance(value, (tuple, list)) and len(value) == len(target.elts)
                else [UNKNOWN] * len(target.elts)
            )
            for elt, item in zip(target.elts, items, strict=False):
                self._bind(elt, item)

    def _maybe_app(self, node: ast.AST, value):
        """`runpod.App("name", env=...)`: a new App in the registry."""
        if (
            not isinstance(node, ast.Call)
            or not isinstance(func := self.value(node.func), SdkName)
            or func.name != "App"
        ):
            self._call_effects(node)
            return value
        args = [self.value(a) for a in node.args]
        kwargs = {k.arg: self.value(k.value) for k in node.keywords if k.arg}
        name = args[0] if args else kwargs.get("name", UNKNOWN)
        if name is UNKNOWN:
            self.sim.unknown.append((self.relpath, "App name", self.span(node)))
            name = "?"
        elif not name or not isinstance(name, str):
            raise Raised("InvalidResourceError", "App name must be a non-empty string", self.relpath, self.span(node))
        app = AppObj(name, kwargs.get("env", "default"), self.relpath, node)
        self.sim.registry.append(app)
        return app

    def _call_effects(self, node: ast.AST) -> None:
        """`handle.remote(...)` (or `.spawn`, or calling the handle) while discovery imports."""
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in ("remote", "spawn", "stream"):
                handle = self.value(func.value)
                if isinstance(handle, Resource):
                    raise Raised("DiscoveryInvocationError", _invoked(handle.name), self.relpath, self.span(call))
            elif (
                isinstance(func, ast.Name)
                and isinstance(handle := self.ns.get(func.id), Resource)
                and handle.kind != "api"
            ):
                raise Raised(
                    "TypeError",
                    f"'{func.id}' is a runpod {handle.kind} handle. use .remote(...) to execute remotely, "
                    ".local(...) to run here, or .spawn(...) to fire and forget.",
                    self.relpath,
                    self.span(call),
                )

    # -- definitions -----------------------------------------------------------------------
    def definition(self, node):
        value = Function(node.name, node.name, self.relpath, node)
        for decorator in reversed(node.decorator_list):
            value = self._decorate(decorator, node, value)
        return value

    def _decorate(self, decorator: ast.AST, node, value):
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in PARAMETERS
        ):
            app = self.value(decorator.func.value)
            if isinstance(app, AppObj):
                return self._resource(app, decorator.func.attr, decorator, node, value)
            if app is UNKNOWN:
                self.sim.unknown.append((self.relpath, f"App of @…{decorator.func.attr}()", self.span(decorator)))
        marker = self.value(decorator)
        if isinstance(marker, SdkName) and marker.name in ("local_entrypoint", "init"):
            return value
        return UNKNOWN if not isinstance(value, Resource) else value

    def _resource(self, app: AppObj, kind: str, decorator: ast.Call, node, target) -> Resource:
        span = self.span(decorator)
        if decorator.args:
            raise Raised(
                "TypeError",
                f"App.{kind}() takes 1 positional argument but {len(decorator.args) + 1} were given",
                self.relpath,
                span,
            )
        kwargs, unknown = {}, []
        for keyword in decorator.keywords:
            if keyword.arg is None:
                unknown.append("**kwargs")
                continue
            if keyword.arg not in PARAMETERS[kind] and keyword.arg != "name":
                raise Raised(
                    "TypeError", f"App.{kind}() got an unexpected keyword argument '{keyword.arg}'", self.relpath, span
                )
            kwargs[keyword.arg] = self.value(keyword.value)
            if kwargs[keyword.arg] is UNKNOWN:
                unknown.append(keyword.arg)
        for what in unknown:
            self.sim.unknown.append((self.relpath, f"`{what}=` of @{kind}", span))
        name = kwargs.pop("name", None)
        name = target.name if name is None and isinstance(target, Function) else name
        if name is UNKNOWN or not isinstance(target, Function):
            name = name if isinstance(name, str) else "?"
        members = self._members(node) if isinstance(node, ast.ClassDef) else {}  # the class body runs first
        try:
            settings = make(kind, name, kwargs, decorator)
        except SdkError as exc:
            raise Raised(exc.kind, str(exc), self.relpath, self.span(exc.node or decorator)) from None
        qualname = target.qualname if isinstance(target, Function) else node.name
        resource = Resource(kind, name, self.relpath, node, decorator, qualname, settings, unknown)
        if kind == "api":
            if isinstance(node, ast.ClassDef):
                self._routes(resource, node, members)
            else:
                resource.asgi_factory = qualname
        if name in app.resources:
            raise Raised(
                "InvalidResourceError", f"duplicate resource name '{name}' in app '{app.name}'", self.relpath, span
            )
        app.resources[name] = resource
        return resource

    def _members(self, cls: ast.ClassDef) -> dict[str, tuple]:
        """Methods of a class body: name -> (route marker or None, is @init, node)."""
        members: dict[str, tuple] = {}
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                route, init = None, False
                for decorator in reversed(stmt.decorator_list):
                    marker = self.value(decorator)
                    if isinstance(marker, RouteMarker):
                        route = (marker.method, marker.path)
                    elif isinstance(marker, SdkName) and marker.name == "init":
                        init = True
                members[stmt.name] = (route, init, stmt)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    if isinstance(target, ast.Name):
                        members.pop(target.id, None)
        return members

    def _routes(self, resource: Resource, cls: ast.ClassDef, members: dict[str, tuple]) -> None:
        """Route markers and `@init` of an `@app.api` class, as `inspect.getmembers` lists them."""
        seen: dict[tuple, str] = {}
        span = self.span(resource.decorator)
        for name in sorted(members):
            route, init, stmt = members[name]
            if route is not None:
                if route in seen:
                    raise Raised(
                        "InvalidResourceError",
                        f"duplicate route {route[0]} {route[1]} on {cls.name}: '{seen[route]}' and '{name}'",
                        self.relpath,
                        self.span(stmt),
                    )
                seen[route] = name
                resource.routes.append((route[0], route[1], name))
            if init:
                if resource.init is not None:
                    raise Raised(
                        "InvalidResourceError",
                        f"multiple @init methods on {cls.name}: '{resource.init}' and '{name}'",
                        self.relpath,
                        self.span(stmt),
                    )
                resource.init = name
        if not resource.routes:
            raise Raised(
                "InvalidResourceError",
                f"@app.api class {cls.name} defines no routes; mark methods with @get/@post/@put/@delete/@patch",
                self.relpath,
                span,
            )


def _invoked(name: str) -> str:
    return (
        f"'{name}' was invoked at import time. move calls into a function, an entrypoint, or an "
        '`if __name__ == "__main__":` guard so importing the file has no side effects.'
    )
