"""What is at a source position, and everything the model knows about one endpoint.

Shared by hover, CodeLens, navigation and previews so they all say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .handlers import render_lb, render_mothership, render_qb
from .imports import module_file
from .manifest import group, manifest_entries
from .model import Span
from .profiles import CPU_CLASSES

if TYPE_CHECKING:
    from .discovery import DiscoveredFunction
    from .project import ProjectModel
    from .summary import ConfigAssign, RemoteDecl


@dataclass
class Endpoint:
    """One resource of the predicted manifest (or a config no @remote function uses)."""

    key: Any
    resource_type: str
    functions: list[DiscoveredFunction] = field(default_factory=list)
    assignments: list[tuple[str, ConfigAssign]] = field(default_factory=list)
    entry: dict | None = None  # the manifest entry, when the build writes one
    is_mothership: bool = False

    @property
    def name(self) -> str:
        return str(self.key)

    @property
    def handler_file(self) -> str:
        return f"handler_{self.key}.py"

    @property
    def is_load_balanced(self) -> bool:
        return (
            bool(self.entry.get("is_load_balanced"))
            if self.entry
            else bool(self.functions and self.functions[0].is_load_balanced)
        )

    @property
    def compute(self) -> str:
        return "CPU" if self.resource_type in CPU_CLASSES else "GPU"

    @property
    def definition(self) -> tuple[str, Span] | None:
        if self.assignments:
            path, assign = self.assignments[-1]
            return path, assign.span
        if self.functions:
            return self.functions[0].relpath, self.functions[0].decl.decorator_span
        return None


def endpoints(model: ProjectModel) -> list[Endpoint]:
    """Every endpoint in manifest order, then configs that no function uses."""
    registry = model.discovery.registry
    resources = manifest_entries(model)
    out = []
    for key, fns in sorted(group(model.functions).items(), key=lambda kv: str(kv[0])):
        out.append(Endpoint(key, fns[0].resource_type, fns, registry.assignments.get(key, []), resources.get(key)))
    info = model.manifest_result.mothership if model.manifest_result else None
    if info is not None and info.key in resources:
        out.append(Endpoint(info.key, info.type_name, [], [], resources[info.key], is_mothership=True))
    used = {e.key for e in out}
    for key, assigns in registry.assignments.items():
        if key not in used:
            out.append(Endpoint(key, assigns[-1][1].type_name, [], assigns, None))
    return out


def endpoint(model: ProjectModel, key: Any) -> Endpoint | None:
    return next((e for e in endpoints(model) if e.key == key or e.name == str(key)), None)


def handler_files(model: ProjectModel, ep: Endpoint) -> list[str]:
    """Every file the build generates for `ep`: the mothership has its LB handler, named by its
    manifest entry (handler_mothership.py), and handlers/handler_mothership.py, which serves the app."""
    if not ep.is_mothership:
        return [ep.handler_file]
    named = (ep.entry or {}).get("handler_file")
    return [p for p in (named, "handlers/handler_mothership.py") if p and p in model.handlers.files] or [
        "handlers/handler_mothership.py"
    ]


def handler_text(model: ProjectModel, ep: Endpoint) -> tuple[str, str | None]:
    """(relpath, text) of an endpoint's handler: as the build writes it, else rendered for preview."""
    if ep.is_mothership:
        path = "handlers/handler_mothership.py"
        if path in model.handlers.files:
            return path, model.handlers.files[path]
        entry = ep.entry or {}
        return path, render_mothership(entry.get("main_file", "main.py"), entry.get("app_variable", "app"))
    if ep.handler_file in model.handlers.files:
        return ep.handler_file, model.handlers.files[ep.handler_file]
    if not ep.functions:
        return ep.handler_file, None
    fns = [
        {"name": f.name, "module": f.module, "http_method": f.http_method, "http_path": f.http_path}
        for f in ep.functions
    ]
    first = ep.functions[0]
    if first.is_load_balanced:
        text = render_lb(
            ep.key, {"functions": fns, "is_live_resource": first.is_live_resource}, model.generated_at, model.profile
        )
    else:
        text = render_qb(ep.key, fns, model.generated_at)
    return ep.handler_file, text


@dataclass
class Target:
    """The Flash thing under the cursor."""

    kind: str  # "function" | "skipped" | "config"
    span: Span
    function: DiscoveredFunction | None = None
    decl: RemoteDecl | None = None
    endpoint: Endpoint | None = None


def target_at(model: ProjectModel, relpath: str, line: int, col: int) -> Target | None:
    summary = model.summaries.get(relpath)
    if summary is None:
        return None
    fns = [f for f in model.functions if f.relpath == relpath]
    for fn in fns:
        ref = fn.decl.config
        if ref.span and ref.span.contains(line, col) and ref.kind == "name":
            return Target("config", ref.span, fn, fn.decl, endpoint(model, fn.resource))
        if fn.decl.span.contains(line, col) or fn.decl.decorator_span.contains(line, col):
            return Target("function", fn.decl.span, fn, fn.decl, endpoint(model, fn.resource))
    for decl in summary.remotes:
        if decl.span.contains(line, col) or decl.decorator_span.contains(line, col):
            return Target("skipped", decl.span, None, decl)
    for assign in summary.configs:
        spans = [s for s in (assign.span, assign.name_span) if s]
        hit = next((s for s in spans if s.contains(line, col)), None)
        if hit:
            key = assign.name_value if assign.name_value else assign.variable
            return Target("config", hit, endpoint=endpoint(model, key))
    for name, binding in summary.bindings.items():
        if binding.kind == "import" and binding.span.contains(line, col):
            target = module_file(binding.detail, relpath, model.files.files)
            other = model.summaries.get(target) if target else None
            assign = (
                next((a for a in other.configs if a.variable == (binding.imported_name or name)), None)
                if other
                else None
            )
            if assign is not None:
                key = assign.name_value if assign.name_value else assign.variable
                return Target("config", binding.span, endpoint=endpoint(model, key))
    return None


def config_definition(model: ProjectModel, fn: DiscoveredFunction) -> tuple[str, Span] | None:
    """Where the config a function's decorator names is assigned (following one import)."""
    ref = fn.decl.config
    summary = model.summaries.get(fn.relpath)
    if ref.kind != "name" or summary is None:
        return None
    local = [a for a in summary.configs if a.variable == ref.text and a.module_level]
    if local:
        return fn.relpath, local[-1].span
    binding = summary.bindings.get(ref.text)
    if binding and binding.kind == "import":
        target = module_file(binding.detail, fn.relpath, model.files.files)
        other = model.summaries.get(target) if target else None
        if other:
            assign = next((a for a in other.configs if a.variable == (binding.imported_name or ref.text)), None)
            if assign:
                return target, assign.span
    if binding:
        return fn.relpath, binding.span
    return None
