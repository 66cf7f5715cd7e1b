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


def _spec(
    root: Path, relpath: str, overrides: dict[str, str], sources: list[IgnoreSource], errors: list[str]
) -> GitIgnoreSpec:
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
        result = spec.check_file(relpath[len(prefix) :])
        if result.include is not None:
            ignored = result.include
    return ignored


def collect(
    root: Path,
    overrides: dict[str, str] | None = None,
    artifacts: tuple[str, ...] = (),
    generated: tuple[str, ...] = (),
) -> FileTree:
    """The shipped project files in archive order; `tree.ignored` lists what the build warns it
    left out (directories with a trailing `/`). `artifacts` are the archive names the build
    writes into the project root (never shipped); `generated` are files the build itself writes
    before packaging (the bytecode of the modules discovery imported), walked as if present."""
    root = Path(root).resolve()
    overrides = overrides or {}
    sources: list[IgnoreSource] = []
    errors: list[str] = []
    runpodignore = _spec(root, ".runpodignore", overrides, sources, errors)
    stack = [("", _DEFAULTS)]
    files, ignored = [], []
    extra_dirs: dict[str, set[str]] = {}
    extra_files: dict[str, set[str]] = {}
    for relpath in generated:
        parts = relpath.split("/")
        for depth in range(len(parts)):
            prefix = "".join(p + "/" for p in parts[:depth])
            (extra_files if depth == len(parts) - 1 else extra_dirs).setdefault(prefix, set()).add(parts[depth])
    for directory, dirs, names in _walk(root, extra_dirs, extra_files):
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
            if (
                path.is_symlink()
                or not (path.is_file() or name in extra_files.get(prefix, ()))
                or rel in artifacts
                or _PROTECTED.match_file(rel)
                or _ignored(rel, patterns)
            ):
                ignored.append(rel)
            else:
                files.append(rel)
    return FileTree(root=root, files=files, scan_order=list(files), ignored=ignored, sources=sources, errors=errors)


def _walk(root: Path, extra_dirs: dict[str, set[str]], extra_files: dict[str, set[str]]):
    """`os.walk` (top-down, no symlinks followed) with `extra_*` (by directory prefix) merged in as
    if they existed; pruning `dirs` in place works as with `os.walk`."""
    stack = [root]
    while stack:
        here = stack.pop()
        relative = here.relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        dirs, names = set(extra_dirs.get(prefix, ())), set(extra_files.get(prefix, ()))
        try:
            for entry in os.scandir(here):
                (dirs if entry.is_dir(follow_symlinks=False) or entry.is_symlink() and entry.is_dir() else names).add(
                    entry.name
                )
        except OSError:
            pass
        dirs_list = sorted(dirs)
        yield str(here), dirs_list, sorted(names)
        stack.extend(here / d for d in reversed(dirs_list))


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
