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
                if ep.functions:
                    title = f"endpoint {ep.name} · {ep.resource_type} · {len(ep.functions)} function(s) · {ep.handler_file}"
                    title += size_views.lens_suffix(ls, state, ep)  # archive size (size_views.py)
                else:
                    title = f"endpoint {ep.name} · {ep.resource_type} · not deployed: {unused_reason(model, ep.assignments)}"
                lenses.append(_lens(assign.span, title, "flash.showHandlerPreview", {"project": state.uri, "resource": ep.name}, lines, codec))
            for fn in ep.functions:
                if fn.relpath != rel:
                    continue
                route = f" · {fn.http_method} {fn.http_path}" if fn.is_load_balanced else ""
                lenses.append(
                    _lens(fn.decl.decorator_span, f"→ {ep.name}{route}", "flash.showHandlerPreview", {"project": state.uri, "resource": ep.name}, lines, codec)
                )
        return lenses


def _lens(span: Span, title: str, command: str, args: dict, lines, codec) -> types.CodeLens:
    line_span = Span(span.line, 0, span.line, 0)
    return types.CodeLens(range=to_range(line_span, lines, codec), command=types.Command(title=title, command=command, arguments=[args]))
