"""`RuntimeScanner.discover_remote_functions` of runpod-flash 1.11+, predicted (docs/flash1.md,
"Discovery by import"): every scanned file is imported fresh in path order, its namespace read in
`dir()` order, and whatever carries a `__remote_config__` becomes a discovered function.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import Span
from ..module_exec import UNKNOWN, Failure
from .api import LB_CLASSES, LIVE_CLASSES
from .imports import Imports
from .values import CodeValue, ConfigValue, EndpointValue


@dataclass(eq=False)
class Function:
    """One `RemoteFunctionMetadata`."""

    name: str
    module: str
    relpath: str
    resource: Any
    resource_type: str
    is_async: bool
    is_class: bool
    http_method: Any
    http_path: Any
    is_load_balanced: bool
    is_live_resource: bool
    config_variable: str | None
    class_methods: tuple[str, ...]
    span: Span
    config: ConfigValue
    max_concurrency: Any = 1
    endpoint: EndpointValue | None = None
    calls: list[str] = field(default_factory=list)
    decorator_span: Span | None = None


@dataclass
class ClientEndpoint:
    """A module-level `Endpoint(image=...)` recorded for the manifest (1.21)."""

    name: str
    variable: str
    relpath: str
    module: str
    endpoint: EndpointValue


@dataclass
class Scan:
    functions: list[Function] = field(default_factory=list)
    clients: dict[str, ClientEndpoint] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)  # relpath → why its import fails
    error: str | None = None  # a ValueError that stops the scan itself
    unknown: list[tuple[str, str, Span]] = field(default_factory=list)  # (relpath, what, where)
    modules: dict[str, Any] = field(default_factory=dict)  # relpath → namespace after its import

    def failed_lines(self) -> list[str]:
        """The `Failed to load:` lines (without the two-space indent)."""
        return [
            printed(f"{p}: {f.kind}: {f.message if f.message is not UNKNOWN else '…'}")
            for p, f in self.failures.items()
        ]


_MARKUP_TAG = re.compile(r"(?<!\\)\[([a-z#/@][^\[]*?)\]")


def printed(text: str) -> str:
    """`text` as the build's Rich console shows it: what looks like a markup tag
    (`[type=value_error, ...]`) disappears."""
    return _MARKUP_TAG.sub("", text)


def scan_order(relpaths: list[str]) -> list[str]:
    """The scanned files: `.py` minus `__init__.py`, sorted as `Path` objects sort (by parts)."""
    files = [p for p in relpaths if p.endswith(".py") and p.rsplit("/", 1)[-1] != "__init__.py"]
    return sorted(files, key=lambda p: tuple(p.split("/")))


def module_path(relpath: str) -> str:
    return relpath[:-3].replace("/", ".")


def scan(imports: Imports, scanned: list[str], client_mode: bool, features: frozenset[str] | None = None) -> Scan:
    """`features`: the release switches of the profile (None: the newest release's behaviour)."""
    fb_suffix = features is not None and "no_fb_suffix" not in features  # 1.11.0–1.11.2 name `<n>-fb`
    async_classes = features is None or "max_concurrency" in features  # 1.13+: a class with an async method
    result = Scan()
    seen: set[str] = set()
    for relpath in scanned:
        name = module_path(relpath)
        module, failure, simulator = imports.run(name, relpath, fresh=True)
        if simulator is not None:
            result.unknown += [(relpath, what, span) for what, span in simulator.unknowns]
        if failure is not None:
            result.failures[relpath] = failure
            continue
        result.modules[relpath] = module.bindings
        namespace = sorted((k, v) for k, v in module.bindings.items() if not k.startswith("__"))
        if client_mode:
            try:
                _collect_clients(result, namespace, relpath, name, imports.build_dir)
            except ValueError as exc:
                result.error = str(exc)
                return result
        result.functions += _extract(namespace, name, relpath, seen, fb_suffix, async_classes)
    _cross_calls(result.functions, imports)
    return result


def _extract(
    namespace: list[tuple[str, Any]], module: str, relpath: str, seen: set[str], fb_suffix: bool, async_classes: bool
) -> list[Function]:
    variables: dict[int, str] = {}
    bindings = dict(namespace)
    endpoints = [(k, v) for k, v in namespace if isinstance(v, EndpointValue) and not v.is_client]
    for key, value in namespace:
        if isinstance(value, ConfigValue):
            variables[id(value)] = key
        elif isinstance(value, EndpointValue) and not value.is_client:
            variables[id(value)] = key
            if value.config is not None:
                variables[id(value.config)] = key
    out = []
    for key, value in namespace:
        if not isinstance(value, CodeValue) or value.remote is None or f"{module}:{key}" in seen:
            continue
        remote = value.remote
        config = remote.resource
        if not isinstance(config, ConfigValue):
            continue  # a config we could not evaluate: reported as unknown by the caller
        variable = variables.get(id(config))
        if variable is None:
            variable = next((k for k, ep in endpoints if ep is config or ep.name == config.name), None)
        seen.add(f"{module}:{key}")
        # The builder reads max_concurrency from an Endpoint (the variable, or the inline one).
        holder = bindings.get(variable) if variable is not None else remote.endpoint
        concurrency = holder.kwargs["max_concurrency"] if isinstance(holder, EndpointValue) else 1
        is_lb = config.type_name in LB_CLASSES or (remote.method is not None and remote.path is not None)
        resource = config.name
        if fb_suffix and isinstance(resource, str):
            resource += "-fb" if config.kwargs.get("flashboot", True) else ""
        out.append(
            Function(
                name=value.name,
                module=module,
                relpath=relpath,
                resource=resource,
                resource_type=config.type_name,
                is_async=(value.is_async or value.wrapped) and (async_classes or not value.is_class),
                is_class=value.is_class,
                http_method=remote.method,
                http_path=remote.path,
                is_load_balanced=is_lb,
                is_live_resource=config.type_name in LIVE_CLASSES,
                config_variable=variable,
                class_methods=value.class_methods,
                span=value.span,
                config=config,
                max_concurrency=concurrency,
                endpoint=remote.endpoint,
                decorator_span=value.decorator_span,
            )
        )
    return out


def _collect_clients(result: Scan, namespace: list, relpath: str, module: str, build_dir: str) -> None:
    for key, value in namespace:
        if (
            not isinstance(value, EndpointValue)
            or value.kwargs.get("image") is None
            or value.kwargs.get("id") is not None
        ):
            continue
        existing = result.clients.get(value.name)
        record = ClientEndpoint(value.name, key, relpath, module, value)
        if existing is None or (existing.endpoint is not value and existing.relpath == relpath):
            result.clients[value.name] = record
        elif existing.endpoint is not value and existing.endpoint.kwargs.get("image") != value.kwargs.get("image"):
            raise ValueError(
                f"endpoint '{value.name}' is defined in multiple files: {build_dir}/{existing.relpath}, "
                f"{build_dir}/{relpath}. each endpoint name must be unique across the project."
            )


def _calls_in(tree: ast.Module, names: set[str], remote_names: set[str]) -> dict[str, list[str]]:
    calls: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            called: list[str] = []
            for child in ast.walk(node):
                if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in remote_names:
                    if child.func.id not in called:
                        called.append(child.func.id)
            if called:
                calls[node.name] = called
    return calls


def refresh_cross_calls(functions: list[Function], imports: Imports) -> None:
    """Cross-call analysis again, for function bodies edited since the scan."""
    for fn in functions:
        fn.calls = []
    _cross_calls(functions, imports)


def _cross_calls(functions: list[Function], imports: Imports) -> None:
    """`_analyze_cross_calls_ast`: direct `name(...)` calls of discovered functions, per file."""
    remote_names = {f.name for f in functions}
    by_file: dict[str, set[str]] = {}
    for fn in functions:
        by_file.setdefault(fn.relpath, set()).add(fn.name)
    frozen = frozenset(remote_names)
    for relpath, names in by_file.items():
        tree = imports.source(relpath).tree
        if tree is None:
            continue
        key = (frozenset(names), frozen)
        memo = imports.cross_calls.get(relpath)
        if memo is not None and memo[0] is tree and memo[1] == key:
            calls = memo[2]
        else:
            calls = _calls_in(tree, names, remote_names)
            imports.cross_calls[relpath] = (tree, key, calls)
        for fn in functions:
            if fn.relpath == relpath and fn.name in calls:
                fn.calls = calls[fn.name]
