"""Diagnostics rules: each rule reads the project model and yields `Diagnostic`s with a stable code.

The catalogue (`CATALOGUE`) is the single list of every code the product emits; settings can
disable a code or change its severity (`apply_overrides`, used for every source).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..model import Diagnostic, Span
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


def _rule_functions(model: ProjectModel) -> list[RuleFn]:
    from . import (
        analysis_limits,
        build_errors,
        configs,
        decorator_traps,
        decorators,
        dependencies,
        file_order,
        ignore_traps,
        project_files,
    )

    if model.profile.family == "flash1":
        from ..flash1 import output_rules
        from ..flash1 import rules as flash1_rules
        from . import flash1_editor

        return [flash1_rules.check, output_rules.check, flash1_editor.check, analysis_limits.check]
    if model.profile.family == "runpod2":
        from ..runpod2 import rules as runpod2_rules

        return [runpod2_rules.check, analysis_limits.check]
    return [
        configs.check,
        decorators.check,
        decorator_traps.check,
        build_errors.check,
        dependencies.check,
        project_files.check,
        ignore_traps.check,
        file_order.check,
        analysis_limits.check,
    ]


def _guarded(rule: RuleFn, model: ProjectModel, project: Project) -> list[Diagnostic]:
    """A rule's diagnostics; a rule that fails unexpectedly yields one FL412 and the others still run."""
    try:
        return list(rule(model, project))
    except Exception as exc:  # noqa: BLE001 - one failing rule must not hide every other diagnostic
        import logging  # only here: a headless command starts faster without it

        logging.getLogger(__name__).exception("rule %s failed", rule.__module__)
        message = (
            f"Flash LSP could not finish its {rule.__module__.rsplit('.', 1)[-1]} checks: {type(exc).__name__}: {exc}"
        )
        return [CATALOGUE["FL412"].at("", Span(0, 0, 0, 0), message)]


def run_rules(
    model: ProjectModel,
    project: Project,
    overrides: Overrides | None = None,
) -> list[Diagnostic]:
    """All diagnostics, de-duplicated; `overrides` maps a code to a severity or None (disabled)."""
    seen: set = set()
    out: list[Diagnostic] = []
    for rule in _rule_functions(model):
        for diagnostic in apply_overrides(_guarded(rule, model, project), overrides):
            key = (diagnostic.code, diagnostic.path, diagnostic.span, diagnostic.message)
            if key not in seen:
                seen.add(key)
                out.append(diagnostic)
    return out


__all__ = ["CATALOGUE", "Rule", "apply_overrides", "run_rules"]
