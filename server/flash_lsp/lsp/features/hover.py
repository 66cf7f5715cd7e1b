"""Hover on `@remote` functions and resource configs: what the build will make of them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from lsprotocol import types

from ...core.config_uses import unused_reason
from ...core.query import Endpoint, handler_text, target_at
from ...core.report import DEPLOYMENT_KEYS
from ..convert import from_position, to_range
from . import api_hover, size_views

if TYPE_CHECKING:
    from ...core.discovery import DiscoveredFunction
    from ...core.project import ProjectModel
    from ..server import FlashLanguageServer

HANDLER_LINES = 14


def register(server: FlashLanguageServer) -> None:
    session = server.session

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: FlashLanguageServer, params: types.HoverParams) -> types.Hover | None:
        view = await session.document(params.text_document.uri)
        if view is None:
            return None
        state, model, lines = view.state, view.model, view.lines
        line, col = from_position(params.position, lines, ls.workspace.position_codec)
        # archive size (size_views.py): a dependencies=[...] string or a requirements.txt line
        dependency = size_views.dependency_hover(ls, view, line, col)
        if dependency is not None:
            return dependency
        api = api_hover.api_hover(ls, view, line, col)  # 1.x: an argument or enum member
        if api is not None:
            return api
        target = target_at(model, view.rel, line, col)
        request = api_hover.request_section(view, line, col)  # 1.x: the endpoint's example request
        if target is None:
            return (
                types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=request))
                if request
                else None
            )
        if target.kind == "skipped":
            name = target.decl.name
            text = f"**`{name}`** is not discovered by `flash build`: it gets no endpoint (see the diagnostic)."
        elif target.kind == "function":
            text = function_markdown(model, target.function, target.endpoint, state.uri, ls.command_links)
        else:
            text = endpoint_markdown(model, target.endpoint, state.uri, ls.command_links) if target.endpoint else None
        if not text:
            return None
        text += f"\n\n{request}" if request else ""
        # archive size (size_views.py): the predicted archive and what this endpoint brings in
        size = size_views.endpoint_hover_line(ls, state, target.endpoint)
        text += f"\n\n{size}" if size else ""
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=to_range(target.span, lines, ls.workspace.position_codec),
        )


def command_link(title: str, command: str, args: dict) -> str:
    return f"[{title}](command:{command}?{quote(json.dumps([args]))})"


def kind_of(ep: Endpoint) -> str:
    flow = "load-balanced" if ep.is_load_balanced else "queue-based"
    live = " · live" if ep.entry and ep.entry.get("is_live_resource") else ""
    return f"{ep.resource_type} · {ep.compute} · {flow}{live}"


def function_markdown(
    model: ProjectModel, fn: DiscoveredFunction, ep: Endpoint | None, project: str, links: bool = False
) -> str:
    """The hover of a `@remote` function; `links`: add `command:` links (only clients that run them)."""
    entry = next((f for f in (ep.entry or {}).get("functions", []) if f["name"] == fn.name), None) if ep else None
    if entry is None and ep is not None and (ep.entry or {}).get("qualname") == fn.name:
        entry = ep.entry  # runpod 2.0: the resource itself is the manifest entry
    parts = [f"**`{fn.name}`** → endpoint **`{fn.resource}`** · {kind_of(ep) if ep else fn.resource_type}"]
    if fn.is_load_balanced:
        parts.append(f"Route: `{fn.http_method} {fn.http_path}`")
    parts.append(f'Handler: `handler_{fn.resource}.py` · function_registry: `"{fn.name}": "{fn.resource}"`')
    if entry is not None:
        parts.append("Manifest entry:\n```json\n" + json.dumps(entry, indent=2) + "\n```")
    elif not model.outcome.succeeds:
        parts.append("The build fails before writing the manifest: " + "; ".join(model.outcome.errors))
    parts.append(_dependencies(model, fn))
    if links:
        parts.append(
            _handler_link(project, str(fn.resource))
            + " · "
            + command_link("Open manifest preview", "flash.showManifestPreview", {"project": project})
        )
    return "\n\n".join(p for p in parts if p)


def _dependencies(model: ProjectModel, fn: DiscoveredFunction) -> str:
    summary = model.summaries.get(fn.relpath)
    decls = [d for d in (summary.dependencies if summary else []) if d.function == fn.name]
    if not decls:
        return ""
    installed = {str(r.text) for r in model.requirements.installed}
    items = []
    for decl in decls:
        for value, _span in decl.items:
            if str(value) in installed and not decl.is_async and fn.relpath.startswith("workers/"):
                items.append(f"✓ `{value}`")
            else:
                outside = not fn.relpath.startswith("workers/")
                why = "async def" if decl.is_async else "outside workers/" if outside else "excluded"
                items.append(f"✗ `{value}` (not installed: {why})")
    return "Dependencies: " + " · ".join(items) if items else ""


def handler_excerpt(text: str, count: int = HANDLER_LINES) -> str:
    """The handler without its generated docstring header: imports and registry first."""
    lines = text.splitlines()
    if lines and lines[0].startswith('"""'):
        end = next((i for i in range(1, len(lines)) if lines[i].strip().endswith('"""')), 0)
        lines = lines[end + 1 :]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join(lines[:count])


def endpoint_markdown(model: ProjectModel, ep: Endpoint, project: str, links: bool = False) -> str:
    """The hover of a resource config; `links` as for `function_markdown`."""
    parts = [f"**endpoint `{ep.name}`** · {kind_of(ep)} · {len(ep.functions)} function(s)"]
    if ep.assignments:
        path, assign = ep.assignments[-1]
        how = "name=" if assign.name_value else "the variable name (no literal name=)"
        parts.append(f"Key `{ep.name}` from {how} · config variable `{assign.variable}` in `{path}`")
    if not ep.functions and not ep.is_mothership:
        parts.append(
            f"Not deployed: {unused_reason(model, ep.assignments)}, so the build creates no endpoint for this config."
        )
    if ep.functions:
        parts.append("Functions: " + ", ".join(f"`{f.name}`" for f in ep.functions))
    deployment = {k: v for k, v in (ep.entry or {}).items() if k in DEPLOYMENT_KEYS}
    if deployment:
        parts.append("Deployment fields:\n```json\n" + json.dumps(deployment, indent=2) + "\n```")
    elif ep.entry is not None:
        dep = model.deployments.get(ep.key)
        why = f" ({dep.omitted_because})" if dep and dep.omitted_because else ""
        parts.append(f"No deployment fields in the manifest{why}.")
    relpath, text = handler_text(model, ep)
    if text:
        parts.append(f"`{relpath}`:\n```python\n{handler_excerpt(text)}\n…\n```")
    if links:
        parts.append(_handler_link(project, ep.name))
    return "\n\n".join(parts)


def _handler_link(project: str, resource: str) -> str:
    return command_link("Open handler preview", "flash.showHandlerPreview", {"project": project, "resource": resource})
