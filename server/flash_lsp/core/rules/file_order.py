"""Endpoints whose result depends on the order a filesystem lists the build directory (FL490,
docs/tetra-build.md, "Directory order")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..fs_order import NEWEST_FIRST
from ..model import Diagnostic
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    by_resource: dict = {}
    for fn in model.functions:
        by_resource.setdefault(fn.resource, []).append(fn)
    filesystem = model.files.filesystem
    if filesystem in NEWEST_FIRST:
        here = f"{filesystem} here lists newest first, so the order the files were created in decides"
    else:
        here = f"{filesystem or 'this filesystem'} here; tmpfs (the /tmp of several distributions) lists newest first"
    for resource, functions in by_resource.items():
        files = list(dict.fromkeys(fn.relpath for fn in functions))
        if len(files) < 2:
            continue
        first = functions[0]
        yield CATALOGUE["FL490"].at(
            first.relpath,
            first.decl.span,
            f"Endpoint {resource!r} gathers functions from {len(files)} files ({', '.join(files[:4])}): their "
            f"order in the manifest and the handler, and which file's config supplies the deployment fields "
            f"(predicted: {first.relpath}), follow the order in which the filesystem lists the build directory "
            f"({here}). A build elsewhere may differ; keep an endpoint's functions in one file for a stable result.",
        )
