"""How resource configs are used: one config per call, and functions that import a config.

`a = b = LiveServerless(...)` registers two variables but is one config (one call). A function in
another file that imports a config is resolved by the build under the variable name it uses (the
scanner does not follow imports), so the config itself gets no function; the views say so instead
of claiming that nothing uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .imports import module_file

if TYPE_CHECKING:
    from .discovery import DiscoveredFunction
    from .project import ProjectModel
    from .summary import ConfigAssign


def distinct_configs(assigns: list[tuple[str, ConfigAssign]]) -> list[tuple[str, ConfigAssign]]:
    """The assignments with one entry per config call (the first target of a chained assignment)."""
    seen: set = set()
    out = []
    for path, assign in assigns:
        key = (path, assign.call_span)
        if key not in seen:
            seen.add(key)
            out.append((path, assign))
    return out


def importers(model: ProjectModel, relpath: str, assign: ConfigAssign) -> list[DiscoveredFunction]:
    """`@remote` functions that import this config from `relpath` but that the build resolves by
    their own variable name, so they land in another endpoint."""
    out = []
    for fn in model.functions:
        ref = fn.decl.config
        if ref.kind != "name" or fn.resolution != "fallback":
            continue
        summary = model.summaries.get(fn.relpath)
        binding = summary.bindings.get(ref.text) if summary else None
        if binding is None or binding.kind != "import" or (binding.imported_name or ref.text) != assign.variable:
            continue
        if module_file(binding.detail, fn.relpath, model.files.files) == relpath:
            out.append(fn)
    return out


def unused_reason(model: ProjectModel, assigns: list[tuple[str, ConfigAssign]]) -> str:
    """Why a config that no function resolves to gets no endpoint, in a few words."""
    users = [fn for path, assign in assigns for fn in importers(model, path, assign)]
    if not users:
        return "no @remote function uses it"
    fn = users[0]
    more = f" (and {len(users) - 1} more)" if len(users) > 1 else ""
    return (
        f"{fn.name} in {fn.relpath}{more} imports it, but the build does not follow imports: "
        f"it goes to endpoint '{fn.resource}'"
    )
