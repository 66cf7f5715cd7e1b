"""Rules about what ends up in the archive (FL601–FL604)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Diagnostic, Span
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

TOP = Span(0, 0, 0, 0)


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    tree = model.files
    ignore_file = next((s.path for s in tree.sources), ".flashignore")
    for relpath in tree.secrets:
        yield CATALOGUE["FL601"].at(
            relpath,
            TOP,
            f"{relpath} is shipped in the archive ({model.profile.label} ignores no .env or key files by "
            f"default). Add it to {ignore_file}.",
            ignore_file=ignore_file,
            pattern=relpath,
        )
    for top, count in tree.junk_dirs.items():
        yield CATALOGUE["FL602"].at(
            ignore_file,
            TOP,
            f"{top}/ is shipped in the archive ({count} file(s)): nothing ignores it. Add `{top}/` to {ignore_file}.",
            ignore_file=ignore_file,
            pattern=f"{top}/",
        )
    stale = tree.stale_build_output
    if stale:
        yield CATALOGUE["FL603"].at(
            ignore_file,
            TOP,
            f"{len(stale)} file(s) from a previous build under .flash/ are shipped again ({', '.join(stale[:3])}): "
            f"tetra-rp does not ignore .flash/. Add `.flash/` to {ignore_file}.",
            ignore_file=ignore_file,
            pattern=".flash/",
        )
    if model.has_main and not model.functions:
        message = f"No @remote functions found: `flash build` reports '{model.profile.no_resources_message}'."
        yield CATALOGUE["FL604"].at("main.py", TOP, message)
