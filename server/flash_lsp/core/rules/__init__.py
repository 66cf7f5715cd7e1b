"""Diagnostics rules: each rule reads the project model and yields `Diagnostic`s with a stable code.

The catalogue (`CATALOGUE`) is the single list of every code the product emits; settings can
disable a code or change its severity (`apply_overrides`, used for every source).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..model import Diagnostic
from .catalogue import CATALOGUE, Overrides, Rule, apply_overrides

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

RuleFn = Callable[["ProjectModel", "Project"], Iterable[Diagnostic]]


def per_file(
    project: Project, rule: str, relpath: str, summary, compute: Callable[[], Iterable[Diagnostic]]
) -> list[Diagnostic]:
    """Diagnostics that depend on one file only, computed once per version of that file.

    The memo keeps the summary object itself, so an identity match means the same content."""
    memo = project.rule_memo
    key = (rule, relpath)
    hit = memo.get(key)
    if hit is not None and hit[0] is summary:
        return hit[1]
    found = list(compute())
    memo[key] = (summary, found)
    return found


def _rule_functions() -> list[RuleFn]:
    from . import build_errors, configs, decorators, dependencies, project_files

    return [configs.check, decorators.check, build_errors.check, dependencies.check, project_files.check]


def run_rules(
    model: ProjectModel,
    project: Project,
    overrides: Overrides | None = None,
) -> list[Diagnostic]:
    """All diagnostics, de-duplicated; `overrides` maps a code to a severity or None (disabled)."""
    seen: set = set()
    out: list[Diagnostic] = []
    for rule in _rule_functions():
        for diagnostic in apply_overrides(rule(model, project), overrides):
            key = (diagnostic.code, diagnostic.path, diagnostic.span, diagnostic.message)
            if key not in seen:
                seen.add(key)
                out.append(diagnostic)
    return out


__all__ = ["CATALOGUE", "Rule", "apply_overrides", "run_rules"]
