"""Find the old API in one module: imports, resource configs, decorated endpoints and routes.

Only module-level statements are migrated (that is where the old builds discover endpoints); an old
decorator anywhere else is reported and left alone.
"""

from __future__ import annotations

import dataclasses

import libcst as cst
import libcst.matchers as m

from ..core.profiles import RESOURCE_CLASSES

OLD_PACKAGES = ("runpod_flash", "tetra_rp")
TETRA_CLASSES = frozenset(RESOURCE_CLASSES)
LB_CLASSES = frozenset({"LoadBalancerSlsResource", "LiveLoadBalancer", "CpuLiveLoadBalancer"})
# Names both APIs export that 2.0 exports too (same members), imported from `runpod` afterwards.
KEPT_NAMES = frozenset({"GpuGroup", "GpuType", "CpuInstanceType", "DataCenter", "NetworkVolume"})
HTTP_METHODS = ("get", "post", "put", "delete", "patch")


@dataclasses.dataclass
class Config:
    """`var = Endpoint(...)` or `var = LiveServerless(...)` at module level."""

    var: str
    cls: str  # canonical class name ("Endpoint" for runpod-flash 1.x)
    call: cst.Call
    stmt: cst.SimpleStatementLine

    @property
    def name(self) -> str:
        for i, arg in enumerate(self.call.args):
            if (arg.keyword and arg.keyword.value == "name") or (i == 0 and not arg.keyword and self.cls == "Endpoint"):
                if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str):
                    return arg.value.evaluated_value
        return self.var

    def keyword(self, key: str) -> cst.Arg | None:
        return next((a for a in self.call.args if a.keyword and a.keyword.value == key), None)


@dataclasses.dataclass
class Decorated:
    """A module-level def/class with an old decorator."""

    node: cst.FunctionDef | cst.ClassDef
    decorator: cst.Decorator
    form: str  # "endpoint" (@Endpoint(...)), "remote" (@remote(...)), "route" (@ep.get("/p"))
    config_ref: str | None = None  # the variable of a route decorator or of @remote(var)
    method: str | None = None
    path: cst.BaseExpression | None = None

    @property
    def name(self) -> str:
        return self.node.name.value


@dataclasses.dataclass
class ModuleScan:
    old_names: dict[str, str]  # local name -> canonical name imported from an old package
    old_imports: list[cst.ImportFrom]
    configs: dict[str, Config]
    decorated: list[Decorated]
    project_imports: dict[str, tuple[str, str]]  # local name -> (module, name) for `from mod import name`
    nested: list[cst.CSTNode]  # old decorators not at module level
    module_imports: list[cst.Import] = dataclasses.field(default_factory=list)  # `import runpod_flash`

    @property
    def uses_old_api(self) -> bool:
        return bool(self.old_names)


def scan(module: cst.Module) -> ModuleScan:
    out = ModuleScan({}, [], {}, [], {}, [])
    for stmt in module.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                _record_import(out, small)
            elif isinstance(small, cst.Import) and any(
                (dotted(a.name) or "").split(".")[0] in OLD_PACKAGES for a in small.names
            ):
                out.module_imports.append(small)
    for stmt in module.body:
        config = _config_of(stmt, out.old_names)
        if config is not None:
            out.configs[config.var] = config
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            for dec in stmt.decorators:
                found = _decorated(stmt, dec, out)
                if found is not None:
                    out.decorated.append(found)
                    break
    out.nested = _nested_decorators(module, out)
    return out


def dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _record_import(out: ModuleScan, node: cst.ImportFrom) -> None:
    module = dotted(node.module)
    if module is None or isinstance(node.names, cst.ImportStar):
        return
    root = module.split(".")[0]
    for alias in node.names:
        name = dotted(alias.name)
        local = alias.asname.name.value if alias.asname else name
        if root in OLD_PACKAGES:
            out.old_names[local] = name.split(".")[-1]
        else:
            out.project_imports[local] = (module, name)
    if root in OLD_PACKAGES:
        out.old_imports.append(node)


def _config_of(stmt: cst.BaseStatement, old_names: dict[str, str]) -> Config | None:
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    assign = stmt.body[0]
    if not (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and isinstance(assign.value, cst.Call)
    ):
        return None
    callee = dotted(assign.value.func)
    cls = old_names.get(callee or "")
    if cls == "Endpoint" or cls in TETRA_CLASSES:
        return Config(assign.targets[0].target.value, cls, assign.value, stmt)
    return None


def _decorated(node, dec: cst.Decorator, out: ModuleScan) -> Decorated | None:
    expr = dec.decorator
    if not isinstance(expr, cst.Call):
        return None
    callee = dotted(expr.func) or ""
    canonical = out.old_names.get(callee)
    if canonical == "Endpoint":
        return Decorated(node, dec, "endpoint")
    if canonical == "remote":
        first = expr.args[0].value if expr.args and not expr.args[0].keyword else None
        ref = next((a.value for a in expr.args if a.keyword and a.keyword.value == "resource_config"), first)
        method = next((a.value for a in expr.args if a.keyword and a.keyword.value == "method"), None)
        path = next((a.value for a in expr.args if a.keyword and a.keyword.value == "path"), None)
        return Decorated(node, dec, "remote", dotted(ref) if ref is not None else None, _method_of(method), path)
    head, _, attr = callee.rpartition(".")
    if attr in HTTP_METHODS and "." not in head and (head in out.configs or head in out.project_imports):
        path = expr.args[0].value if expr.args else None
        return Decorated(node, dec, "route", head, attr.upper(), path)
    return None


def _method_of(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value.upper()
    return None


def _nested_decorators(module: cst.Module, out: ModuleScan) -> list[cst.CSTNode]:
    """Old-API decorators on nested functions and methods (not migrated)."""
    top = {id(d.decorator) for d in out.decorated}
    names = [n for n, c in out.old_names.items() if c in ("Endpoint", "remote")]
    if not names:
        return []
    matcher = m.Decorator(decorator=m.Call(func=m.OneOf(*(m.Name(n) for n in names))))
    return [d for d in m.findall(module, matcher) if id(d) not in top]
