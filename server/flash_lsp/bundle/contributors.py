"""The biggest shares of a predicted archive, for size tooltips: the project's top-level directories
that make up more than a tenth of it, with advice when one is a virtual environment that ships
(docs/size-model.md, "What the archive is made of")."""

from __future__ import annotations

from pathlib import Path

from .model import SizeEstimate

SHARE = 0.10  # a directory is named when it is over this fraction of the archive
MIN_BYTES = 1 << 20  # and over 1 MiB: in a small archive where the bytes go does not matter
MOST = 3
ENVIRONMENT_NAMES = frozenset({".venv", "venv", "env", ".tox", ".nox", "__pypackages__", "node_modules"})


def is_environment(path: Path) -> bool:
    """A virtual environment (its `pyvenv.cfg`) or a directory tools fill with installed packages."""
    return path.name in ENVIRONMENT_NAMES or (path / "pyvenv.cfg").is_file()


def ignore_file_for(gitignore_only: bool) -> str:
    """The file whose patterns keep a directory out of the archive for this release."""
    return ".gitignore" if gitignore_only else ".flashignore"


def contributors(est: SizeEstimate | None, root: Path, ignore_file: str) -> list[dict]:
    """Up to `MOST` top-level directories over `SHARE` of the archive and `MIN_BYTES`, biggest first:
    ``{path, bytes, share, advice?}`` (path like ".venv/", bytes compressed)."""
    if est is None or not est.archive_bytes:
        return []
    out: list[dict] = []
    for part, n in sorted(est.project_parts.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(out) == MOST or n <= SHARE * est.archive_bytes or n < MIN_BYTES:
            break
        if not part.endswith("/"):
            continue
        entry = {"path": part, "bytes": n, "share": round(n / est.archive_bytes, 3)}
        if is_environment(root / part.rstrip("/")):
            entry["advice"] = f"shipped: add it to {ignore_file}"
        out.append(entry)
    return out
