"""Ignore-file traps tetra-rp's file collection springs silently (FL606–FL608).

What the build does with a byte-order mark, with `.gitignore` files below the root and with a `!`
pattern under an excluded directory is described in `docs/tetra-build.md`, "Ignore-file traps".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ..files import BOM, JUNK_DIRS, IgnoreSpec, build_spec, parse_ignore_text
from ..model import Diagnostic, Span
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

MAX_PRUNED_ENTRIES = 20_000  # entries looked at inside excluded directories, for `!` patterns only
SHOWN = 3


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    yield from _byte_order_marks(model)
    yield from _nested_gitignores(model, project)
    yield from _unreachable_negations(model, project)


def _byte_order_marks(model: ProjectModel) -> Iterator[Diagnostic]:
    for source in model.files.sources:
        if not source.patterns or not source.patterns[0].startswith(BOM):
            continue
        pattern = source.patterns[0][len(BOM) :].strip()
        if not pattern or pattern.startswith("#"):
            continue  # the mark spoils a blank line or a comment: nothing changes
        shipped = [f for f in model.files.files if _single(pattern).match_file(f)]
        effect = f"so {_ships(shipped)}" if shipped else "so it has no effect"
        yield CATALOGUE["FL606"].at(
            source.path,
            Span(0, 0, 0, len(pattern)),
            f"{source.path} starts with a byte-order mark: `flash build` reads its first pattern as "
            f"'\\ufeff{pattern}', which matches nothing, {effect}. Save {source.path} as UTF-8 without BOM.",
        )


def _nested_gitignores(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    tree = model.files
    ignore_file = next((s.path for s in tree.sources), ".flashignore")
    for relpath in tree.files:
        base, sep, name = relpath.rpartition("/")
        if not sep or name != ".gitignore" or base.split("/", 1)[0] in JUNK_DIRS:
            continue  # the root one is read; a virtualenv's own `*` is reported as junk (FL602)
        text = project.text(relpath)
        if text is None:
            continue
        matched: dict[int, list[str]] = {}
        patterns = _pattern_lines(text)
        spec = IgnoreSpec([p for _, p in patterns])
        for shipped in tree.files:
            if (
                shipped.startswith(base + "/")
                and shipped != relpath
                and spec.match_file(inner := shipped[len(base) + 1 :])
            ):
                line = _last_matching(patterns, inner)
                if line is not None:
                    matched.setdefault(line, []).append(shipped)
        lines = dict(patterns)
        for line, files in matched.items():
            pattern = lines[line]
            deployed = sorted({fn.name for fn in model.functions if fn.relpath in files})
            endpoint = (
                f"; {_listed([repr(n) for n in deployed])} {'is' if len(deployed) == 1 else 'are'} deployed"
                if deployed
                else ""
            )
            anchored = _anchored(base, pattern)
            yield CATALOGUE["FL607"].at(
                relpath,
                Span(line, 0, line, len(pattern)),
                f"`flash build` reads only the project's top-level ignore files, not {relpath}: "
                f"{_ships(files)}{endpoint}. Add `{anchored}` to {ignore_file}.",
                ignore_file=ignore_file,
                pattern=anchored,
            )


def _unreachable_negations(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    tree = model.files
    negations = [(s, p) for s in tree.sources for p in s.patterns if p.startswith("!") and len(p) > 1]
    if not negations:
        return
    spec = build_spec(tree.sources, model.profile)
    lost: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (source, pattern) → (file, pruned dir)
    budget = [MAX_PRUNED_ENTRIES]
    for pruned in tree.ignored:
        if not (tree.root / pruned).is_dir():
            continue
        for inside in _walk(tree.root, pruned, budget):
            if spec.match_file(inside):
                continue  # excluded by the patterns themselves, not only by the pruned directory
            for source, pattern in reversed(negations):
                if _single(pattern[1:]).match_file(inside):
                    lost.setdefault((source.path, pattern), []).append((inside, pruned))
                    break
    for (path, pattern), found in lost.items():
        text = project.text(path) or ""
        line = next((i for i, p in _pattern_lines(text) if p == pattern), 0)
        pruned = found[0][1]
        yield CATALOGUE["FL608"].at(
            path,
            Span(line, 0, line, len(pattern)),
            f"`{pattern}` cannot re-include {_listed([f for f, _ in found])}: the directory {pruned}/ is excluded, "
            f"and `flash build` never looks inside an excluded directory. Exclude its contents (`{pruned}/*`) "
            f"instead of the directory, so that `{pattern}` applies.",
        )


def _pattern_lines(text: str) -> list[tuple[int, str]]:
    """(0-based line, pattern) of every line the build keeps as a pattern."""
    out = []
    for number, line in enumerate(text.splitlines()):
        kept = parse_ignore_text(line)
        if kept:
            out.append((number, kept[0]))
    return out


def _last_matching(patterns: list[tuple[int, str]], path: str) -> int | None:
    """Line of the last non-negated pattern that matches `path`."""
    for line, pattern in reversed(patterns):
        if not pattern.startswith("!") and _single(pattern).match_file(path):
            return line
    return None


@lru_cache(maxsize=256)
def _single(pattern: str) -> IgnoreSpec:
    """One pattern compiled once (the rules run on every edit)."""
    return IgnoreSpec([pattern])


def _anchored(base: str, pattern: str) -> str:
    """`pattern` of `base/.gitignore` written for the top-level ignore file (git's rules: a pattern
    with a slash before its end is relative to its directory, one without matches at any depth)."""
    body = pattern.lstrip("/")
    if "/" in pattern.rstrip("/"):
        return f"{base}/{body}"
    return f"{base}/**/{body}"


def _walk(root, pruned: str, budget: list[int]) -> Iterator[str]:
    """Files below an excluded directory, relative to `root`, at most `budget` entries in all."""
    for directory, dirs, files in os.walk(root / pruned):
        rel_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        for name in files:
            budget[0] -= 1
            if budget[0] < 0:
                return
            yield f"{rel_dir}/{name}"
        budget[0] -= len(dirs)


def _ships(items: list[str]) -> str:
    return f"{_listed(items)} {'ships' if len(items) == 1 else 'ship'}"


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
