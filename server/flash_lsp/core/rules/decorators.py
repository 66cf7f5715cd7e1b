"""Rules about `@remote` declarations the build skips or mangles (FL201–FL204, FL401–FL405)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Diagnostic, Related, Span
from ..profiles import HTTP_METHODS, RUNTIME_LB_CLASSES
from . import per_file
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

SKIPPED = "the build skips '{name}': it gets no endpoint, no manifest entry and no handler"


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    for relpath, summary in model.summaries.items():
        if (
            summary.remotes
            or summary.alias_remotes
            or summary.syntax_error
            or summary.stale_syntax_error
            or summary.decode_error
        ):
            found = per_file(project, "decorators", relpath, summary, lambda: _file(relpath, summary))  # noqa: B023 - called before the loop moves on
            if relpath == "main.py" and model.profile.mothership:
                found = [_main_unparsable(d, model) if d.code == "FL404" else d for d in found]
            yield from found
    yield from _dropped_files(model)
    yield from _nested(model)
    yield from _routing(model)


def _main_unparsable(diagnostic: Diagnostic, model: ProjectModel) -> Diagnostic:
    """FL404 on main.py also says what becomes of the mothership, which serves main.py's FastAPI app."""
    info = model.manifest_result.mothership if model.manifest_result else None
    if info is not None and info.app_path and info.app_path != "main.py":
        note = f"The build takes the mothership's FastAPI app from {info.app_path} instead."
    elif info is not None and info.explicit:
        note = "The mothership of mothership.py serves main.py's app, so it fails when its worker imports main.py."
    else:
        note = "The mothership is lost too: the build cannot find the FastAPI app in main.py, so the manifest has none."
    return replace(diagnostic, message=f"{diagnostic.message} {note}")


def _file(relpath: str, summary) -> Iterator[Diagnostic]:
    """Findings that depend on this file alone."""
    error = summary.syntax_error or summary.stale_syntax_error
    if error:
        message, span = error
        yield CATALOGUE["FL404"].at(
            relpath,
            span,
            f"Syntax error: {message}. The build skips this file (its @remote functions are not deployed) but still ships it.",
        )
        if summary.syntax_error:
            return
    if summary.decode_error:
        yield CATALOGUE["FL405"].at(
            relpath, Span(0, 0, 0, 0), "Not UTF-8: the build skips this file but still ships it."
        )
        return
    for decl in summary.remotes:
        yield from _unresolvable(relpath, decl)
    for name, span, alias in summary.alias_remotes:
        yield CATALOGUE["FL202"].at(
            relpath,
            span,
            f"'{alias}' is an alias of remote; the build only recognises decorators named 'remote', so "
            + SKIPPED.format(name=name)
            + ". Import it as `remote`.",
        )


def _unresolvable(relpath: str, decl) -> Iterator[Diagnostic]:
    ref = decl.config
    skipped = SKIPPED.format(name=decl.name)
    if ref.kind == "bare":
        yield CATALOGUE["FL201"].at(relpath, decl.decorator_span, f"@remote without arguments: {skipped}.")
    elif ref.kind == "none":
        yield CATALOGUE["FL201"].at(relpath, decl.decorator_span, f"@remote() without a resource config: {skipped}.")
    elif ref.kind == "inline" and not ref.inline_name:
        yield CATALOGUE["FL201"].at(relpath, ref.span, f"Inline config without a literal name=: {skipped}.")
    elif ref.kind in ("attribute", "other"):
        yield CATALOGUE["FL203"].at(
            relpath,
            ref.span,
            f"The build only reads a plain variable or an inline call here, not `{ref.text}`: {skipped}. "
            f"Import the config by name.",
        )


def _dropped_files(model: ProjectModel) -> Iterator[Diagnostic]:
    for relpath, reason in model.discovery.dropped_files.items():
        summary = model.summaries[relpath]
        culprit = next(d for d in summary.remotes if d.raises)
        lost = [d for d in summary.remotes if d.config.kind in ("name", "inline")]
        related = tuple(Related(relpath, d.span, f"'{d.name}' is dropped too") for d in lost if d is not culprit)
        yield CATALOGUE["FL401"].at(
            relpath,
            culprit.method.span or culprit.decorator_span,
            f"{reason}. The build's scanner fails on this file and silently drops all {len(lost)} @remote "
            f"function(s) in it.",
            related,
        )


def _nested(model: ProjectModel) -> Iterator[Diagnostic]:
    for fn in model.functions:
        if fn.decl.parent:
            where = "a method" if fn.decl.parent == "class" else "a nested function"
            yield CATALOGUE["FL204"].at(
                fn.relpath,
                fn.decl.span,
                f"'{fn.name}' is {where}: the build lists it in '{fn.resource}', but the handler's "
                f"`importlib.import_module('{fn.module}').{fn.name}` fails when the worker starts.",
            )


def _routing(model: ProjectModel) -> Iterator[Diagnostic]:
    for fn in model.functions:
        method, path = fn.decl.method, fn.decl.path
        if not (method.present or path.present):
            continue
        if not fn.is_load_balanced:
            why = (
                f"{fn.resource_type} is treated as queue-based by {model.profile.label}"
                if fn.resource_type in RUNTIME_LB_CLASSES
                else f"'{fn.resource}' is a queue-based endpoint ({fn.resource_type})"
            )
            yield CATALOGUE["FL403"].at(
                fn.relpath,
                (method.span or path.span),
                f"{why}: method/path are ignored, no route is registered and '{fn.name}' gets a queue handler.",
            )
        value = method.value if method.is_constant else None
        if isinstance(value, str) and value.upper() in HTTP_METHODS and value != value.upper():
            yield CATALOGUE["FL402"].at(
                fn.relpath,
                method.span,
                f"method={value!r} is kept as written: the route becomes '{value} {fn.http_path}' and remote() "
                f"rejects it when the worker imports this file. Write {value.upper()!r}.",
                replacement=value.upper(),
            )
