"""Custom requests for previews and the endpoints tree: `flash/manifest`, `flash/handler`,
`flash/endpoints` (see `schemas/protocol/`). Rendered from the unsaved buffers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...bundle.verdict import combined_outcome, pip_verdict
from ...core.project import BuildOutcome
from ...core.query import endpoint, endpoints, handler_files, handler_text
from ..convert import uri_of
from .projects import param, resolve_project

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import ProjectState


def register(server: FlashLanguageServer) -> None:
    @server.feature("flash/manifest")
    async def manifest(ls: FlashLanguageServer, params: Any) -> dict | None:
        state = await resolve_project(ls, params)
        if state is None or state.model is None:
            return None
        model = state.model
        outcome = _outcome(ls, state)
        return {
            "project": state.uri,
            "profile": model.profile.name,
            "text": model.manifest_text(),
            "succeeds": outcome.succeeds,
            "errors": outcome.errors,
            "version": state.counter,
        }

    @server.feature("flash/handler")
    async def handler(ls: FlashLanguageServer, params: Any) -> dict | None:
        state = await resolve_project(ls, params)
        resource = param(params, "resource")
        if state is None or state.model is None or resource is None:
            return None
        ep = endpoint(state.model, resource)
        if ep is None:
            name = str(resource)
            path = f"handler_{name}.py"
            return {"project": state.uri, "resource": name, "path": path, "text": None, "version": state.counter}
        path, text = handler_text(state.model, ep)
        wanted = param(params, "path")
        if isinstance(wanted, str) and wanted != path:  # another generated file of this endpoint
            mine = wanted in handler_files(state.model, ep)
            path, text = wanted, state.model.handlers.files.get(wanted) if mine else None
        return {"project": state.uri, "resource": ep.name, "path": path, "text": text, "version": state.counter}

    @server.feature("flash/endpoints")
    async def endpoints_request(ls: FlashLanguageServer, params: Any) -> dict:
        projects = []
        for state in list(ls.session.projects.values()):
            await ls.session.fresh(uri_of(state.root / "main.py"), timeout=5.0)
            model = state.model
            if model is None:
                continue
            outcome = _outcome(ls, state)
            projects.append(
                {
                    "uri": state.uri,
                    "name": model.project_name,
                    "profile": model.profile.name,
                    "profileLabel": model.profile.label,
                    "profileReason": state.profile_reason,
                    "succeeds": outcome.succeeds,
                    "errors": outcome.errors,
                    "warnings": outcome.warnings,
                    "uncertain": [u.to_json() for u in outcome.uncertain],
                    "archiveBytes": _archive_bytes(ls, state),
                    "sizeContributors": ls.bundle_sizes.contributors_of(state) if ls.bundle_sizes else [],
                    "endpoints": [
                        _endpoint_json(state, ep, _size_bytes(ls, state, ep))
                        for ep in endpoints(model)
                        if ep.functions or ep.is_mothership
                    ],
                }
            )
        return {"projects": projects}


def _location(state: ProjectState, relpath: str, span) -> dict:
    return {
        "uri": uri_of(state.root / relpath),
        "range": {
            "start": {"line": span.line, "character": span.col},
            "end": {"line": span.end_line, "character": span.end_col},
        },
    }


def _outcome(ls: FlashLanguageServer, state: ProjectState) -> BuildOutcome:
    """The build outcome with pip's verdict (null `succeeds`: unknown), as the status bar sees it."""
    sizes = ls.bundle_sizes
    return (
        sizes.outcome(state)
        if sizes is not None
        else combined_outcome(state.model.outcome, pip_verdict(state.model, None, "size prediction is not running"))
    )


def _archive_bytes(ls: FlashLanguageServer, state: ProjectState) -> int | None:
    """The predicted archive, from the same estimate as `flash/bundleSize` (the status bar's figure)."""
    sizes = ls.bundle_sizes
    estimate = sizes.current(state)[0] if sizes is not None else None
    return estimate.archive_bytes if estimate is not None else None


def _size_bytes(ls: FlashLanguageServer, state: ProjectState, ep) -> int | None:
    """What the endpoint brings in to the predicted archive (bundle_size.py; None until known)."""
    sizes = ls.bundle_sizes
    return sizes.endpoint_bytes(state, ep) if sizes is not None else None


def _endpoint_json(state: ProjectState, ep, size_bytes: int | None = None) -> dict:
    definition = ep.definition
    return {
        "name": ep.name,
        "resourceType": ep.resource_type,
        "compute": ep.compute,
        "loadBalanced": ep.is_load_balanced,
        "live": bool(ep.entry and ep.entry.get("is_live_resource")),
        "mothership": ep.is_mothership,
        "handlerFile": "handlers/handler_mothership.py" if ep.is_mothership else ep.handler_file,
        "handlerFiles": handler_files(state.model, ep),
        "sizeBytes": size_bytes,
        **({"location": _location(state, *definition)} if definition else {}),
        "functions": [
            {
                "name": f.name,
                "kind": f.decl.kind,
                "module": f.module,
                **({"route": f"{f.http_method} {f.http_path}"} if f.is_load_balanced else {}),
                "location": _location(state, f.relpath, f.decl.span),
            }
            for f in ep.functions
        ],
    }
