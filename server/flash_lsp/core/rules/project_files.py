"""Rules about what ends up in the archive (FL601–FL604)."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Iterator

from ..model import Diagnostic, Span
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

SECRET_PATTERNS = (".env", ".env.*", "*.pem", "*.key", "id_rsa", "id_ed25519", ".netrc", ".pypirc")
JUNK_DIRS = (".venv", "venv", "env", "node_modules", "tests", ".idea", ".vscode", ".mypy_cache", ".pytest_cache")
TOP = Span(0, 0, 0, 0)


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    files = model.files.files
    ignore_file = next((s.path for s in model.files.sources), ".flashignore")
    for relpath in files:
        name = relpath.rsplit("/", 1)[-1]
        if any(fnmatch.fnmatchcase(name, p) for p in SECRET_PATTERNS) and not name.endswith((".example", ".sample")):
            yield CATALOGUE["FL601"].at(
                relpath,
                TOP,
                f"{relpath} is shipped in the archive ({model.profile.label} ignores no .env or key files by "
                f"default). Add it to {ignore_file}.",
                ignore_file=ignore_file,
                pattern=relpath,
            )
    shipped_dirs: dict[str, int] = {}
    for relpath in files:
        top = relpath.split("/", 1)[0]
        if "/" in relpath and top in JUNK_DIRS:
            shipped_dirs[top] = shipped_dirs.get(top, 0) + 1
    for top, count in shipped_dirs.items():
        yield CATALOGUE["FL602"].at(
            ignore_file,
            TOP,
            f"{top}/ is shipped in the archive ({count} file(s)): nothing ignores it. Add `{top}/` to {ignore_file}.",
            ignore_file=ignore_file,
            pattern=f"{top}/",
        )
    stale = [p for p in files if p.startswith(".flash/")]
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
