"""`RuntimeScanner.discover_remote_functions` of runpod-flash 1.11+, predicted (docs/flash1.md,
"Discovery by import"): every scanned file is imported fresh in path order, its namespace read in
`dir()` order, and whatever carries a `__remote_config__` becomes a discovered function.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ..discovery import RemoteFunctionMetadata
from ..model import Span
from ..module_exec import UNKNOWN, Failure
from .api import LB_CLASSES, LIVE_CLASSES
from .imports import Imports, Source
from .pruned_walk import pruned_walk
from .values import CodeValue, ConfigValue, EndpointValue


@dataclass(eq=False)
class Function(RemoteFunctionMetadata):
    """One `RemoteFunctionMetadata` of runpod-flash 1.x, with what the 1.x build adds."""

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
    runs: list[FileRun] = field(default_factory=list)  # per scanned file, in scan order
    loaded_at: dict[str, int] = field(default_factory=dict)  # project module → index of the run that loaded it
    imported: set[str] = field(default_factory=set)  # files some module imported (besides the scanner)
    bound_at: dict[tuple[str, str], int] = field(default_factory=dict)  # package attribute → index of its run

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


@dataclass(eq=False)
class FileRun:
    """One file's import by the scanner, kept so that a later scan can reuse it
    (docs/flash1.md, "Incremental scan")."""

    relpath: str
    failure: Failure | None
    unknowns: list[tuple[str, str, Span]]
    bindings: dict[str, Any] | None
    functions: list[tuple[str, Function]]  # (module global, function) in `dir()` order
    endpoints: list[tuple[str, EndpointValue]]  # candidates for client-mode entries
    state_before: tuple  # `sys.path` as the import found it: (roots, opaque)
    changes_state: bool  # it imported project modules or changed `sys.path` for later files


def scan(imports: Imports, scanned: list[str], client_mode: bool, features: frozenset[str] | None = None) -> Scan:
    """`features`: the release switches of the profile (None: the newest release's behaviour)."""
    result = Scan()
    seen: set[str] = set()
    for index, relpath in enumerate(scanned):
        run = run_file(imports, relpath, features)
        result.runs.append(run)
        if run.changes_state:
            for name in imports.modules:
                result.loaded_at.setdefault(name, index)
            for binding in imports.bound:
                result.bound_at.setdefault(binding, index)
        if not add_run(result, run, client_mode, imports.build_dir, seen):
            break
    result.imported = set(imports.executed)
    if result.error is None:
        _cross_calls(result.functions, imports)
    return result


def run_file(imports: Imports, relpath: str, features: frozenset[str] | None = None) -> FileRun:
    """The scanner's fresh import of `relpath`, with what it leaves behind for later files."""
    name = module_path(relpath)
    before = imports.state()
    module, failure, simulator = imports.run(name, relpath, fresh=True)
    unknowns = [(relpath, what, span) for what, span in simulator.unknowns] if simulator is not None else []
    functions, endpoints, bindings = [], [], None
    if failure is None:
        bindings = module.bindings
        namespace = sorted((k, v) for k, v in bindings.items() if not k.startswith("__"))
        endpoints = [(k, v) for k, v in namespace if isinstance(v, EndpointValue)]
        functions = _extract(namespace, name, relpath, features)
    changed = imports.state() != before
    return FileRun(relpath, failure, unknowns, bindings, functions, endpoints, before[2:], changed)


def add_run(result: Scan, run: FileRun, client_mode: bool, build_dir: str, seen: set[str]) -> bool:
    """Add one file's import to the scan in order; False when it stops the scan."""
    result.unknown += run.unknowns
    if run.failure is not None:
        result.failures[run.relpath] = run.failure
        return True
    result.modules[run.relpath] = run.bindings
    module = module_path(run.relpath)
    if client_mode:
        try:
            _collect_clients(result, run.endpoints, run.relpath, module, build_dir)
        except ValueError as exc:
            result.error = str(exc)
            return False
    for key, fn in run.functions:
        if f"{module}:{key}" not in seen:
            seen.add(f"{module}:{key}")
            result.functions.append(fn)
    return True


def _extract(
    namespace: list[tuple[str, Any]], module: str, relpath: str, features: frozenset[str] | None
) -> list[tuple[str, Function]]:
    fb_suffix = features is not None and "no_fb_suffix" not in features  # 1.11.0–1.11.2 name `<n>-fb`
    async_classes = features is None or "max_concurrency" in features  # 1.13+: a class with an async method
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
        if not isinstance(value, CodeValue) or value.remote is None:
            continue
        remote = value.remote
        config = remote.resource
        if not isinstance(config, ConfigValue):
            continue  # a config we could not evaluate: reported as unknown by the caller
        variable = variables.get(id(config))
        if variable is None:
            variable = next((k for k, ep in endpoints if ep is config or ep.name == config.name), None)
        # The builder reads max_concurrency from an Endpoint (the variable, or the inline one).
        holder = bindings.get(variable) if variable is not None else remote.endpoint
        concurrency = holder.kwargs["max_concurrency"] if isinstance(holder, EndpointValue) else 1
        is_lb = config.type_name in LB_CLASSES or (remote.method is not None and remote.path is not None)
        resource = config.name
        if fb_suffix and isinstance(resource, str):
            resource += "-fb" if config.kwargs.get("flashboot", True) else ""
        out.append(
            (
                key,
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
                ),
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


def _calls_in(source: Source, names: set[str], remote_names: set[str]) -> dict[str, list[str]]:
    calls: dict[str, list[str]] = {}
    for node in pruned_walk(source, names):
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
    by_file: dict[str, list[Function]] = {}
    for fn in functions:
        by_file.setdefault(fn.relpath, []).append(fn)
    frozen = frozenset(remote_names)
    for relpath, in_file in by_file.items():
        names = {f.name for f in in_file}
        source = imports.source(relpath)
        tree = source.tree
        if tree is None:
            continue
        key = (frozenset(names), frozen)
        memo = imports.cross_calls.get(relpath)
        if memo is not None and memo[0] is tree and memo[1] == key:
            calls = memo[2]
        else:
            calls = _calls_in(source, names, remote_names)
            imports.cross_calls[relpath] = (tree, key, calls)
        for fn in in_file:
            if fn.name in calls:
                fn.calls = calls[fn.name]
