"""CodeLens above resource configs (`endpoint gpu_worker · LiveServerless · 2 functions · handler_…`)
and above `@remote` functions (`→ gpu_worker`). Served from the last good model, so lenses do not
flicker while a buffer does not parse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ...core.config_uses import distinct_configs, unused_reason
from ...core.model import Span
from ...core.query import endpoints
from ..convert import to_range
from . import size_views

if TYPE_CHECKING:
    from ..server import FlashLanguageServer


def register(server: FlashLanguageServer) -> None:
    session = server.session

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def code_lens(ls: FlashLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
        if not session.settings.code_lens:
            return None
        view = await session.document(params.text_document.uri)
        if view is None:
            return None
        state, model, rel, lines = view.state, view.model, view.rel, view.lines
        codec = ls.workspace.position_codec
        lenses = []
        for ep in endpoints(model):
            for path_, assign in distinct_configs(ep.assignments):
                if path_ != rel:
                    continue
                head = f"endpoint {ep.name} · {ep.resource_type}"
                if ep.functions:
                    title = f"{head} · {len(ep.functions)} function(s) · {ep.handler_file}"
                    title += size_views.lens_suffix(ls, state, ep)  # archive size (size_views.py)
                else:
                    title = f"{head} · not deployed: {unused_reason(model, ep.assignments)}"
                lenses.append(_lens(assign.span, title, _preview(state.uri, ep.name), lines, codec))
            for fn in ep.functions:
                if fn.relpath != rel:
                    continue
                route = f" · {fn.http_method} {fn.http_path}" if fn.is_load_balanced else ""
                title = f"→ {ep.name}{route}"
                lenses.append(_lens(fn.decl.decorator_span, title, _preview(state.uri, ep.name), lines, codec))
        return lenses


def _preview(project: str, resource: str) -> tuple[str, dict]:
    """The client command that opens the handler preview of `resource`."""
    return "flash.showHandlerPreview", {"project": project, "resource": resource}


def _lens(span: Span, title: str, command: tuple[str, dict], lines, codec) -> types.CodeLens:
    name, args = command
    line_span = Span(span.line, 0, span.line, 0)
    return types.CodeLens(
        range=to_range(line_span, lines, codec), command=types.Command(title=title, command=name, arguments=[args])
    )
