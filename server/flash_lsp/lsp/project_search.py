"""Finding the Flash projects of a workspace folder as soon as it is opened, before any file is.

A bounded walk (depth, directory-entry and file-read caps) that skips virtualenvs, caches and
version-control folders and honours the `.gitignore` / `.flashignore` files it meets. It looks for
markers (see docs/editors.md, "Finding projects when a folder opens"):

* Python files that import a Flash SDK (`tetra_rp`, `runpod_flash`, `runpod`) and use its API
  (`@remote`, `Endpoint(`, `App(` …);
* `mothership.py`, `main.py` next to a `workers/` folder, a `requirements.txt` naming the SDKs.

A project's root is the nearest directory (within the folder) that holds `main.py`,
`mothership.py` or such a `requirements.txt`; Flash files with none above them make the folder
itself a project. Directories with a strong marker but no Flash file of their own are projects
too, unless other projects were found inside them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.files import IgnoreSpec, parse_ignore_text

log = logging.getLogger(__name__)

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "__pycache__",
        ".flash",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        "site-packages",
        ".idea",
        ".vscode",
        "dist",
        "build",
    }
)
MAX_DEPTH = 8  # directory levels below the folder
MAX_ENTRIES = 20_000  # directory entries looked at per folder
MAX_READS = 600  # Python files read per folder
HEAD_BYTES = 16_384  # of each Python file

SDK_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:tetra_rp|runpod_flash|runpod)\b", re.MULTILINE)
API_USE = re.compile(
    r"@remote\b|\bEndpoint\s*\(|\bApp\s*\(|\b(?:Live|Cpu|Gpu)\w*Serverless\w*\s*\(|\bLoadBalancer\w*\s*\("
)
SDK_REQUIREMENT = re.compile(r"^\s*(?:tetra[-_]rp|runpod[-_]flash)\b", re.IGNORECASE | re.MULTILINE)
ANCHOR_FILES = ("main.py", "mothership.py")


@dataclass
class SearchResult:
    """What one folder's walk found: project roots, and whether a cap cut it short."""

    roots: list[Path] = field(default_factory=list)
    entries: int = 0
    reads: int = 0
    capped: str | None = None


@dataclass
class _Walk:
    folder: Path
    report: Callable[[int], None] | None
    entries: int = 0
    reads: int = 0
    capped: str | None = None
    anchors: set[Path] = field(default_factory=set)  # main.py / mothership.py / SDK requirements
    strong: set[Path] = field(default_factory=set)  # a project even without a Flash file
    flash_files: list[Path] = field(default_factory=list)


def search_projects(folder: Path, report: Callable[[int], None] | None = None) -> SearchResult:
    """The Flash project roots under `folder` (sorted); `report(entries_seen)` is called now and then."""
    walk = _Walk(folder, report)
    _visit(walk, folder, 0, [])
    roots: set[Path] = set()
    for path in walk.flash_files:
        roots.add(_nearest_anchor(path.parent, folder, walk.anchors))
    for directory in walk.strong:
        if not any(root != directory and directory in root.parents for root in roots | walk.strong):
            roots.add(directory)
    if walk.capped:
        log.info("project search in %s stopped early (%s)", folder, walk.capped)
    return SearchResult(sorted(roots), walk.entries, walk.reads, walk.capped)


def _nearest_anchor(directory: Path, folder: Path, anchors: set[Path]) -> Path:
    current = directory
    while True:
        if current in anchors:
            return current
        if current == folder or current.parent == current:
            return folder
        current = current.parent


def _visit(walk: _Walk, directory: Path, depth: int, ignores: list[tuple[Path, IgnoreSpec]]) -> None:
    if walk.capped:
        return
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    walk.entries += len(entries)
    if walk.report is not None:
        walk.report(walk.entries)
    if walk.entries > MAX_ENTRIES:
        walk.capped = f"more than {MAX_ENTRIES:,} entries"
        return
    names = {e.name for e in entries}
    ignores = ignores + _ignore_specs(directory, names)
    sdk_requirements = "requirements.txt" in names and _names_sdk(directory / "requirements.txt")
    if sdk_requirements or any(name in names for name in ANCHOR_FILES):
        walk.anchors.add(directory)
    if sdk_requirements or "mothership.py" in names or ("main.py" in names and "workers" in names):
        walk.strong.add(directory)
    subdirs = []
    for entry in entries:
        if _ignored(Path(entry.path), entry.is_dir(follow_symlinks=False), ignores):
            continue
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                subdirs.append(Path(entry.path))
        elif entry.name.endswith(".py") and _is_flash_file(walk, Path(entry.path)):
            walk.flash_files.append(Path(entry.path))
    if depth < MAX_DEPTH:
        for sub in subdirs:
            _visit(walk, sub, depth + 1, ignores)


def _is_flash_file(walk: _Walk, path: Path) -> bool:
    if walk.reads >= MAX_READS:
        walk.capped = walk.capped or f"more than {MAX_READS} Python files read"
        return False
    walk.reads += 1
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8", errors="ignore")
    except OSError:
        return False
    return bool(SDK_IMPORT.search(head) and API_USE.search(head))


def _names_sdk(requirements: Path) -> bool:
    try:
        with open(requirements, "rb") as handle:
            return bool(SDK_REQUIREMENT.search(handle.read(HEAD_BYTES).decode("utf-8", errors="ignore")))
    except OSError:
        return False


def _ignore_specs(directory: Path, names: set[str]) -> list[tuple[Path, IgnoreSpec]]:
    specs = []
    for name in (".flashignore", ".gitignore"):
        if name in names:
            try:
                patterns = parse_ignore_text((directory / name).read_text(encoding="utf-8", errors="ignore"))
            except OSError:
                continue
            if patterns:
                specs.append((directory, IgnoreSpec(patterns)))
    return specs


def _ignored(path: Path, is_dir: bool, ignores: list[tuple[Path, IgnoreSpec]]) -> bool:
    """Whether an ignore file above `path` excludes it (directories are tested with a trailing slash)."""
    for base, spec in ignores:
        rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        if spec.match_file(rel):
            return True
    return False
