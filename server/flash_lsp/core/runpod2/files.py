"""Which project files an SDK 2.0 artifact carries (docs/runpod2.md, "Artifact members"): a
top-down walk in sorted order; the protected list first (nothing overrides it), then the defaults,
each directory's `.gitignore` (scoped to that directory) and `.runpodignore` last, last match
wins. Symlinks never ship; `.gitignore` files themselves do.
"""

from __future__ import annotations

import os
from pathlib import Path

from pathspec import GitIgnoreSpec

from ..files import FileTree, IgnoreSource
from . import sdk

_PROTECTED = GitIgnoreSpec.from_lines(list(sdk.PROTECTED_IGNORES))
_DEFAULTS = GitIgnoreSpec.from_lines(list(sdk.DEFAULT_IGNORES))


def _spec(root: Path, relpath: str, overrides: dict[str, str], sources: list[IgnoreSource], errors: list[str]) -> GitIgnoreSpec:
    path = root / relpath
    if relpath in overrides:
        text = overrides[relpath]
    elif path.is_symlink() or not path.is_file():
        return GitIgnoreSpec.from_lines([])
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"cannot read {relpath}: {exc}")  # the build itself stops on this
            return GitIgnoreSpec.from_lines([])
    lines = text.splitlines()
    sources.append(IgnoreSource(relpath, tuple(line for line in lines if line.strip() and not line.startswith("#"))))
    return GitIgnoreSpec.from_lines(lines)


def _ignored(relpath: str, patterns: list[tuple[str, GitIgnoreSpec]]) -> bool:
    ignored = False
    for prefix, spec in patterns:
        result = spec.check_file(relpath[len(prefix):])
        if result.include is not None:
            ignored = result.include
    return ignored


def collect(root: Path, overrides: dict[str, str] | None = None, artifacts: tuple[str, ...] = ()) -> FileTree:
    """The shipped project files in archive order; `tree.ignored` lists what the build warns it
    left out (directories with a trailing `/`). `artifacts` are the archive names the build
    writes into the project root (never shipped)."""
    root = Path(root).resolve()
    overrides = overrides or {}
    sources: list[IgnoreSource] = []
    errors: list[str] = []
    runpodignore = _spec(root, ".runpodignore", overrides, sources, errors)
    stack = [("", _DEFAULTS)]
    files, ignored = [], []
    for directory, dirs, names in os.walk(root, followlinks=False):
        here = Path(directory)
        relative = here.relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        while not prefix.startswith(stack[-1][0]):
            stack.pop()
        stack.append((prefix, _spec(root, prefix + ".gitignore", overrides, sources, errors)))
        patterns = [*stack, ("", runpodignore)]
        kept = []
        for name in sorted(dirs):
            rel = prefix + name + "/"
            if (here / name).is_symlink() or _PROTECTED.match_file(rel) or _ignored(rel, patterns):
                ignored.append(rel)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            rel = prefix + name
            path = here / name
            if path.is_symlink() or not path.is_file() or rel in artifacts or _PROTECTED.match_file(rel) or _ignored(rel, patterns):
                ignored.append(rel)
            else:
                files.append(rel)
    return FileTree(root=root, files=files, scan_order=list(files), ignored=ignored, sources=sources, errors=errors)


def all_python(root: Path, overrides: dict[str, str] | None = None) -> list[str]:
    """Every `.py` under the project (discovery walks these, not the shipped files)."""
    root = Path(root).resolve()
    found = set(p for p in (overrides or {}) if p.endswith(".py"))
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in sdk.SKIP_DIRS]
        relative = Path(directory).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        found.update(prefix + n for n in names if n.endswith(".py"))
    return sorted(found)
