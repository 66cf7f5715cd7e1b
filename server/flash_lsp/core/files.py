"""Which project files `flash build` copies into the archive (`docs/tetra-build.md`, "File collection").

Mirrors `tetra_rp.cli.utils.ignore`: `.flashignore` then `.gitignore` from the project root, then the
profile's built-in patterns, compiled as pathspec "gitwildmatch" (last match wins). Entries are
matched by their relative path *without* a trailing slash, so `tests/` does not prune the directory
but excludes each file in it. The walk keeps the filesystem's listing order, which is also the order
of the build directory (same names, same filesystem) and therefore the scanner's order, except on a
filesystem that lists newest first (`fs_order.py`).

Like the build, the walk follows symlinks to directories, also outside the project; unlike it, it
stops at a link back into a directory it is already inside (the build follows such a cycle until the
OS refuses, or across the whole disk for a link to `/`) and after `MAX_WALK_ENTRIES` entries. Ignore
patterns are matched with RE2 (linear time) instead of Python's backtracking `re`, except plain
names such as the built-in `__pycache__/` and `*.pyc`, which need neither (docs/tetra-build.md,
"File collection").
"""

from __future__ import annotations

import codecs
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .fs_order import as_build_copy_lists, filesystem_of
from .profiles import Profile
from .secret_files import is_secret_file

IGNORE_FILES = (".flashignore", ".gitignore")
BOM = "\ufeff"  # read by `read_text(encoding="utf-8")` as a character of the first line
JUNK_DIRS = frozenset(
    {".venv", "venv", "env", "node_modules", "tests", ".idea", ".vscode", ".mypy_cache", ".pytest_cache"}
)
MAX_WALK_ENTRIES = 100_000  # files and directories looked at, however many links lead there


@dataclass(frozen=True)
class IgnoreSource:
    """One ignore file as the build reads it."""

    path: str
    patterns: tuple[str, ...]
    error: str | None = None


@dataclass(eq=False)
class FileTree:
    """The shipped project files, in the build's copy order, plus what the walk noticed."""

    root: Path
    files: list[str] = field(default_factory=list)
    scan_order: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    sources: list[IgnoreSource] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    walk_problems: list[tuple[str, str]] = field(default_factory=list)  # (relpath, what the walk did)
    filesystem: str | None = None  # the project's filesystem type (it decides the build's scan order)

    def __contains__(self, relpath: str) -> bool:
        return relpath in self._set

    @cached_property
    def _set(self) -> set[str]:
        return set(self.files)

    @cached_property
    def secrets(self) -> list[str]:
        """Shipped files that look like credentials (CA bundles are not)."""
        return [p for p in self.files if is_secret_file(self.root, p)]

    @cached_property
    def junk_dirs(self) -> dict[str, int]:
        """Top-level directories that ship although nothing needs them (virtualenvs, tests …): file counts."""
        counts: dict[str, int] = {}
        for p in self.files:
            top, sep, _ = p.partition("/")
            if sep and top in JUNK_DIRS:
                counts[top] = counts.get(top, 0) + 1
        return counts

    @cached_property
    def sizes(self) -> list[tuple[str, int]]:
        """(relpath, bytes on disk) of the shipped files, read once per tree (the archive-size
        prediction needs them; their contents change the archive by a few KB at most)."""
        out = []
        for relpath in self.files:
            try:
                out.append((relpath, os.path.getsize(self.root / relpath)))
            except OSError:
                continue
        return out

    @cached_property
    def stale_build_output(self) -> list[str]:
        return [p for p in self.files if p.startswith(".flash/")]


def parse_ignore_text(text: str) -> list[str]:
    """Lines of an ignore file as Flash keeps them: stripped, no blanks, no `#` comments."""
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def read_ignore_sources(
    root: Path, overrides: dict[str, str] | None = None, names: tuple[str, ...] = IGNORE_FILES
) -> list[IgnoreSource]:
    """Read the ignore files `names` (from overrides when the editor has them open)."""
    sources = []
    for name in names:
        path = root / name
        if overrides and name in overrides:
            sources.append(IgnoreSource(name, tuple(parse_ignore_text(_with_disk_bom(path, overrides[name])))))
            continue
        if not path.exists():
            continue
        try:
            sources.append(IgnoreSource(name, tuple(parse_ignore_text(path.read_text(encoding="utf-8")))))
        except (OSError, UnicodeDecodeError) as exc:
            sources.append(IgnoreSource(name, (), error=f"Failed to read {name}: {exc}"))
    return sources


def _with_disk_bom(path: Path, text: str) -> str:
    """Editors hide a byte-order mark from the text and write it back on save, but the build reads
    it as part of the first pattern (`docs/tetra-build.md`, "Ignore-file traps")."""
    if text.startswith(BOM):
        return text
    try:
        with open(path, "rb") as f:
            head = f.read(len(codecs.BOM_UTF8))
    except OSError:
        return text
    return BOM + text if head == codecs.BOM_UTF8 else text


class IgnoreSpec:
    """Patterns compiled exactly as Flash does (the deprecated gitwildmatch flavour) but matched
    by RE2, in linear time: patterns like `*a*a*a…` make Python's `re` backtrack for minutes."""

    def __init__(self, patterns: list[str]):
        self.plain = _plain_regex(patterns)
        if self.plain is not None:
            return
        import pathspec  # here: the built-in patterns alone are plain, and a command starts faster without it

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                self.spec = pathspec.PathSpec.from_lines("gitwildmatch", patterns, backend="re2")
            except Exception:  # noqa: BLE001 - RE2 missing or refusing a pattern: the backtracking engine
                self.spec = pathspec.PathSpec.from_lines("gitwildmatch", patterns)

    def match_file(self, relpath: str) -> bool:
        if self.plain is not None:  # relative as pathspec makes it: no leading `/` or `./`
            relpath = relpath[1:] if relpath[:1] == "/" else relpath[2:] if relpath[:2] == "./" else relpath
            return self.plain.match(relpath) is not None
        try:
            return self.spec.match_file(relpath)
        except UnicodeEncodeError:  # a name with undecodable bytes: any one character matches them alike
            return self.spec.match_file(_SURROGATE.sub("\ufffd", relpath))


_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN = re.compile(r"(?=.*[\w.-])[\w.-]*\*?[\w.-]*/?\Z", re.A)  # a name, at most one `*`, maybe a final `/`


def _plain_regex(patterns: list[str]) -> re.Pattern | None:
    """One regex matching what the gitwildmatch `patterns` match when every one is a plain name
    (a name matches at any depth; `name/` everything below such a directory; `*` stays within one
    path segment); None when any is not. With no negation, "last match wins" is "any matches";
    with one `*` per pattern, a match takes linear time. `$` as in the build's own `re` engine,
    which also matches before a final newline of a name."""
    if not patterns or not all(_PLAIN.match(p) for p in patterns):
        return None
    alternatives = []
    for pattern in patterns:
        name = "[^/]*".join(re.escape(part) for part in pattern.rstrip("/").split("*"))
        alternatives.append(name + ("/" if pattern.endswith("/") else "(?:/|$)"))
    return re.compile(f"(?:.+/)?(?:{'|'.join(alternatives)})")


def build_spec(sources: list[IgnoreSource], profile: Profile) -> IgnoreSpec:
    patterns = [p for s in sources for p in s.patterns]
    return IgnoreSpec(patterns + list(profile.builtin_ignores))


def collect_files(
    root: Path,
    profile: Profile,
    overrides: dict[str, str] | None = None,
    only: list[str] | None = None,
    ignore_files: tuple[str, ...] = IGNORE_FILES,
) -> FileTree:
    """Walk `root` like `get_file_tree` and return the files the archive will carry.

    `overrides` maps project-relative POSIX paths to unsaved text; a path that does not exist on
    disk yet is treated as a file at the end of its directory listing. `only`: no walk, just
    these files (those that exist). `ignore_files` are the ignore files the profile's release
    reads, in order.
    """
    root = Path(root)
    tree = FileTree(root=root)
    if only is not None:
        tree.files = [rel for rel in only if rel in (overrides or {}) or (root / rel).is_file()]
        tree.scan_order = list(tree.files)
        return tree
    tree.sources = read_ignore_sources(root, overrides, ignore_files)
    tree.errors.extend(s.error for s in tree.sources if s.error)
    spec = build_spec(tree.sources, profile)
    virtual = _virtual_entries(overrides or {})
    budget = [MAX_WALK_ENTRIES]

    def walk(rel_dir: str, inside: frozenset) -> list[tuple[str, list | None]]:
        """Return this directory's entries in listing order: (path, None) for a file,
        (path, children) for a directory. `inside`: identities of the directories above."""
        entries: list[tuple[str, list | None]] = []
        abs_dir = root / rel_dir if rel_dir else root
        identity = _identity(abs_dir)
        if identity is not None and identity in inside:
            tree.walk_problems.append((rel_dir, _cycle_message(rel_dir, abs_dir)))
            return entries
        inside = inside | {identity}
        listed: dict[str, os.DirEntry] = {}
        try:
            with os.scandir(abs_dir) as scan:  # listdir's order; the entry knows its type without a stat
                listed = {entry.name: entry for entry in scan}
        except FileNotFoundError:
            pass
        except OSError as exc:
            tree.errors.append(f"Permission denied: {rel_dir or '.'} - {exc}")
        names = [*listed, *(n for n in virtual.get(rel_dir, ()) if n not in listed)]
        for name in names:
            budget[0] -= 1
            if budget[0] < 0:
                if budget[0] == -1:
                    tree.walk_problems.append((rel_dir, _cap_message(rel_dir)))
                break
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if spec.match_file(rel):
                tree.ignored.append(rel)
                continue
            kind = _kind(listed.get(name), rel, virtual)
            if kind == "file":
                tree.files.append(rel)
                entries.append((rel, None))
            elif kind == "dir":
                entries.append((rel, walk(rel, inside)))
        return entries

    above = frozenset(_identity(p) for p in root.resolve().parents)  # a link to one of them is a cycle too
    top = walk("", above)
    if profile.family == "tetra":  # the scanner reads the build directory's copy
        tree.filesystem = filesystem_of(root)
        top = as_build_copy_lists(top, tree.filesystem)
    tree.scan_order = _rglob_order(top)
    return tree


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _cycle_message(rel: str, path: Path) -> str:
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        target = "a directory above it"
    return (
        f"{rel} leads back to {target}, which contains it: `flash build` follows such a link again and "
        f"again (copying the same files up to 40 times, or walking the whole disk for a link to /). "
        f"Flash LSP does not follow it; remove the link or add it to .flashignore."
    )


def _cap_message(rel: str) -> str:
    return (
        f"The project has more than {MAX_WALK_ENTRIES:,} files and directories (walk stopped in "
        f"{rel or '.'}): `flash build` copies all of them; Flash LSP analysed the first {MAX_WALK_ENTRIES:,}. "
        f"Add large directories to .flashignore."
    )


def _virtual_entries(overrides: dict[str, str]) -> dict[str, list[str]]:
    """Directory → child names implied by override paths (so unsaved new files are walked)."""
    children: dict[str, list[str]] = {}
    for rel in overrides:
        parts = rel.split("/")
        for i in range(len(parts)):
            parent = "/".join(parts[:i])
            names = children.setdefault(parent, [])
            if parts[i] not in names:
                names.append(parts[i])
    return children


def _kind(entry: os.DirEntry | None, rel: str, virtual: dict[str, list[str]]) -> str | None:
    """`file` or `dir` (links followed), from the disk's `entry`, else from the unsaved paths."""
    try:
        if entry is not None and entry.is_file():
            return "file"
        if entry is not None and entry.is_dir():
            return "dir"
    except OSError:
        return None
    if rel in virtual:
        return "dir"
    parent, _, name = rel.rpartition("/")
    return "file" if name in virtual.get(parent, ()) else None


def _rglob_order(entries: list[tuple[str, list | None]]) -> list[str]:
    """Order of `Path.rglob` over the build dir: a directory's files, then its subdirectories."""
    order = [rel for rel, sub in entries if sub is None]
    for _rel, sub in entries:
        if sub is not None:
            order.extend(_rglob_order(sub))
    return order
