"""Signature help for `Endpoint(...)` and the config classes of runpod-flash 1.x, with the
parameters, types and defaults of the installed version."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from ...core.flash1_api.argument_docs import ENDPOINT
from .api_completion import api_of
from .completion import innermost_call, top_level

if TYPE_CHECKING:
    from ..server import FlashLanguageServer


def register(server: FlashLanguageServer) -> None:
    options = types.SignatureHelpOptions(trigger_characters=["(", ","], retrigger_characters=[",", "="])

    @server.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP, options)
    def signature_help(ls: FlashLanguageServer, params: types.SignatureHelpParams) -> types.SignatureHelp | None:
        api = api_of(ls, params.text_document.uri)
        if api is None:
            return None
        doc = ls.workspace.get_text_document(params.text_document.uri)
        call = innermost_call(doc.source[: doc.offset_at_position(params.position)])
        if call is None or call[0] not in api.signatures:
            return None
        callee, args_text = call
        parameters = api.signatures[callee]
        label = f"{callee}("
        infos = []
        for i, p in enumerate(parameters):
            if i:
                label += ", "
            if p.keyword_only and (i == 0 or not parameters[i - 1].keyword_only):
                label += "*, "
            start = len(label)
            label += p.label
            documentation = ENDPOINT.get(p.name) if callee == "Endpoint" else None
            infos.append(types.ParameterInformation(label=(start, len(label)), documentation=documentation))
        label += ")"
        return types.SignatureHelp(
            signatures=[
                types.SignatureInformation(label=label, documentation=api.docs.get(callee) or None, parameters=infos)
            ],
            active_signature=0,
            active_parameter=_active(parameters, top_level(args_text)),
        )


def _active(parameters, flat: str) -> int:
    """The parameter being written: the one named before `=`, else the positional slot."""
    current = flat.rsplit(",", 1)[-1]
    named = re.match(r"\s*(\w+)\s*=", current)
    if named:
        return next((i for i, p in enumerate(parameters) if p.name == named.group(1)), len(parameters))
    position = flat.count(",")
    positional = [i for i, p in enumerate(parameters) if not p.keyword_only]
    return positional[position] if position < len(positional) else len(parameters)
