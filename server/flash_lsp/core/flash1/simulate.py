"""The 1.x runtime scanner's import of one project module, simulated (docs/flash1.md, "Discovery
by import"). It extends `module_exec`'s statement walker: project modules resolve to the modules the
same scan imports (`Imports`), the `Endpoint` API produces the objects of `values.py`, decorated
definitions keep their `__remote_config__`, and a failure carries the exception type and the exact
message the build prints. Nothing is executed; what cannot be known is `UNKNOWN`.
"""

from __future__ import annotations

import ast
import posixpath
from typing import TYPE_CHECKING, Any

from ..model import Span
from ..module_exec import (
    UNKNOWN,
    Failure,
    Ref,
    _bound_names,
    _exit_message,
    _is_type_checking,
    _Layered,
    _main_guard,
    _Raised,
    _Simulator,
    handler_names,
)
from . import api
from .build_time_effects import SIDE_EFFECT_MODULES, may_inject_names, side_effect
from .endpoint import Raised, apply_remote, apply_route, endpoint_call, make_config, make_endpoint, make_remote, route
from .values import (
    BoundMethod,
    CodeValue,
    EndpointValue,
    Member,
    ModuleValue,
    RemoteDecorator,
    RouteDecorator,
    TemplateValue,
    VolumeValue,
)

if TYPE_CHECKING:
    from .imports import Imports

# Exception classes a `try` can name, with their bases (for matching `except` clauses).
_BASES = {
    "ModuleNotFoundError": ("ImportError",),
    "ImportError": (),
    "NameError": (),
    "TypeError": (),
    "ValueError": (),
    "ValidationError": ("ValueError",),
    "AttributeError": (),
    "SyntaxError": (),
    "TimeoutError": ("OSError",),
    "KeyError": ("LookupError",),
    "RuntimeError": (),
}
_KIND_TYPES = {
    "import": "ModuleNotFoundError",
    "relative_import": "ImportError",
    "name": "NameError",
    "call": "TypeError",
    "exit": "SystemExit",
}
_PATH_API = {
    "os.path.join": posixpath.join,
    "os.path.dirname": posixpath.dirname,
    "os.path.abspath": posixpath.normpath,
    "os.path.realpath": posixpath.normpath,
    "os.path.normpath": posixpath.normpath,
    "os.path.basename": posixpath.basename,
    "sys.path.insert": None,
    "sys.path.append": None,
    "time.sleep": None,
}
_IMPORT_TIMEOUT = 30  # seconds the scanner waits for one module's import
_ROUTE_METHODS = {"get": "GET", "post": "POST", "put": "PUT", "delete": "DELETE", "patch": "PATCH"}


class Simulator(_Simulator):
    """One module's top-level code, run symbolically as the scanner's import runs it."""

    def __init__(self, module: str, relpath: str, lines: list[str], imports: Imports):
        super().__init__(lines, imports.installed, "runpod_flash")
        self.module = module
        self.relpath = relpath
        self.imports = imports
        self.side_effects: list[tuple[str, Any]] = []  # (what, span)
        self.module_aliases: dict[str, str] = {}  # local name → imported module (side-effect detection)
        self.globals["__name__"] = module
        self.globals["__file__"] = f"{imports.build_dir}/{relpath}"
        self.opaque = False  # names may exist that we cannot see: an undefined name is unknown, not a NameError
        self.defs: dict[str, ast.AST] = {}  # module-level defs (a call to one may write globals)

    # -- failures ---------------------------------------------------------------------------
    def fail(self, kind: str, message: str, node: ast.AST) -> None:
        raise _Raised(Failure(_KIND_TYPES.get(kind, kind), message, self.span(node)))

    def raising(self, raised: Raised, node: ast.AST) -> None:
        """Fail at the argument the error is about, when `node` is the call that has it."""
        target = node
        if isinstance(node, ast.Call) and isinstance(raised.argument, str):
            target = next((k.value for k in node.keywords if k.arg == raised.argument), node)
        elif isinstance(node, ast.Call) and isinstance(raised.argument, int) and raised.argument < len(node.args):
            target = node.args[raised.argument]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
            target = node.decorator_list[0]
        self.fail(raised.exc_type, raised.message, target)

    def catches(self, handler: ast.ExceptHandler, failure: Failure) -> bool:
        """`except` clauses match by the exception's class and its bases."""
        if handler.type is None:
            return True
        names = handler_names(handler)
        if failure.kind in ("SystemExit", "KeyboardInterrupt"):
            return bool(names & {failure.kind, "BaseException"})
        return bool(names & {failure.kind, "Exception", "BaseException", *_BASES.get(failure.kind, ())})

    def _Raise(self, node: ast.Raise, scope: dict) -> None:
        exc = node.exc
        func = exc.func if isinstance(exc, ast.Call) else exc
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in ("SystemExit", "KeyboardInterrupt"):
            self.fail("exit", _exit_message(exc), node)
        args = exc.args if isinstance(exc, ast.Call) else []
        message = self.expr(args[0], scope) if len(args) == 1 else "" if not args else UNKNOWN
        self.fail(name or "Exception", message if isinstance(message, str) else UNKNOWN, node)

    def _If(self, node: ast.If, scope: dict) -> None:
        """A test we can evaluate picks its branch; otherwise the body is followed as the
        scanner's common case, but an exception in it is not predicted (it may not run)."""
        test = node.test
        if _main_guard(test) is not None or _is_type_checking(test):
            super()._If(node, scope)
            return
        value = self.expr(test, scope)
        if isinstance(value, (bool, int, float, str, bytes, type(None), tuple, list, dict)):
            self.block(node.body if value else node.orelse, scope)
            return
        try:
            self.block(node.body, scope)
        except _Raised as raised:
            self.unknowns.append(
                (f"outcome of a branch that raises {raised.failure.kind} under a condition", raised.failure.span)
            )
            for name in _bound_names(node.body):
                scope.setdefault(name, UNKNOWN)
        for name in _bound_names(node.orelse):
            scope.setdefault(name, UNKNOWN)

    def _While(self, node: ast.While, scope: dict) -> None:
        test = self.expr(node.test, scope)
        if test is True and not any(isinstance(n, (ast.Break, ast.Return, ast.Raise)) for n in ast.walk(node)):
            base = self.relpath.rsplit("/", 1)[-1]
            self.fail(
                "TimeoutError",
                f"import of {base} timed out after {_IMPORT_TIMEOUT}s (module-level code may be blocking)",
                node,
            )
        self.block(node.body, scope)

    # -- imports ----------------------------------------------------------------------------
    def _Import(self, node: ast.Import, scope: dict) -> None:
        for alias in node.names:
            value = self.import_module(alias.name, node)
            if alias.asname:
                scope[alias.asname] = (
                    value if "." not in alias.name else self.import_module(alias.name, node, leaf=True)
                )
            else:
                scope[alias.name.split(".")[0]] = value
            self.module_aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0]
            )

    def import_module(self, dotted: str, node: ast.AST, leaf: bool = False) -> Any:
        """`import a.b`: the value bound (the top package, or with `leaf` the module itself)."""
        top = dotted.split(".")[0]
        if top == "runpod_flash":
            return Ref("module", dotted)
        try:
            found = self.imports.load(dotted, self, node.lineno - 1)
        except Raised as raised:
            self.raising(raised, node)
        if found is not None:
            return found if leaf else self.imports.load(top, self, node.lineno - 1)
        if top in SIDE_EFFECT_MODULES or top in ("sys", "os", "time"):
            return Ref("stdlib", dotted) if top in ("sys", "os", "time") else UNKNOWN
        return UNKNOWN

    def _ImportFrom(self, node: ast.ImportFrom, scope: dict) -> None:
        module = self.imports.absolute(node.module or "", node.level, self.module)
        if module is None:
            self.fail("ImportError", "attempted relative import with no known parent package", node)
        if module == "__future__" and any(a.name == "annotations" for a in node.names):
            self.future_annotations = True
        if module.split(".")[0] == "runpod_flash":
            for alias in node.names:
                names = api.PACKAGE_EXPORTS if alias.name == "*" else [alias.name]
                for name in names:
                    scope[alias.asname or name] = api.api_ref(name)
            return
        source = self.import_module(module, node, leaf=True)
        for alias in node.names:
            self.module_aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            if not isinstance(source, ModuleValue):
                if alias.name != "*":
                    scope[alias.asname or alias.name] = api.exit_ref(module, alias.name) or UNKNOWN
                else:
                    self.opaque = True
                continue
            if alias.name == "*":
                scope.update({k: v for k, v in source.bindings.items() if not k.startswith("_")})
                self.opaque = self.opaque or source.opaque
                continue
            value = self.member(source, alias.name, node)
            if value is _MISSING:
                where = f"({self.imports.location(source)})" if source.relpath else "(unknown location)"
                if self.imports.partially_initialized(source):
                    where = f"(most likely due to a circular import) {where}"
                    self.fail(
                        "ImportError",
                        f"cannot import name '{alias.name}' from partially initialized module '{source.name}' {where}",
                        node,
                    )
                self.fail("ImportError", f"cannot import name '{alias.name}' from '{source.name}' {where}", node)
            scope[alias.asname or alias.name] = value

    def member(self, module: ModuleValue, name: str, node: ast.AST) -> Any:
        """`module.name` (a submodule import when it is a package), failing like the import."""
        try:
            return self.imports.attribute(module, name, self, node.lineno - 1)
        except Raised as raised:
            self.raising(raised, node)

    def check_module(self, dotted: str, node: ast.AST) -> None:
        self.import_module(dotted, node)

    # -- definitions ------------------------------------------------------------------------
    def _FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: dict) -> None:
        decorators = [self.expr(d, scope) for d in node.decorator_list]
        self.signature(node, scope)
        code = CodeValue(
            node.name,
            self.relpath,
            self.name_span(node),
            False,
            isinstance(node, ast.AsyncFunctionDef),
            decorator_span=self.decorator_span(node),
        )
        self.defs[node.name] = node
        scope[node.name] = self.decorate(code, decorators, node)

    _AsyncFunctionDef = _FunctionDef

    def _ClassDef(self, node: ast.ClassDef, scope: dict) -> None:
        decorators = [self.expr(d, scope) for d in node.decorator_list]
        for base in node.bases:
            self.expr(base, scope)
        for kw in node.keywords:
            self.expr(kw.value, scope)
        self.block(node.body, _Layered(scope))
        methods: dict[str, bool] = {}
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not stmt.name.startswith("_"):
                plain = not stmt.decorator_list
                if stmt.name in methods or plain:
                    methods[stmt.name] = plain and isinstance(stmt, ast.AsyncFunctionDef)
        code = CodeValue(
            node.name,
            self.relpath,
            self.name_span(node),
            True,
            any(methods.values()),
            tuple(methods),
            decorator_span=self.decorator_span(node),
        )
        scope[node.name] = self.decorate(code, decorators, node)

    def name_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Any:
        """The span of the defined name on its `def`/`class` line."""
        line = node.lineno - 1
        text = self.lines[line] if line < len(self.lines) else ""
        col = text.find(node.name, node.col_offset)
        return Span(line, col, line, col + len(node.name)) if col >= 0 else self.span(node)

    def decorator_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Any:
        return self.span(node.decorator_list[0]) if node.decorator_list else None

    def decorate(self, code: Any, decorators: list, node: ast.AST) -> Any:
        for decorator in reversed(decorators):
            try:
                if isinstance(decorator, EndpointValue):
                    code = endpoint_call(decorator, code)
                elif isinstance(decorator, RouteDecorator):
                    code = apply_route(decorator, code)
                elif isinstance(decorator, RemoteDecorator):
                    code = apply_remote(decorator, code)
                elif isinstance(decorator, Ref) and decorator.kind == "remote":
                    self.fail("TypeError", "remote() missing 1 required positional argument: 'resource_config'", node)
                else:
                    code = UNKNOWN
            except Raised as raised:
                self.raising(raised, node)
        return code

    # -- expressions ------------------------------------------------------------------------
    def attribute(self, node: ast.Attribute, scope: dict) -> Any:
        base = self.expr(node.value, scope)
        attr = node.attr
        if isinstance(base, Ref) and base.kind == "module":
            return api.api_ref(attr) if attr in api.PACKAGE_EXPORTS else Ref("module", f"{base.name}.{attr}")
        if isinstance(base, Ref) and base.kind == "enum":
            if attr not in api.ENUMS[base.name]:
                if attr in ("all", "from_string", "value", "name"):
                    return UNKNOWN
                self.fail("AttributeError", attr, node)
            return Member(base.name, attr)
        if isinstance(base, Member):
            return base.value if attr == "value" else base.member if attr == "name" else UNKNOWN
        if isinstance(base, EndpointValue) and attr in _ROUTE_METHODS:
            return BoundMethod(base, _ROUTE_METHODS[attr])
        if isinstance(base, EndpointValue) and attr == "name":
            return base.name
        if isinstance(base, ModuleValue):
            value = self.member(base, attr, node)
            if value is _MISSING:
                self.fail("AttributeError", f"module '{base.name}' has no attribute '{attr}'", node)
            return value
        if isinstance(base, Ref) and base.kind == "stdlib":
            dotted = f"{base.name}.{attr}"
            return api.exit_ref(base.name, attr) or (
                Ref("stdlib", dotted) if dotted in _PATH_API or dotted in ("os.path", "sys.path") else UNKNOWN
            )
        return UNKNOWN

    def expr(self, node: ast.expr, scope: dict) -> Any:
        if isinstance(node, ast.JoinedStr):
            return self.joined(node, scope)
        if isinstance(node, ast.Name) and node.id not in scope:
            if node.id == "dict":
                return Ref("builtin_dict", "dict")
            if self.opaque:
                return UNKNOWN
        return super().expr(node, scope)

    def joined(self, node: ast.JoinedStr, scope: dict) -> Any:
        """An f-string whose pieces are known strings or numbers (no format spec)."""
        parts = []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(str(piece.value))
                continue
            value = self.expr(piece.value, scope)
            if (
                piece.format_spec is not None
                or piece.conversion not in (-1, 115)
                or not isinstance(value, (str, int))
                or isinstance(value, bool)
            ):
                return UNKNOWN
            parts.append(str(value))
        return "".join(parts)

    def call(self, node: ast.Call, scope: dict) -> Any:
        self.note_side_effect(node)
        if may_inject_names(node, scope, self.defs):
            self.opaque = True
        func = self.expr(node.func, scope)
        args, kwargs, opaque = self.arguments(node, scope)
        try:
            return self.apply(func, args, kwargs, opaque, node)
        except Raised as raised:
            self.raising(raised, node)

    def apply(self, func: Any, args: list, kwargs: dict, opaque: bool, node: ast.Call) -> Any:
        if isinstance(func, BoundMethod):
            return UNKNOWN if opaque else route(func.endpoint, func.method, args, kwargs, self.span(node))
        if isinstance(func, (EndpointValue, RouteDecorator, RemoteDecorator)):
            return self.decorate(args[0], [func], node) if len(args) == 1 and not kwargs else UNKNOWN
        if not isinstance(func, Ref):
            return UNKNOWN
        if func.kind == "exit":
            self.fail("exit", _exit_message(node), node)
        if func.kind == "stdlib":
            return self.path_call(func.name, args, kwargs)
        if func.kind == "builtin_dict" and not args:
            return dict(kwargs)
        if opaque:
            if func.kind in ("endpoint", "resource_class"):
                self.unknowns.append(("arguments that cannot be read statically", self.span(node)))
            return UNKNOWN
        if func.kind == "endpoint":
            return make_endpoint(args, kwargs, self.span(node), self.imports.pydantic, self.imports.endpoint_parameters)
        if func.kind == "resource_class":
            if args:
                raise Raised("TypeError", "BaseModel.__init__() takes 1 positional argument but 2 were given")
            return make_config(func.name, kwargs, self.span(node), self.imports.pydantic)
        if func.kind == "remote":
            return make_remote(args, kwargs)
        if func.kind == "template_class":
            return TemplateValue(kwargs) if not args else UNKNOWN
        if func.kind == "volume_class":
            return VolumeValue(kwargs) if not args else UNKNOWN
        if func.kind == "enum" and len(args) == 1 and not kwargs and args[0] is not UNKNOWN:
            member = next(
                (m for m, v in api.ENUMS[func.name].items() if v == args[0] or Member(func.name, m) == args[0]), None
            )
            if member is None:
                raise Raised("ValueError", f"{args[0]!r} is not a valid {func.name}")
            return Member(func.name, member)
        return UNKNOWN

    def path_call(self, dotted: str, args: list, kwargs: dict) -> Any:
        """`os.path` helpers on known strings, and `sys.path.insert/append` (the import search)."""
        if kwargs or not args or not all(isinstance(a, (str, int, float)) for a in args):
            return UNKNOWN
        if dotted == "time.sleep" and args[0] >= _IMPORT_TIMEOUT:
            base = self.relpath.rsplit("/", 1)[-1]
            raise Raised(
                "TimeoutError",
                f"import of {base} timed out after {_IMPORT_TIMEOUT}s (module-level code may be blocking)",
            )
        if dotted in ("sys.path.insert", "sys.path.append"):
            path = args[-1]
            if isinstance(path, str):
                self.imports.add_path(path, first=dotted.endswith("insert") and args[0] == 0)
            return None
        function = _PATH_API.get(dotted)
        return function(*args) if function is not None else UNKNOWN

    def note_side_effect(self, node: ast.Call) -> None:
        """Module-level calls into networking, subprocess or file-writing APIs run during the build."""
        what = side_effect(node, self.module_aliases)
        if what is not None:
            self.side_effects.append((what, self.span(node)))


_MISSING = object()
