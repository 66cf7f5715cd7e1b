"""Which project files runpod-flash 1.x ships (docs/flash1.md, "Shipped files").

The walk and the pattern matching are the shared ones (`core.files`); a 1.x release only changes the
ignore files it reads and its built-in patterns. From 1.11.1 only `.gitignore` is read: a leftover
`.flashignore` is announced by a logged warning and is itself shipped. The 1.19 local-module
closure check over the shipped files is in `closure.py`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from weakref import WeakKeyDictionary

from ..files import FileTree, collect_files
from ..profiles import FLASH17_IGNORES
from .closure import Checker, ClosureResult
from .handlers import release_of

FLASHIGNORE_WARNING = (
    ".flashignore is no longer supported; patterns are now built-in. "
    "Move any custom patterns to .gitignore and delete .flashignore."
)
# Built-in patterns of 1.4.0–1.10.1; 1.10.2 and 1.11.0 add `.env` and `.env.*`. From 1.11.1 they are
# the profile's own `builtin_ignores`.
_BUILTINS_1_4 = FLASH17_IGNORES
_BUILTINS_1_10_2 = _BUILTINS_1_4 + (".env", ".env.*")


def ignore_rules(profile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ignore files read, in order; built-in patterns appended after them) for `profile`'s release."""
    release = release_of(profile)
    if release >= (1, 11, 1):
        return (".gitignore",), tuple(profile.builtin_ignores)
    return (".flashignore", ".gitignore"), _BUILTINS_1_10_2 if release >= (1, 10, 2) else _BUILTINS_1_4


def collect(root: Path, profile, overrides: dict[str, str] | None = None) -> FileTree:
    """The shipped files in the build's walk order; `tree.errors` holds what the walk logs
    (unreadable ignore files, the `.flashignore` notice)."""
    names, builtins = ignore_rules(profile)
    tree = collect_files(Path(root), replace(profile, builtin_ignores=builtins), overrides, ignore_files=names)
    if ".flashignore" not in names and (".flashignore" in (overrides or {}) or (Path(root) / ".flashignore").exists()):
        tree.errors.append(FLASHIGNORE_WARNING)
    return tree


def closure_check(project, files: list[str]) -> ClosureResult:
    """The 1.19+ local-module closure check of the shipped `files` (walk order) of `project`. The
    result is kept for the project's diagnostics (`last_closure`)."""
    tree = project.files()
    last = project.__dict__.get("_flash1_closure_checker")
    if last is not None and last[0] is tree and last[1].files == files and last[1].still_valid(project.text):
        result = last[2]
    else:
        stat = last[1].stat if last is not None and last[0] is tree else None  # same files on disk
        checker = Checker(str(project.root), files, project.text, frozenset(project.overrides), stat)
        result = checker.run()
        # Kept on the project, not in a map keyed by it: the checker reads through `project.text`,
        # which would keep a weakly keyed project alive for ever.
        project.__dict__["_flash1_closure_checker"] = (tree, checker, result)
    _LAST[project] = result
    return result


def closure_error(project, files: list[str]) -> str | None:
    """The build's error text when the closure check stops it, else None."""
    return closure_check(project, files).error


def last_closure(project) -> ClosureResult | None:
    """The result of the last closure check of `project` (None: not run for its profile)."""
    return _LAST.get(project)


_LAST: WeakKeyDictionary = WeakKeyDictionary()
# The last run per project, (file tree, checker, result), is kept in `project.__dict__` and reused
# while no file it read has different imports (a keystroke in a function body re-runs nothing).
