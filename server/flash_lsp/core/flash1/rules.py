"""Diagnostics of the runpod-flash 1.x prediction (FL420–FL425): each import failure where it is
raised, side effects that run at build time, manifest errors on the functions they name, values we
cannot predict, and deployment fields the builder will drop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Diagnostic, Related, Span
from ..rules.catalogue import CATALOGUE
from .requirements import error_prefix

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

TOP = Span(0, 0, 0, 0)
_QUOTED = re.compile(r"'([^']+)'")


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    prediction = model.__dict__.get("flash1")
    if prediction is None:
        return
    marked = error_prefix(model.profile)
    if model.outcome.errors[:2] == [
        f"{marked}No Python files found in {model.root}",
        f"{marked}Not a valid Flash project",
    ]:
        yield CATALOGUE["FL425"].at(
            "", TOP, "flash build stops: no .py file in the project (Not a valid Flash project)."
        )
        return
    scan = prediction.scan
    if scan is None:
        if model.outcome.errors:
            yield CATALOGUE["FL422"].at("", TOP, f"flash build fails: {model.outcome.errors[0]}")
        return
    for relpath, source in prediction.stale_errors().items():
        yield CATALOGUE["FL420"].at(
            relpath,
            source.error_span,
            f"{source.error}: flash build would stop with 'Failed to load: {relpath}' (the rest of the project is shown as of the last version that parsed).",
            exception="SyntaxError",
        )
    for relpath, failure in scan.failures.items():
        message = failure.message if isinstance(failure.message, str) else "(message not predictable)"
        yield CATALOGUE["FL420"].at(
            relpath,
            failure.span,
            f"flash build imports this file and it raises {failure.kind}: {message}{'' if message.endswith('.') else '.'} "
            f"The build stops with 'Failed to load: {relpath}'.",
            exception=failure.kind,
        )
    if prediction.imports is not None:
        uncertain = {(u.file, u.line): ", ".join(u.fails or (u.file,)) for u in model.outcome.uncertain}
        for relpath, effects in prediction.imports.side_effects.items():
            for what, span in effects:
                fails = (
                    f" If it fails, the build stops with 'Failed to load: {uncertain[relpath, span.line]}'."
                    if (relpath, span.line) in uncertain
                    else ""
                )
                yield CATALOGUE["FL421"].at(
                    relpath,
                    span,
                    f"This runs on your machine during `flash build` (the build imports every module): {what}.{fails} Move it into a function.",
                )
    for relpath, what, span in scan.unknown:
        yield CATALOGUE["FL423"].at(
            relpath, span, f"Flash LSP cannot predict these {what}; the endpoint's settings shown may be incomplete."
        )
    error = scan.error or (prediction.built.error if prediction.built else None)
    if error:
        yield from _manifest_error(error, model)
    if prediction.built is not None:
        yield from _dropped(prediction, model)


def _manifest_error(error: str, model: ProjectModel) -> Iterator[Diagnostic]:
    """The error on every function it names (by function or endpoint name), else on the project."""
    names = set(_QUOTED.findall(error))
    hits = [f for f in model.functions if f.name in names or str(f.resource) in names]
    if not hits:
        yield CATALOGUE["FL422"].at("", TOP, f"flash build fails: {error}")
        return
    for fn in hits:
        others = tuple(Related(o.relpath, o.decl.span, f"'{o.name}' → '{o.resource}'") for o in hits if o is not fn)
        yield CATALOGUE["FL422"].at(fn.relpath, fn.decl.decorator_span, f"flash build fails: {error}", others)


def _dropped(prediction, model: ProjectModel) -> Iterator[Diagnostic]:
    first = {}
    for fn in model.functions:
        first.setdefault(fn.resource, fn)
    for resource, reason in prediction.built.dropped.items():
        fn = first.get(resource)
        if fn is not None:
            yield CATALOGUE["FL424"].at(
                fn.relpath,
                fn.decl.decorator_span,
                f"The manifest entry '{resource}' will have no deployment fields (image, workers, template): {reason}.",
            )
    for resource, fields in prediction.built.uncertain.items():
        fn = first.get(resource)
        if fn is not None:
            yield CATALOGUE["FL423"].at(
                fn.relpath, fn.decl.decorator_span, f"Not predictable statically for '{resource}': {', '.join(fields)}."
            )
