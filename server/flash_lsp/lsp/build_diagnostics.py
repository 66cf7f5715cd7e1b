"""The findings of a real `flash build` (and the package drift) as catalogue findings (FL7xx), at
the code they concern. The runner names findings its own way (`BuildFinding.kind`); the catalogue
maps those names to codes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.model import Diagnostic, Related, Span
from ..core.rules.catalogue import BUILD, CATALOGUE, rule_for_kind, severity_named
from ..runner import BuildFinding, BuildLocator, SourceLocation, locate
from .convert import LinesOf

if TYPE_CHECKING:
    from ..runner.report import PackageReport

GENERIC = "FL717"  # a finding the catalogue has no entry for: "the build reported an error"
DRIFT = "FL701"
DRIFT_ITEMS_SHOWN = 5


def finding_diagnostics(root: Path, model, findings: Iterable[BuildFinding], lines_of: LinesOf) -> list[Diagnostic]:
    """One diagnostic per place of each finding; the places of one finding point at each other."""
    locator = BuildLocator(root, model)
    out: list[Diagnostic] = []
    for finding, places in locate(findings, locator):
        places = tuple(p for p in places if locator.exists(p.file)) or tuple(locator.fallback(finding))
        rule = rule_for_kind(BUILD, finding.kind) or CATALOGUE[GENERIC]
        severity = severity_named(finding.severity, rule.severity)
        spans = [(p.file, _span(p, lines_of(p.file))) for p in places]
        for i, (rel, span) in enumerate(spans):
            related = tuple(Related(o, o_span, "also reported here") for j, (o, o_span) in enumerate(spans) if j != i)
            out.append(Diagnostic(rule.code, severity, finding.message, rel, span, related, {"kind": finding.kind}))
    return out


def drift_diagnostics(root: Path, model, report: PackageReport, lines_of: LinesOf) -> list[Diagnostic]:
    """FL701 on main.py (else the first Flash file) when the built directory differs from the prediction."""
    items = report.drift.items if report.drift is not None else []
    if not items:
        return []
    shown = "; ".join(item.describe() for item in items[:DRIFT_ITEMS_SHOWN])
    more = f"; … and {len(items) - DRIFT_ITEMS_SHOWN} more" if len(items) > DRIFT_ITEMS_SHOWN else ""
    message = (
        f"flash build differs from Flash LSP's prediction ({len(items)} difference(s)): {shown}{more}. "
        "See the package report."
    )
    return [
        CATALOGUE[DRIFT].at(
            place.file, _span(place, lines_of(place.file)), message, drift=report.drift.to_dict()["items"]
        )
        for place in BuildLocator(root, model).fallback()[:1]
    ]


def _span(place: SourceLocation, lines) -> Span:
    if place.end_line is None:  # the whole line
        line = min(max(place.line, 0), max(len(lines) - 1, 0))
        return Span(line, 0, line, len(lines[line].rstrip("\r\n")) if lines else 0)
    return Span(place.line, place.column, place.end_line, place.end_column or 0)
