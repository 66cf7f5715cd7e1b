"""The scanner's two passes (`docs/tetra-build.md`, "Discovery"), run over cached file summaries.

Pass 1 registers every resource-config assignment of every scanned file, in scan order, under its
resource name and under `<module>:<variable>`; pass 2 resolves each `@remote` declaration against
those registries with the scanner's fallbacks (an unknown name becomes a resource named after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .profiles import Profile
from .summary import ConfigAssign, FileSummary, RemoteDecl


@dataclass(slots=True, eq=False)
class RemoteFunctionMetadata:
    """The fields of the build's `RemoteFunctionMetadata` every Flash family's scanner fills."""

    name: str
    module: str
    relpath: str
    resource: Any  # the grouping key (a str unless `name=` is a non-string constant)
    resource_type: str
    is_async: bool
    is_class: bool
    http_method: Any
    http_path: Any
    is_load_balanced: bool
    is_live_resource: bool
    config_variable: str | None


@dataclass(slots=True, eq=False)
class DiscoveredFunction(RemoteFunctionMetadata):
    """One `RemoteFunctionMetadata` as the tetra-rp scanner would produce it (treat as immutable)."""

    decl: RemoteDecl
    resolution: str  # "module" | "name" | "fallback" | "inline"


@dataclass
class Registry:
    """The scanner's lookup tables after pass 1."""

    configs: dict[Any, Any] = field(default_factory=dict)
    types: dict[Any, str] = field(default_factory=dict)
    flags: dict[Any, tuple[bool, bool]] = field(default_factory=dict)
    variables: dict[Any, str] = field(default_factory=dict)
    # resource name → every assignment that registered it, in scan order (for diagnostics/navigation)
    assignments: dict[Any, list[tuple[str, ConfigAssign]]] = field(default_factory=dict)

    def tables(self) -> tuple:
        """What pass 2 reads: equal tables resolve every declaration the same way."""
        return (self.configs, self.types, self.flags, self.variables)


@dataclass
class Discovery:
    functions: list[DiscoveredFunction]
    registry: Registry
    scanned: list[str]  # relpaths the scanner parsed, in order
    dropped_files: dict[str, str]  # relpath → exception that dropped all its functions
    by_file: dict[str, tuple[FileSummary, list[DiscoveredFunction]]] = field(default_factory=dict)


def scanned_paths(scan_order: list[str], profile: Profile) -> list[str]:
    """Shipped files `rglob("*.py")` sees in the build dir, minus the excluded root directories."""
    return [p for p in scan_order if p.endswith(".py") and p.split("/", 1)[0] not in profile.scan_skip_root_dirs]


def discover(
    summaries: list[tuple[str, FileSummary]], profile: Profile, previous: Discovery | None = None
) -> Discovery:
    """Run both passes over `(relpath, summary)` pairs given in scan order.

    With `previous` (the last discovery of the same project): when pass 1 yields the same lookup
    tables, the functions of files whose summary is unchanged are reused instead of resolved again."""
    registry = Registry()
    for relpath, summary in summaries:
        if summary.configs and summary.parsed:
            for assign in summary.configs:
                _register(registry, relpath, summary.module, assign, profile)
    reusable = previous.by_file if previous is not None and previous.registry.tables() == registry.tables() else {}
    functions: list[DiscoveredFunction] = []
    dropped: dict[str, str] = {}
    by_file: dict[str, tuple[FileSummary, list[DiscoveredFunction]]] = {}
    for relpath, summary in summaries:
        if not summary.remotes or not summary.parsed:
            continue
        if summary.scan_error:
            dropped[relpath] = summary.scan_error
            continue
        cached = reusable.get(relpath)
        if cached is not None and cached[0] is summary:
            found = cached[1]
        else:
            found = [
                fn for fn in (_resolve(d, relpath, summary.module, registry) for d in summary.remotes) if fn is not None
            ]
        by_file[relpath] = (summary, found)
        functions.extend(found)
    return Discovery(functions, registry, [p for p, _ in summaries], dropped, by_file)


def _register(registry: Registry, relpath: str, module: str, assign: ConfigAssign, profile: Profile) -> None:
    name = assign.name_value if assign.name_value else assign.variable
    flags = (assign.type_name in profile.lb_classes, assign.type_name in profile.live_classes)
    var_key = f"{module}:{assign.variable}"
    for key in (name, var_key):
        registry.configs[key] = name
        registry.types[key] = assign.type_name
        registry.variables[key] = assign.variable
        registry.flags[key] = flags
    registry.assignments.setdefault(name, []).append((relpath, assign))


def _resolve(decl: RemoteDecl, relpath: str, module: str, registry: Registry) -> DiscoveredFunction | None:
    ref = decl.config
    if ref.kind == "name":
        var_key = f"{module}:{ref.text}"
        if var_key in registry.configs:
            resource, how = registry.configs[var_key], "module"
        elif ref.text in registry.configs:
            resource, how = registry.configs[ref.text], "name"
        else:
            resource, how = ref.text, "fallback"
    elif ref.kind == "inline" and ref.inline_name:
        resource, how = ref.inline_name, "inline"
    else:
        return None
    is_lb, is_live = registry.flags.get(resource, (False, False))
    return DiscoveredFunction(
        name=decl.name,
        module=module,
        relpath=relpath,
        resource=resource,
        resource_type=registry.types.get(resource, "LiveServerless"),
        is_async=decl.kind == "async",
        is_class=decl.kind == "class",
        http_method=decl.method.value if decl.method.is_constant else None,
        http_path=decl.path.value if decl.path.is_constant else None,
        is_load_balanced=is_lb,
        is_live_resource=is_live,
        config_variable=registry.variables.get(resource),
        decl=decl,
        resolution=how,
    )
