"""Diagnostics of what runpod-flash 1.x writes (FL470–FL478): the local-module closure check on the
import lines behind it, a leftover `.flashignore`, handler generation that stops or fails, the
generator's concurrency warnings, and functions a queue-based handler never serves; and the
dependency problems the 1.x build shares with tetra-rp (FL503–FL506).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Diagnostic, Span
from ..rules import dependencies as tetra_dependencies
from ..rules.catalogue import CATALOGUE
from .closure import parse
from .files import FLASHIGNORE_WARNING, last_closure
from .per_file import per_file

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

TOP = Span(0, 0, 0, 0)
_RESOURCE = re.compile(r"(?:resource|handler) '([^']*)'")


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    yield from _closure(model, project)
    if FLASHIGNORE_WARNING in model.files.errors:
        yield CATALOGUE["FL474"].at(
            ".flashignore",
            TOP,
            "runpod-flash 1.11.1+ no longer reads .flashignore (the build warns, and ships this file): "
            "move its patterns to .gitignore and delete it.",
        )
    yield from _handlers(model)
    yield from _unserved(model)
    yield from _dependencies(model, project)


def _closure(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    result = last_closure(project) if model.profile.has("closure_check") else None
    for f in result.findings if result else ():
        if f.code == "FL470":
            message = (
                f"This import reaches {', '.join(f.excluded)}, which the ignore rules (.gitignore or built-ins) keep out "
                "of the archive: flash build stops ('Shipped code imports local modules that the build ignore rules "
                "... exclude'). Stop importing it from shipped code, or stop ignoring it."
            )
        elif f.code == "FL471":
            message = f"flash build cannot follow the local imports of this file and stops: {f.message}"
        elif f.code == "FL472":
            message = f"flash build cannot follow this file's local imports; it warns and skips the check: {f.message}"
        else:
            message = "flash build cannot follow an import whose module name is computed (it warns): make sure that module ships or is installed on the worker."
        yield CATALOGUE[f.code].at(f.relpath, f.span, message)


def _sites(model: ProjectModel, resource) -> list:
    return [fn for fn in model.functions if fn.resource == resource]


def _handlers(model: ProjectModel) -> Iterator[Diagnostic]:
    handlers = model.handlers
    failed = handlers.failed_resource
    if failed is not None and handlers.error:
        code, message = (
            "FL475",
            (
                f"The handler generated for endpoint '{failed}' is rejected and flash build stops: {handlers.error}. "
                "Avoid quotes and backslashes in endpoint names and route paths."
            ),
        )
    elif failed is not None and handlers.warning:
        code, message = (
            "FL476",
            (
                f"flash build cannot write handler_{failed}.py ({handlers.warning}): it writes no further handler, "
                "does not refresh .flash/flash_manifest.json, and still ships the archive."
            ),
        )
    else:
        code = message = None
    for fn in _sites(model, failed) if code else ():
        yield CATALOGUE[code].at(fn.relpath, fn.decl.decorator_span, message)
    for warning in handlers.log_warnings:
        m = _RESOURCE.search(warning)
        if m and "max_concurrency" in warning:
            for fn in _sites(model, m.group(1)):
                yield CATALOGUE["FL477"].at(fn.relpath, fn.decl.decorator_span, f"flash build warns: {warning}")


def _unserved(model: ProjectModel) -> Iterator[Diagnostic]:
    resources = (model.manifest or {}).get("resources") or {}
    for name, resource in resources.items():
        functions = resource.get("functions") or []
        if resource.get("is_load_balanced") or resource.get("client_mode") or len(functions) < 2:
            continue
        served = functions[0].get("name")
        others = {f.get("name") for f in functions[1:]}
        for fn in _sites(model, name):
            if fn.name in others:
                yield CATALOGUE["FL478"].at(
                    fn.relpath,
                    fn.decl.decorator_span,
                    f"Endpoint '{name}' groups several functions, but its generated handler_{name}.py serves only "
                    f"'{served}': requests never reach '{fn.name}'. Give it an endpoint of its own.",
                )


def _dependencies(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    """`dependencies=` the build ignores (not a list literal, or not a string), requirement lines pip
    rejects, pyproject.toml dependencies and exclusions that match nothing."""

    def of_file(relpath: str) -> list[Diagnostic]:
        if not relpath.endswith(".py") or relpath.rsplit("/", 1)[-1] == "__init__.py":
            return []
        text = project.text(relpath)
        return [
            CATALOGUE["FL503"].at(
                relpath,
                span,
                "dependencies= must be a literal list for flash build to read it; nothing is installed."
                if whole
                else "Only string literals in dependencies= are installed; this one is dropped.",
            )
            for span, whole in (parse(text).dropped if text is not None else ())
        ]

    yield from per_file(project, "dependencies").joined(model.files.files, None, of_file)
    yield from tetra_dependencies.project_level(model, project)
