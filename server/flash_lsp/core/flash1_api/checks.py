"""Checks of one module against the runpod-flash API in use (docs/editor-1x.md): names the package
does not export, keywords and enum members that do not exist, values of the wrong type, and the
traps of `gpu=[...]` lists and client-mode endpoints. Each finding may carry `replacements`: texts
that can replace the flagged range ("did you mean")."""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from ..model import Span
from . import Api
from .usage import Usage, string_of, token_span

# texts the 1.21 build prints for a string where only enum members are accepted (checked against it)
ENUM_ONLY_ERRORS = {("Endpoint", "gpu"): "ValueError: gpu must be a GpuGroup, GpuType, or list, got str"}
SCALARS = frozenset({"bool", "int", "float", "Optional", "None"})
CONTAINERS = {
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.ListComp: "a list",
    ast.DictComp: "a dict",
    ast.SetComp: "a set",
}


@dataclass(frozen=True)
class Finding:
    code: str
    span: Span
    message: str
    replacements: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


def suggestions(word: str, candidates) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(word, list(dict.fromkeys(candidates)), n=3, cutoff=0.6))


def check_module(usage: Usage, api: Api, lines: list[str]) -> list[Finding]:
    out: list[Finding] = []
    where = f" ({api.source}/__init__.py)" if api.source.startswith("/") else ""
    for alias, _node in usage.imports:
        if alias.name != "*" and alias.name not in api.exports:
            span = token_span(alias, alias.name, lines)
            out.append(
                Finding(
                    "FL440",
                    span,
                    f"ImportError: cannot import name '{alias.name}' from 'runpod_flash'{where}. "
                    f"runpod-flash {api.version} does not export it{did_you_mean(s := suggestions(alias.name, api.exports))}",
                    s,
                )
            )
    for enum, node in usage.members:
        members = api.enums[enum]
        if node.attr not in members and not node.attr.startswith("_") and node.attr not in _ENUM_API:
            span = Span.of(node, lines)
            span = Span(span.end_line, span.end_col - len(node.attr), span.end_line, span.end_col)
            s = suggestions(node.attr, members)
            out.append(
                Finding(
                    "FL442",
                    span,
                    f"AttributeError: {node.attr}. {enum} of runpod-flash {api.version} has no member '{node.attr}'{did_you_mean(s)}",
                    s,
                )
            )
    for callee, call in usage.calls:
        if callee in api.signatures:
            out += _check_call(callee, call, usage, api, lines)
    return out


_ENUM_API = frozenset({"value", "name", "all", "from_string", "to_gpu_ids_str", "is_gpu_type", "is_gpu_group"})


def did_you_mean(options: tuple[str, ...]) -> str:
    """The end of a message: a question when there are suggestions, else a full stop."""
    return f"; did you mean {' or '.join(repr(o) for o in options)}?" if options else "."


def _check_call(callee: str, call: ast.Call, usage: Usage, api: Api, lines: list[str]) -> list[Finding]:
    out: list[Finding] = []
    parameters = {p.name: p for p in api.signatures[callee]}
    for kw in call.keywords:
        if kw.arg is None:
            continue
        parameter = parameters.get(kw.arg)
        if parameter is None:
            s = suggestions(kw.arg, parameters)
            if callee == "Endpoint":
                text = f"TypeError: Endpoint.__init__() got an unexpected keyword argument '{kw.arg}'{did_you_mean(s)}"
            else:
                text = f"{callee} has no field '{kw.arg}' in runpod-flash {api.version}: the value is silently ignored{did_you_mean(s)}"
            out.append(Finding("FL441" if callee == "Endpoint" else "FL448", token_span(kw, kw.arg, lines), text, s))
            continue
        out += _check_value(callee, kw.arg, parameter.annotation, kw.value, usage, api, lines)
        if callee == "Endpoint" and kw.arg == "gpu" and isinstance(kw.value, ast.List) and len(kw.value.elts) > 1:
            first = ast.get_source_segment("\n".join(lines), kw.value.elts[0]) or ""
            out.append(
                Finding(
                    "FL444",
                    Span.of(kw.value, lines),
                    "gpu=[...] with several entries lets Runpod pick any of them for each worker: a list does not pin one card, a single value does.",
                    (first,) if first else (),
                )
            )
    if callee == "Endpoint":
        for mode in ("id", "image"):
            if any(kw.arg == mode for kw in call.keywords):
                what = "connects to an existing endpoint" if mode == "id" else "deploys the given image"
                out.append(
                    Finding(
                        "FL445",
                        Span.of(call.func, lines),
                        f"Endpoint({mode}=...) is a client: it {what} and ships none of this project's code; `flash deploy` provisions no worker for your functions here.",
                    )
                )
                break
    return out


def _check_value(
    callee: str, name: str, annotation: str, value: ast.expr, usage: Usage, api: Api, lines: list[str]
) -> list[Finding]:
    words = set(re.findall(r"\w+", annotation))
    enums = api.enums_in(annotation)
    kind = CONTAINERS.get(type(value)) or _constant_kind(value)
    if kind and words and words <= SCALARS and kind not in words and not (kind == "int" and "float" in words):
        expected = " or ".join(sorted(words - {"Optional", "None"}))
        return [
            Finding("FL443", Span.of(value, lines), f"{callee}({name}=...) expects {expected}, got {_article(kind)}.")
        ]
    if not enums:
        return []
    items = value.elts if isinstance(value, ast.List) and ("List" in words or "list" in words) else [value]
    out = []
    for item in items:
        literal = string_of(item)
        if literal is None:
            continue
        matched = _enum_match(literal.value, enums, api)
        if ("str" in words) and matched and matched[1]:
            continue  # a valid value written as a string
        out.append(_enum_string(callee, name, literal, enums, matched, usage, api, lines, str_ok="str" in words))
    return out


def _enum_string(callee, name, literal, enums, matched, usage: Usage, api: Api, lines, str_ok: bool) -> Finding:
    span = Span.of(literal, lines)
    local = {exported: local for local, exported in usage.names.items()}
    replacements: tuple[str, ...] = ()
    if matched and matched[0] in local:
        replacements = (f"{local[matched[0]]}.{matched[2]}",)
    if str_ok:
        values = [v for e in enums for v in api.enum_values[e]]
        s = suggestions(literal.value, values)
        replacements = replacements or tuple(f'"{v}"' for v in s)
        prefix = f"ValueError: '{literal.value}' is not a valid {enums[0]}. " if enums[0] == "CpuInstanceType" else ""
        return Finding(
            "FL443",
            span,
            f"{prefix}{callee}({name}=...): '{literal.value}' is not a value of {' or '.join(enums)}{did_you_mean(tuple(r.strip(chr(34)) for r in replacements))}",
            replacements,
        )
    prefix = ENUM_ONLY_ERRORS.get((callee, name))
    hint = f"; use {replacements[0]}" if replacements else ""
    text = f"{prefix}. " if prefix else ""
    return Finding(
        "FL443",
        span,
        f"{text}{callee}({name}=...) takes {' or '.join(enums)} members, not a string{hint}.",
        replacements,
    )


def _enum_match(text: str, enums: list[str], api: Api) -> tuple[str, bool, str] | None:
    """(enum, whether `text` is exactly a value, member name) for a string naming a member."""
    norm = _normal(text)
    for enum in enums:
        for member, data in api.enums[enum].items():
            if text == str(data["value"]):
                return enum, True, member
            if norm in (_normal(str(data["value"])), _normal(member)):
                return enum, enum == "DataCenter", member  # DataCenter.from_string accepts variations
    return None


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _constant_kind(value: ast.expr) -> str | None:
    if isinstance(value, ast.Constant):
        v = value.value
        return (
            "bool"
            if isinstance(v, bool)
            else "int"
            if isinstance(v, int)
            else "float"
            if isinstance(v, float)
            else "str"
            if isinstance(v, str)
            else None
        )
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id[:1].isupper():
        return "object"
    return None


def _article(kind: str) -> str:
    return kind if kind.startswith("a ") else f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
