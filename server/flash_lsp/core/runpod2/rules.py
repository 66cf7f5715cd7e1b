"""Diagnostics of the SDK 2.0 prediction (FL900–FL916, docs/runpod2.md "Checks"): every error the
SDK raises while discovery imports a file, at the code that raises it and in the SDK's words; Apps
hidden by an earlier App of the same name; names the manifest step rejects; GPU strings and the
devices they stand for; values we cannot know.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Diagnostic, Related, Span
from ..rules.catalogue import CATALOGUE
from . import sdk

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

TOP = Span(0, 0, 0, 0)
# (text in the SDK's message, code): the first match names the check.
_SPECIFIC = (
    ("gpu and cpu are mutually exclusive", "FL904"),
    ("unknown gpu '", "FL905"),
    ("min_cuda_version has no effect", "FL906"),
    ("App.task() got an unexpected keyword argument 'model'", "FL907"),
    ("is reserved by the worker runtime", "FL908"),
    ("duplicate route ", "FL909"),
    ("duplicate resource name ", "FL910"),
    ("multiple @init methods", "FL911"),
    ("was invoked at import time", "FL912"),
)
_SDK_KINDS = frozenset({"InvalidResourceError", "VolumeError", "SecretError", "ModelError", "TypeError", "ValueError"})


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    prediction = model.__dict__.get("runpod2")
    if prediction is None:
        return
    discovered = prediction.discovered
    fatal = not discovered.apps
    if any(part in sdk.SKIP_DIRS for part in model.root.parts):
        yield CATALOGUE["FL916"].at(
            "",
            TOP,
            f"The project lies under a directory discovery skips ({', '.join(p for p in model.root.parts if p in sdk.SKIP_DIRS)}): `rp flash deploy` finds no App here.",
        )
    if fatal:
        yield CATALOGUE["FL901"].at(
            "", TOP, "rp flash deploy fails: " + " ".join(line.strip() for line in model.outcome.errors if line.strip())
        )
    for failure in discovered.failures:
        yield from _failure(failure, fatal)
    for kept, dropped in discovered.shadowed:
        yield CATALOGUE["FL902"].at(
            dropped.relpath,
            _span(dropped.node),
            f"App '{dropped.name}' is dropped: an App of the same name was found first (in {kept.source_file}), and only the first one is built ({len(kept.resources)} resource(s) there, {len(dropped.resources)} here).",
            (Related(kept.relpath, _span(kept.node), f"the App '{kept.name}' that is built"),),
        )
    for app in discovered.apps:
        for resource in app.resources.values():
            span = _span(resource.decorator)
            if resource.kind in ("queue", "api") and len(resource.name) < 3:
                yield CATALOGUE["FL903"].at(
                    resource.relpath,
                    span,
                    f"resource name '{resource.name}' is too short to deploy; queue and api names must be at least 3 characters",
                )
            gpus = resource.settings.get("gpu") or []
            if len(gpus) > 1 or gpus and gpus[0] not in sdk.GPU_POOLS and gpus[0] != "any":
                yield CATALOGUE["FL913"].at(resource.relpath, span, f"gpu resolves to: {', '.join(gpus)}.", gpus=gpus)
    for relpath, what, span in discovered.unknown:
        yield CATALOGUE["FL914"].at(
            relpath, span, f"Flash LSP cannot predict the {what}; the manifest shown may differ."
        )


def _failure(failure, fatal: bool) -> Iterator[Diagnostic]:
    exception = failure.message.split(" failed: ", 1)[-1]
    code = next((c for text, c in _SPECIFIC if text in exception), None)
    if code is None:
        code = "FL915" if failure.kind in _SDK_KINDS and failure.kind not in ("TypeError", "ValueError") else "FL900"
    consequence = (
        "no App is left, so the build fails"
        if fatal
        else f"rp flash deploy skips {failure.relpath} with a warning and builds without its Apps"
    )
    where = f" (while importing {failure.relpath})" if failure.origin != failure.relpath else ""
    yield CATALOGUE[code].at(
        failure.origin, failure.span, f"{failure.kind}: {exception}{where} — {consequence}.", exception=failure.kind
    )


def _span(node) -> Span:
    return Span(node.lineno - 1, node.col_offset, (node.end_lineno or node.lineno) - 1, node.end_col_offset or 0)
