"""What the cursor is on in a runpod-flash 1.x file: an argument of an API call, an enum member or
an endpoint (its function name or `name=` string). Reads the usage cached by the last analysis."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...core.flash1_api import Api
from ...core.flash1_api.usage import Decorated, Usage, name_span, token_span
from ...core.model import Span
from ...core.rules.flash1_editor import module_usage, project_api

if TYPE_CHECKING:
    from ..session import DocumentView


@dataclass(frozen=True)
class FileApi:
    api: Api
    tree: ast.Module
    lines: list[str]
    usage: Usage


def file_api(view: DocumentView) -> FileApi | None:
    """The API and this file's usage of it, for a 1.x project file (None otherwise)."""
    if view.model.profile.family != "flash1":
        return None
    found = module_usage(view.state.project, view.rel)
    if found is None:
        return None
    return FileApi(project_api(view.state.project), *found)


def keyword_at(fa: FileApi, line: int, col: int) -> tuple[str, ast.keyword, Span] | None:
    for callee, call in fa.usage.calls:
        for kw in call.keywords:
            if kw.arg and callee in fa.api.signatures:
                span = token_span(kw, kw.arg, fa.lines)
                if span.contains(line, col):
                    return callee, kw, span
    return None


def member_at(fa: FileApi, line: int, col: int) -> tuple[str, ast.Attribute, Span] | None:
    for enum, node in fa.usage.members:
        span = Span.of(node, fa.lines)
        if span.contains(line, col):
            return enum, node, span
    return None


def endpoint_at(fa: FileApi, line: int, col: int) -> tuple[Decorated, Span] | None:
    """The endpoint whose function name, or literal `name=`, is under the cursor."""
    for decorated in fa.usage.decorated:
        if decorated.name_node is not None:
            span = Span.of(decorated.name_node, fa.lines)
            if span.contains(line, col):
                return decorated, span
        span = name_span(decorated.node, fa.lines)
        if span.contains(line, col):
            return decorated, span
    return None
