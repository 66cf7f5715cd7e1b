"""Go to definition (decorator config → its assignment, across modules; jedi as the fallback),
references (config → the decorators that use it), document and workspace symbols."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ...core.model import Span
from ...core.query import config_definition, endpoints, target_at
from ..convert import from_position, path_of, to_range, uri_of

if TYPE_CHECKING:
    from ...core.project import ProjectModel
    from ..server import FlashLanguageServer
    from ..session import ProjectState

log = logging.getLogger(__name__)


def register(server: FlashLanguageServer) -> None:
    session = server.session

    async def locate(ls: FlashLanguageServer, uri: str, position: types.Position):
        view = await session.document(uri)
        if view is None:
            return None, None, None
        line, col = from_position(position, view.lines, ls.workspace.position_codec)
        return view.state, view.model, target_at(view.model, view.rel, line, col)

    def location(ls: FlashLanguageServer, state: ProjectState, relpath: str, span: Span) -> types.Location:
        uri = uri_of(state.root / relpath)
        doc = ls.workspace.text_documents.get(uri)
        lines = doc.lines if doc else _disk_lines(state.root / relpath)
        return types.Location(uri, to_range(span, lines, ls.workspace.position_codec))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: FlashLanguageServer, params: types.DefinitionParams):
        state, model, target = await locate(ls, params.text_document.uri, params.position)
        if target is None or target.kind == "skipped":
            return None
        if target.function is not None and target.kind == "config":
            found = config_definition(model, target.function)
            if found:
                return location(ls, state, *found)
            return _jedi_definition(ls, params)
        if target.endpoint is not None and target.endpoint.definition:
            return location(ls, state, *target.endpoint.definition)
        return None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: FlashLanguageServer, params: types.ReferenceParams):
        state, model, target = await locate(ls, params.text_document.uri, params.position)
        if target is None or target.endpoint is None:
            return None
        ep = target.endpoint
        out = [location(ls, state, f.relpath, f.decl.config.span or f.decl.decorator_span) for f in ep.functions]
        if params.context.include_declaration:
            out += [location(ls, state, path, assign.span) for path, assign in ep.assignments]
        return out

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbols(ls: FlashLanguageServer, params: types.DocumentSymbolParams):
        view = await session.document(params.text_document.uri)
        if view is None:
            return None
        codec = ls.workspace.position_codec
        return _document_symbols(view.model, view.rel, lambda s: to_range(s, view.lines, codec))

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbols(ls: FlashLanguageServer, params: types.WorkspaceSymbolParams):
        query = params.query.lower()
        out = []
        for state in list(session.projects.values()):
            model = state.model
            if model is None:
                continue
            for ep in endpoints(model):
                if query in ep.name.lower() and ep.definition:
                    out.append(
                        types.SymbolInformation(
                            name=f"endpoint {ep.name}",
                            kind=types.SymbolKind.Class,
                            location=location(ls, state, *ep.definition),
                            container_name=model.project_name,
                        )
                    )
                for fn in ep.functions:
                    if query in fn.name.lower():
                        out.append(
                            types.SymbolInformation(
                                name=fn.name,
                                kind=types.SymbolKind.Function,
                                location=location(ls, state, fn.relpath, fn.decl.span),
                                container_name=f"endpoint {ep.name}",
                            )
                        )
        return out


def _document_symbols(model: ProjectModel, rel: str, rng) -> list[types.DocumentSymbol]:
    """Endpoints configured in this file, with their functions in this file as children. Each
    range contains its selection range (and an endpoint's range its children), as clients require."""
    symbols = []
    for ep in endpoints(model):
        here = [(p, a) for p, a in ep.assignments if p == rel]
        fns = [f for f in ep.functions if f.relpath == rel]
        children = [
            types.DocumentSymbol(
                name=f.name,
                kind=types.SymbolKind.Function,
                range=rng(_cover(f.decl.decorator_span, f.decl.span)),
                selection_range=rng(f.decl.span),
                detail=f"→ {ep.name}",
            )
            for f in fns
        ]
        if here:
            _, assign = here[-1]
            whole = _cover(assign.span, assign.call_span, *(_cover(f.decl.decorator_span, f.decl.span) for f in fns))
            symbols.append(
                types.DocumentSymbol(
                    name=f"endpoint {ep.name}",
                    kind=types.SymbolKind.Class,
                    range=rng(whole),
                    selection_range=rng(assign.span),
                    detail=ep.resource_type,
                    children=children,
                )
            )
        else:
            symbols.extend(children)
    return symbols


def _cover(*spans: Span) -> Span:
    start = min((s.line, s.col) for s in spans)
    end = max((s.end_line, s.end_col) for s in spans)
    return Span(start[0], start[1], end[0], end[1])


def _jedi_definition(ls: FlashLanguageServer, params: types.DefinitionParams):
    """Follow aliases and re-exports our own resolution cannot (jedi, on demand only)."""
    try:
        import jedi

        doc = ls.workspace.get_text_document(params.text_document.uri)
        path = path_of(params.text_document.uri)
        script = jedi.Script(code=doc.source, path=str(path) if path else None)
        names = script.goto(params.position.line + 1, params.position.character, follow_imports=True)
    except Exception as exc:  # noqa: BLE001 - jedi failures must not break navigation
        log.debug("jedi goto failed: %s", exc)
        return None
    out = []
    for name in names:
        if name.module_path and name.line is not None:
            pos = types.Position(name.line - 1, name.column)
            out.append(types.Location(uri_of(Path(name.module_path)), types.Range(pos, pos)))
    return out or None


def _disk_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
