"""Completion: config names inside `@remote(`, enum members after `GpuGroup.` and friends (with
the GPUs each pool stands for), and resource-class keyword parameters with types and defaults."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from ...core import flash_api
from ...core.imports import module_file
from ...core.profiles import RESOURCE_CLASSES
from . import api_completion

if TYPE_CHECKING:
    from ...core.project import ProjectModel
    from ..server import FlashLanguageServer

_ENUM_ACCESS = re.compile(r"\b(" + "|".join(flash_api.ENUMS) + r")\.(\w*)$")
REMOTE_KEYWORDS = {
    "resource_config": "the endpoint's resource config",
    "dependencies": "pip requirements (installed only for sync defs under workers/)",
    "system_dependencies": "apt packages installed by the worker at runtime",
    "method": "HTTP method of a load-balanced route: GET, POST, PUT, DELETE, PATCH",
    "path": "route path of a load-balanced endpoint, starting with /",
}


def register(server: FlashLanguageServer) -> None:
    session = server.session
    options = types.CompletionOptions(trigger_characters=[".", "(", ",", " "])

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, options)
    async def completion(ls: FlashLanguageServer, params: types.CompletionParams):
        uri = params.text_document.uri
        doc = ls.workspace.get_text_document(uri)
        prefix = doc.source[: doc.offset_at_position(params.position)]
        api = api_completion.api_of(ls, uri)  # 1.x: the API of the installed runpod-flash
        if api is not None:
            return api_completion.complete(api, prefix, innermost_call(prefix), top_level)
        match = _ENUM_ACCESS.search(prefix)
        if match:
            return _enum_members(match.group(1))
        call = innermost_call(prefix)
        if call is None:
            return None
        callee, args_text = call
        if callee in RESOURCE_CLASSES or callee == "PodTemplate":
            return _keywords(flash_api.RESOURCE_PARAMETERS if callee != "PodTemplate" else _TEMPLATE, args_text)
        if callee == "remote":
            view = await session.document(uri)
            configs = _config_names(view.model, view.rel) if view else []
            first_argument = "," not in top_level(args_text) and "=" not in args_text
            after_keyword = re.search(r"resource_config\s*=\s*\w*$", args_text)
            items = configs if (first_argument or after_keyword) else []
            return items + _keywords({k: ("", v) for k, v in REMOTE_KEYWORDS.items()}, args_text)
        return None


_TEMPLATE = {k: (type(v).__name__, repr(v)) for k, v in flash_api.TEMPLATE_DEFAULTS.items()}


def _enum_members(enum: str) -> list[types.CompletionItem]:
    items = []
    for member, value in flash_api.ENUMS[enum].items():
        detail = flash_api.POOL_DESCRIPTIONS.get(member, "") if enum == "GpuGroup" else value
        documentation = f"{enum}.{member} = {value!r}"
        kind = types.CompletionItemKind.EnumMember
        items.append(types.CompletionItem(label=member, kind=kind, detail=detail, documentation=documentation))
    return items


def _keywords(parameters: dict, args_text: str) -> list[types.CompletionItem]:
    given = set(re.findall(r"(\w+)\s*=", top_level(args_text)))
    return [
        types.CompletionItem(
            label=f"{name}=",
            kind=types.CompletionItemKind.Property,
            detail=f"{typ} = {default}" if typ else default,
            insert_text=f"{name}=",
            sort_text=f"0{name}",
        )
        for name, (typ, default) in parameters.items()
        if name not in given
    ]


def _config_names(model: ProjectModel, rel: str) -> list[types.CompletionItem]:
    summary = model.summaries.get(rel)
    if summary is None:
        return []
    items = {}
    for assign in summary.configs:
        if assign.module_level:
            key = assign.name_value or assign.variable
            items[assign.variable] = types.CompletionItem(
                label=assign.variable,
                kind=types.CompletionItemKind.Variable,
                detail=f"{assign.type_name} · endpoint {key}",
                sort_text=f"0{assign.variable}",
            )
    for name, binding in summary.bindings.items():
        if binding.kind != "import" or name in items:
            continue
        target = module_file(binding.detail, rel, model.files.files)
        other = model.summaries.get(target) if target else None
        wanted = binding.imported_name or name
        assign = next((a for a in other.configs if a.variable == wanted), None) if other else None
        if assign is not None:
            items[name] = types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Variable,
                detail=f"{assign.type_name} · imported from {binding.detail}",
                sort_text=f"1{name}",
            )
    return list(items.values())


def innermost_call(prefix: str) -> tuple[str, str] | None:
    """(callee name, text after its open paren) of the innermost call still open at the cursor."""
    depth = 0
    quote = None
    for i in range(len(prefix) - 1, -1, -1):
        ch = prefix[i]
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'" and (i == 0 or prefix[i - 1] != "\\"):
            quote = ch
        elif ch in ")]}":
            depth += 1
        elif ch in "([{":
            if depth == 0:
                if ch != "(":
                    return None
                match = re.search(r"([A-Za-z_][\w.]*)\s*$", prefix[:i])
                if not match:
                    return None
                return match.group(1).rsplit(".", 1)[-1], prefix[i + 1 :]
            depth -= 1
        elif ch == "\n" and prefix[i - 1 : i] == "\n" and depth == 0:
            return None
    return None


def top_level(args_text: str) -> str:
    """Argument text with nested brackets removed, so commas inside lists do not count."""
    out, depth = [], 0
    for ch in args_text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)
