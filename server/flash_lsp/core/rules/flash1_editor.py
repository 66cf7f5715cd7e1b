"""Editor diagnostics of runpod-flash 1.x projects (FL440–FL449, docs/editor-1x.md): the API of
the installed version misused, and the traps of decorated bodies (only the body ships)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..flash1.analysis import parse_source
from ..flash1.per_file import per_file
from ..flash1_api import Api, api_for
from ..flash1_api.checks import check_module, did_you_mean, suggestions
from ..flash1_api.free_names import free_names, module_bindings
from ..flash1_api.usage import Decorated, Usage, keyword, name_span, read_usage
from ..model import Diagnostic, Span
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel


def project_api(project: Project) -> Api:
    source = project.environment.source
    return api_for(source if source.startswith("/") else None)


def module_usage(project: Project, relpath: str) -> tuple[ast.Module, list[str], Usage] | None:
    """The AST, lines and API usage of one 1.x project file (cached per file version)."""
    text = project.text(relpath)
    cached = project.__dict__.get("_flash1_sources", {}).get(relpath)
    memo = project.rule_memo
    if cached is not None and cached[0] is text:
        source = cached[1]
    else:  # the prediction stopped before its scan (e.g. at the closure check): parse it here
        parsed = memo.get(("flash1-source", relpath))
        if parsed is None or parsed[0] is not text:
            parsed = memo[("flash1-source", relpath)] = (text, parse_source(relpath, text))
        source = parsed[1]
    if source.tree is None:
        return None
    hit = memo.get(("flash1-usage", relpath))
    if hit is not None and hit[0] is source:
        return hit[1]
    api = project_api(project)
    result = (source.tree, source.lines, read_usage(source.tree, frozenset(api.enums), source))
    memo[("flash1-usage", relpath)] = (source, result)
    return result


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    prediction = model.__dict__.get("flash1")
    if prediction is None:
        return
    api = project_api(project)
    endpoint_functions = frozenset(f.name for f in model.functions)
    previous = project.rule_memo.get("flash1-endpoint-functions")
    if previous == endpoint_functions:  # the same object: the per-file memo keys compare by identity
        endpoint_functions = previous
    project.rule_memo["flash1-endpoint-functions"] = endpoint_functions

    def of_file(relpath: str) -> list[Diagnostic]:
        found = module_usage(project, relpath)
        if found is None:
            return []
        tree, lines, usage = found
        memo_key = ("flash1-editor", relpath)
        hit = project.rule_memo.get(memo_key)
        if hit is not None and hit[0] == (id(usage), api.source, api.version, endpoint_functions):
            return hit[1]
        diagnostics = [
            _diagnostic(relpath, f.code, f.span, f.message, f.replacements, f.extra)
            for f in check_module(usage, api, lines)
        ]
        diagnostics += _body_checks(relpath, tree, lines, usage, endpoint_functions)
        project.rule_memo[memo_key] = ((id(usage), api.source, api.version, endpoint_functions), diagnostics)
        return diagnostics

    # Only the files edited since the last analysis are looked at again (docs/flash1.md, "Keystrokes").
    context = (api.source, api.version, endpoint_functions)
    yield from per_file(project, "editor").joined(prediction.scanned, context, of_file)


def _diagnostic(relpath: str, code: str, span: Span, message: str, replacements=(), extra=None) -> Diagnostic:
    rule = CATALOGUE[code]
    data = {"replacements": list(replacements)} if replacements else {}
    return rule.at(relpath, span, message, **data, **(extra or {}))


def _body_checks(
    relpath: str, tree: ast.Module, lines: list[str], usage: Usage, endpoints: frozenset[str]
) -> list[Diagnostic]:
    """FL446 (names defined outside a decorated body) and FL447 (calls of names defined nowhere)."""
    out: list[Diagnostic] = []
    if not usage.decorated:
        return out
    module = module_bindings(tree)
    seen: set[int] = set()
    for decorated in usage.decorated:
        node = decorated.node
        if id(node) in seen:
            continue
        seen.add(id(node))
        free = [f for f in free_names(node, module) if f.name not in endpoints and f.name not in usage.names]
        outside = [f for f in free if f.kind != "undefined"]
        if outside:
            listed = ", ".join(f"`{f.name}` ({f.kind})" for f in outside)
            imports = sorted({f.binding_line for f in outside if f.kind == "import"})
            out.append(
                CATALOGUE["FL446"].at(
                    relpath,
                    name_span(node, lines),
                    f"Only the body of `{node.name}` ships to the worker when it is called remotely; it reads names defined outside it: {listed}. "
                    "Define or import them inside the body.",
                    names=[f.name for f in outside],
                    import_lines=imports,
                )
            )
        out += _sync_concurrency(relpath, decorated, lines)
        called = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        for f in free:
            if f.kind == "undefined" and f.name in called:
                s = suggestions(f.name, [*endpoints, *(n for n, (kind, _) in module.items() if kind == "function")])
                hint = did_you_mean(s)
                data = {"replacements": list(s)} if s else {}
                out.append(
                    CATALOGUE["FL447"].at(
                        relpath,
                        Span.of(f.node, lines),
                        f"`{f.name}` is defined nowhere (not an endpoint, not in this module): the call raises NameError on the worker{hint}",
                        **data,
                    )
                )
    return out


def _sync_concurrency(relpath: str, decorated: Decorated, lines: list[str]) -> list[Diagnostic]:
    """FL449: `max_concurrency > 1` on a plain `def` (classes get the build's own warning)."""
    value = keyword(decorated.call, "max_concurrency")
    if (
        not isinstance(decorated.node, ast.FunctionDef)
        or not isinstance(value, ast.Constant)
        or not isinstance(value.value, int)
        or value.value <= 1
    ):
        return []
    return [
        CATALOGUE["FL449"].at(
            relpath,
            Span.of(value, lines),
            f"`{decorated.node.name}` is a plain def: with max_concurrency={value.value} the generated handler awaits it, and only an `async def` serves requests in parallel. Make it `async def`.",
        )
    ]
