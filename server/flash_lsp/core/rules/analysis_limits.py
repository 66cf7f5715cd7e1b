"""Where the analysis itself stopped short (FL411, FL412) and where the build's file walk would not
end (FL605): what is then unknown, and what the real build does instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Diagnostic, Span
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

TOP = Span(0, 0, 0, 0)


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    for relpath, summary in model.summaries.items():
        if summary.bound:
            yield CATALOGUE["FL411"].at(
                relpath,
                TOP,
                f"Analysis bound exceeded ({summary.bound}): Flash LSP does not parse this file, so its @remote "
                f"functions and resource configs are not predicted. `flash build` still parses it, ships it and "
                f"registers what it declares.",
            )
        if summary.analysis_error:
            yield _could_not_analyse(relpath, summary.analysis_error)
    reported: set[tuple] = set()  # one finding per file and bound, at its first place
    for dep in model.deployments.values():
        if dep.analysis_error and dep.source:
            yield _could_not_analyse(dep.source, dep.analysis_error)
        for bound, span in dep.bounds:
            if (dep.source, bound) in reported:
                continue
            reported.add((dep.source, bound))
            yield CATALOGUE["FL411"].at(
                dep.source or "",
                span,
                f"Analysis bound exceeded ({bound}): this value is treated as unknown. `flash build` computes it "
                f"when it imports {dep.source}.",
            )
    ignore_file = next((s.path for s in model.files.sources), ".flashignore")
    for _relpath, message in model.files.walk_problems:
        yield CATALOGUE["FL605"].at(ignore_file, TOP, message)


def _could_not_analyse(relpath: str, error: str) -> Diagnostic:
    return CATALOGUE["FL412"].at(
        relpath,
        TOP,
        f"Flash LSP could not analyse this file: {error}. The rest of the project is still analysed; what this "
        f"file declares is missing from the prediction.",
    )
