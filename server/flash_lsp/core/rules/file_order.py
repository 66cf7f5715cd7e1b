"""Endpoints whose result depends on the order a filesystem lists the build directory (FL490,
docs/tetra-build.md, "Directory order").

The scanner walks the build directory like `Path.rglob`: a directory's files in listing order, then
its subdirectories in listing order. Two files change places when the listing changes unless one's
directory contains the other's (then the outer file always comes first). Only an endpoint with
functions in two files that can change places gets a different build: its function order in the
manifest and the handler, and the function whose config supplies the deployment fields."""

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
        pair = reorderable(list(dict.fromkeys(fn.relpath for fn in functions)))
        if pair is None:
            continue
        first = functions[0]
        listing = _deciding_directory(*pair)
        yield CATALOGUE["FL490"].at(
            first.relpath,
            first.decl.span,
            f"Endpoint {resource!r} has functions in {pair[0]} and {pair[1]}, whose order in the build follows "
            f"how the filesystem lists {listing}: the functions' order in the manifest and the handler, and "
            f"which file's config supplies the deployment fields (predicted: {first.relpath}), depend on it "
            f"({here}). A build elsewhere may differ; keep an endpoint's functions in one file for a stable result.",
        )


def reorderable(files: list[str]) -> tuple[str, str] | None:
    """Two of `files` (project-relative, POSIX) whose scan order a different directory listing swaps."""
    for i, a in enumerate(files):
        for b in files[i + 1 :]:
            if not _nested(_directory(a), _directory(b)):
                return a, b
    return None


def _directory(relpath: str) -> str:
    return relpath.rpartition("/")[0]


def _nested(a: str, b: str) -> bool:
    """Whether one directory strictly contains the other (its files are always scanned first)."""
    if a == b:
        return False
    outer, inner = (a, b) if len(a) < len(b) else (b, a)
    return outer == "" or inner.startswith(outer + "/")


def _deciding_directory(a: str, b: str) -> str:
    """The directory whose listing orders `a` and `b`: the deepest one holding both."""
    common = []
    for x, y in zip(_directory(a).split("/"), _directory(b).split("/"), strict=False):  # stops at the shorter
        if x != y or not x:
            break
        common.append(x)
    return f"{'/'.join(common)}/" if common else "the project directory"
