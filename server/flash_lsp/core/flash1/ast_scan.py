"""The AST scanner of runpod-flash 1.6.1–1.10.2 (docs/flash1.md, "The AST era"): nothing is
imported; decorators are recognised by their spelling. Pass 1 registers `x = Endpoint(...)` and
`x = <ResourceClass>(...)` assignments anywhere in a file, pass 2 finds decorated definitions at
any depth (`ast.walk` order), pass 3 the direct calls between discovered functions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..ast_queries import call_type, callee_name, name_span
from .api import RESOURCE_CLASSES
from .imports import Source
from .scanner import Function, Scan, module_path

_LB = ("LoadBalancerSlsResource", "LiveLoadBalancer", "CpuLiveLoadBalancer")
_LIVE_LB = ("LiveLoadBalancer", "CpuLiveLoadBalancer")
_ROUTES = ("get", "post", "put", "delete", "patch")
_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}


@dataclass
class _Registry:
    configs: dict[str, str] = field(default_factory=dict)  # name or "module:variable" → resource name
    types: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    flags: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # (load-balanced, live)
    endpoints: dict[str, str] = field(default_factory=dict)  # variable → resource name
    endpoints_qualified: dict[str, str] = field(default_factory=dict)


def ast_scan(sources: dict[str, Source], files: list[str]) -> Scan:
    """`RemoteDecoratorScanner.discover_remote_functions` over `files` (in walk order)."""
    registry = _Registry()
    for relpath in files:
        if sources[relpath].tree is not None:
            _register(registry, sources[relpath].tree, module_path(relpath))
    result = Scan()
    for relpath in files:
        source = sources[relpath]
        if source.tree is None:
            continue
        try:
            result.functions += _functions(registry, source, relpath)
        except ValueError:
            continue  # the scanner drops every function of a file whose decorator raises
    names = {f.name for f in result.functions}
    for relpath in files:
        tree = sources[relpath].tree
        if tree is None:
            continue
        nodes: dict[str, ast.AST] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                nodes.setdefault(node.name, node)
        for fn in result.functions:
            if fn.relpath == relpath and fn.name in nodes:
                fn.calls = _calls(nodes[fn.name], names)
    return result


def _register(registry: _Registry, tree: ast.Module, module: str) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            variable, kind = target.id, call_type(node.value)
            if kind == "Endpoint":
                name = _name_kw(node.value) or variable
                registry.endpoints[variable] = name
                registry.endpoints_qualified[f"{module}:{variable}"] = name
                flags = (True, True)
            elif kind in RESOURCE_CLASSES:
                name = _name_kw(node.value) or variable
                flags = (kind in _LB, kind in _LIVE_LB)
            else:
                continue
            for key in (name, f"{module}:{variable}"):
                registry.configs[key] = name
                registry.types[key] = kind
                registry.variables[key] = variable
                registry.flags[key] = flags


def _functions(registry: _Registry, source: Source, relpath: str) -> list[Function]:
    module = module_path(relpath)
    out = []
    for node in ast.walk(source.tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        target = _target(registry, node, module)
        if target is None:
            continue
        resource, kind, is_class, method, path, flags, variable = target
        methods = (
            tuple(
                n.name
                for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_")
            )
            if is_class
            else ()
        )
        out.append(
            Function(
                name=node.name,
                module=module,
                relpath=relpath,
                resource=resource,
                resource_type=kind,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                is_class=is_class,
                http_method=method,
                http_path=path,
                is_load_balanced=flags[0],
                is_live_resource=flags[1],
                config_variable=variable,
                class_methods=methods,
                span=name_span(node, source.lines),
                config=None,
            )
        )
    return out


def _target(registry: _Registry, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, module: str):
    """How a definition is decorated: (resource, resource type, is_class, method, path, (load-balanced,
    live), config variable), or None when it is not a remote target. A route decorator wins, then
    `@Endpoint(...)`, then `@remote`."""
    route = _route(registry, node.decorator_list, module)
    if route is not None:
        variable, name, method, path = route
        return name, "Endpoint", False, method, path, (True, True), variable
    is_class = isinstance(node, ast.ClassDef)
    qb = next((d for d in node.decorator_list if isinstance(d, ast.Call) and callee_name(d.func) == "Endpoint"), None)
    if qb is not None:
        return _name_kw(qb) or node.name, "Endpoint", is_class, None, None, (False, True), None
    remote = next((d for d in node.decorator_list if _is_remote(d)), None)
    name = _config_name(registry, remote, module) if remote is not None else None
    if name is None:
        return None
    method, path = _routing(remote)
    kind = registry.types.get(name, "LiveServerless")
    flags = registry.flags.get(name, (False, False))
    return name, kind, is_class, method, path, flags, registry.variables.get(name)


def _route(registry: _Registry, decorators: list[ast.expr], module: str):
    for decorator in decorators:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        if decorator.func.attr not in _ROUTES or not isinstance(decorator.func.value, ast.Name):
            continue
        variable = decorator.func.value.id
        name = registry.endpoints_qualified.get(f"{module}:{variable}") or registry.endpoints.get(variable)
        path = decorator.args[0].value if decorator.args and isinstance(decorator.args[0], ast.Constant) else None
        if name is None or not path:
            continue
        return variable, name, decorator.func.attr.upper(), path
    return None


def _is_remote(decorator: ast.expr) -> bool:
    if isinstance(decorator, ast.Name):
        return decorator.id == "remote"
    return isinstance(decorator, ast.Call) and callee_name(decorator.func) == "remote"


def _config_name(registry: _Registry, decorator: ast.expr, module: str) -> str | None:
    if not isinstance(decorator, ast.Call):
        return None
    expr = next(
        (k.value for k in decorator.keywords if k.arg == "resource_config"),
        decorator.args[0] if decorator.args else None,
    )
    if isinstance(expr, ast.Name):
        return registry.configs.get(f"{module}:{expr.id}") or registry.configs.get(expr.id) or expr.id
    return _name_kw(expr) if isinstance(expr, ast.Call) else None


def _routing(decorator: ast.expr) -> tuple:
    if not isinstance(decorator, ast.Call):
        return None, None
    method = path = None
    for kw in decorator.keywords:
        if kw.arg == "method" and isinstance(kw.value, ast.Constant):
            method = kw.value.value
        elif kw.arg == "path" and isinstance(kw.value, ast.Constant):
            path = kw.value.value
    if method is not None and (not isinstance(method, str) or method.upper() not in _METHODS):
        raise ValueError(f"Invalid HTTP method '{method}'")
    return method, path


def _calls(node: ast.AST, names: set[str]) -> list[str]:
    called: list[str] = []
    for child in ast.walk(node):
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Name)
            and child.func.id in names
            and child.func.id not in called
        ):
            called.append(child.func.id)
    return called


def _name_kw(expr: ast.expr):
    if isinstance(expr, ast.Call):
        for kw in expr.keywords:
            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                return kw.value.value
    return None
