"""Completion in runpod-flash 1.x projects from the API of the installed version: keyword
arguments of `Endpoint(...)` and the config classes, and enum members after `GpuType.` & co."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from ...core.flash1_api import Api
from ...core.flash1_api.argument_docs import ENDPOINT
from ...core.rules.flash1_editor import project_api

if TYPE_CHECKING:
    from ..server import FlashLanguageServer

_ATTRIBUTE = re.compile(r"\b([A-Za-z_]\w*)\.(\w*)$")
_ARGUMENT = re.compile(r"(?:^|,)\s*(\w*)$")


def api_of(ls: FlashLanguageServer, uri: str) -> Api | None:
    """The runpod-flash API of the document's project, None when it is not a 1.x project."""
    state = ls.session.state_for(uri)
    if state is None or state.project.profile.family != "flash1":
        return None
    return project_api(state.project)


def complete(api: Api, prefix: str, call: tuple[str, str] | None, top_level) -> list[types.CompletionItem] | None:
    """Items for the text before the cursor, None when this module has nothing to offer."""
    match = _ATTRIBUTE.search(prefix)
    if match and match.group(1) in api.enums:
        return enum_members(api, match.group(1))
    if call is None or call[0] not in api.signatures:
        return None
    callee, args_text = call
    flat = top_level(args_text)
    if not _ARGUMENT.search(flat):
        return None  # inside a value, not at an argument name
    given = set(re.findall(r"(\w+)\s*=", flat))
    return [
        types.CompletionItem(
            label=f"{p.name}=",
            kind=types.CompletionItemKind.Property,
            detail=f"{p.annotation} = {p.default}" if p.default is not None else p.annotation,
            documentation=types.MarkupContent(
                types.MarkupKind.Markdown, ENDPOINT.get(p.name, "") if callee == "Endpoint" else ""
            ),
            insert_text=f"{p.name}=",
            sort_text=f"0{i:03}",
        )
        for i, p in enumerate(api.signatures[callee])
        if p.name not in given
    ]


def enum_members(api: Api, enum: str) -> list[types.CompletionItem]:
    return [
        types.CompletionItem(
            label=member,
            kind=types.CompletionItemKind.EnumMember,
            detail=repr(data["value"]),
            documentation=f"{enum}.{member} = {data['value']!r}"
            + (f"\n\n{data['doc']}" if data["doc"] else "")
            + f"\n\nrunpod-flash {api.version}",
        )
        for member, data in api.enums[enum].items()
    ]
