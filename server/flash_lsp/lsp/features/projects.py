"""Which project a custom request is about: `project` (a root URI) or `uri` (a file in it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..convert import path_of, uri_of

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import ProjectState


def param(params: Any, key: str) -> Any:
    """A custom request's parameter (pygls hands them over as dicts or as namedtuples)."""
    if isinstance(params, dict):
        return params.get(key)
    return getattr(params, key, None)


async def resolve_project(ls: FlashLanguageServer, params: Any) -> ProjectState | None:
    """The project named by `project` (root URI) or containing `uri`, brought up to date; the only
    project when neither is given."""
    session = ls.session
    target = param(params, "project") or param(params, "uri")
    if not isinstance(target, str):
        states = list(session.projects.values())
        state = states[0] if len(states) == 1 else None
    else:
        path = path_of(target)
        state = session.projects.get(path.resolve()) if path else None
        state = state or session.state_for(target)
    if state is None:
        return None
    await session.fresh(uri_of(state.root / "main.py"), timeout=5.0)
    return state
