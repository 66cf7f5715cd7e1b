"""Diagnostics rules: each rule reads the project model and yields `Diagnostic`s with a stable code.

The catalogue (`CATALOGUE`) is the single list of codes, default severities and titles; settings
can disable a rule or change its severity by code.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterable

from ..model import Diagnostic, Severity
from .catalogue import CATALOGUE, Rule

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

RuleFn = Callable[["ProjectModel", "Project"], Iterable[Diagnostic]]


def per_file(project: Project, rule: str, relpath: str, summary, compute: Callable[[], Iterable[Diagnostic]]) -> list[Diagnostic]:
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


def _rule_functions(model: ProjectModel) -> list[RuleFn]:
    from . import build_errors, configs, decorators, dependencies, project_files

    if model.profile.family == "flash1":
        from ..flash1 import output_rules
        from ..flash1 import rules as flash1_rules

        return [flash1_rules.check, output_rules.check]
    if model.profile.family == "runpod2":
        from ..runpod2 import rules as runpod2_rules

        return [runpod2_rules.check]
    return [configs.check, decorators.check, build_errors.check, dependencies.check, project_files.check]


def run_rules(
    model: ProjectModel,
    project: Project,
    overrides: dict[str, Severity | None] | None = None,
) -> list[Diagnostic]:
    """All diagnostics, de-duplicated; `overrides` maps a code to a severity or None (disabled)."""
    seen: set = set()
    out: list[Diagnostic] = []
    for rule in _rule_functions(model):
        for diagnostic in rule(model, project):
            if overrides and diagnostic.code in overrides:
                severity = overrides[diagnostic.code]
                if severity is None:
                    continue
                diagnostic = replace(diagnostic, severity=severity)
            key = (diagnostic.code, diagnostic.path, diagnostic.span, diagnostic.message)
            if key not in seen:
                seen.add(key)
                out.append(diagnostic)
    return out


__all__ = ["CATALOGUE", "Rule", "run_rules"]
