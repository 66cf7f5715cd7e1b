"""Rules about dependencies the build silently drops or passes to pip verbatim (FL501–FL506)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..deps import pip_rejects, requirements_txt
from ..model import Diagnostic, Span
from . import per_file
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

_PYPROJECT_DEPS = re.compile(r"^\s*dependencies\s*=", re.M)


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    label = model.profile.label
    for relpath, summary in model.summaries.items():
        if summary.dependencies:
            compute = lambda: _file(relpath, summary, label)  # noqa: B023, E731 - called before the loop moves on
            yield from per_file(project, f"dependencies:{label}", relpath, summary, compute)
    yield from project_level(model, project)


def project_level(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    """requirements.txt lines pip rejects, pyproject.toml dependencies, exclusions matching nothing
    (the same in every family)."""
    yield from _requirements_txt(project)
    yield from _pyproject(project)
    for name in model.requirements.unmatched_exclusions:
        yield CATALOGUE["FL506"].at(
            "requirements.txt" if project.exists("requirements.txt") else "",
            Span(0, 0, 0, 0),
            f"--exclude {name!r} matches no requirement (the build compares names lower-cased, without "
            f"normalising - and _, and before any version specifier).",
        )


def _file(relpath: str, summary, label: str) -> Iterator[Diagnostic]:
    """Dependencies declared in this file that the build will not install."""
    in_workers = relpath.startswith("workers/") and not relpath.endswith("/__init__.py")
    for decl in summary.dependencies:
        names = ", ".join(repr(v) for v, _ in decl.items) or "these packages"
        if decl.is_async:
            yield CATALOGUE["FL501"].at(
                relpath,
                decl.span,
                f"'{decl.function}' is async: {label} only reads dependencies of plain defs and "
                f"classes, so {names} will not be installed. Add them to requirements.txt.",
            )
        elif not in_workers:
            yield CATALOGUE["FL502"].at(
                relpath,
                decl.span,
                f"The build only reads dependencies= in files under workers/, so {names} will not be installed. "
                f"Move the file under workers/ or add them to requirements.txt.",
            )
        elif not decl.is_list_literal:
            yield CATALOGUE["FL503"].at(
                relpath,
                decl.span,
                "dependencies= must be a literal list for the build to read it; nothing is installed.",
            )
        else:
            for span in decl.non_constant:
                yield CATALOGUE["FL503"].at(
                    relpath, span, "Only string literals in dependencies= are installed; this one is dropped."
                )


def _requirements_txt(project: Project) -> Iterator[Diagnostic]:
    text = project.text("requirements.txt") if project.exists("requirements.txt") else None
    if not text:
        return
    for req in requirements_txt(text):
        complaint = pip_rejects(req.text)
        if complaint is None:
            continue
        line = req.text
        if line.startswith("-"):
            why = "pip options and -r/-e lines reach pip as one argument"
        elif "#" in line:
            why = "the build passes the line verbatim, inline comment included"
        else:
            why = "the build passes the line verbatim"
        yield CATALOGUE["FL504"].at(
            "requirements.txt", req.span, f"{why}, so pip fails and `flash build` stops ({complaint})."
        )


def _pyproject(project: Project) -> Iterator[Diagnostic]:
    text = project.text("pyproject.toml") if project.exists("pyproject.toml") else None
    if not text:
        return
    match = _PYPROJECT_DEPS.search(text)
    if match:
        line = text.count("\n", 0, match.start())
        yield CATALOGUE["FL505"].at(
            "pyproject.toml",
            Span(line, 0, line, len(text.splitlines()[line])),
            "flash build never reads pyproject.toml dependencies; list what the workers need in requirements.txt.",
        )
