"""Every diagnostic code Flash LSP emits, in one catalogue (`catalogue.json`, data): static analysis
(FL1xx–FL6xx), the findings of a real `flash build` (FL7xx) and the archive-size prediction (FL8xx).

Each entry says what the build does, shows a short example and the fix; `docs/diagnostics.md` is
generated from it (`python -m flash_lsp.core.rules.docs`). Producers that have their own names for
findings (the runner's build-output parser, the size hints) are mapped through `kinds`: the runner
imports nothing of ours, so the mapping lives here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..model import Diagnostic, Related, Severity, Span

ANALYSIS, BUILD, SIZE, MIGRATE = "analysis", "build", "size", "migrate"
ORIGINS = (ANALYSIS, BUILD, SIZE, MIGRATE)
"""Origins: which part of the product emits a code (each is one diagnostics source in the editor)."""


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity  # the default; settings (`flash.diagnostics.rules`) override it per code
    title: str
    origin: str = ANALYSIS
    build: str = ""  # what `flash build` does
    example: str = ""
    fix: str = ""
    kinds: tuple[str, ...] = ()  # the producer's own names for this finding

    def at(self, path: str, span: Span, message: str, related: tuple[Related, ...] = (), **data) -> Diagnostic:
        return Diagnostic(self.code, self.severity, message, path, span, related, data)


SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "information": Severity.INFO, "hint": Severity.HINT}
"""Severity names as settings and the catalogue write them."""
_FIELDS = {f.name for f in fields(Rule)}


def severity_named(name: str | None, default: Severity) -> Severity:
    """A producer's severity name ("error", "warning", "info" or "information", "hint"), else `default`."""
    return SEVERITIES.get("information" if name == "info" else name or "", default)


_DATA = Path(__file__).with_name("catalogue.json")


def _catalogue(path: Path = _DATA) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        unknown = set(entry) - _FIELDS
        if unknown or entry.get("severity") not in SEVERITIES or entry.get("origin", ANALYSIS) not in ORIGINS:
            raise ValueError(f"{path.name}: bad entry {entry.get('code')!r}")
        rule = Rule(**{**entry, "severity": SEVERITIES[entry["severity"]], "kinds": tuple(entry.get("kinds", ()))})
        if rule.code in out:
            raise ValueError(f"{path.name}: {rule.code} is listed twice")
        out[rule.code] = rule
    return out


CATALOGUE: dict[str, Rule] = _catalogue()
_BY_KIND = {(r.origin, kind): r for r in CATALOGUE.values() for kind in r.kinds}


def rule_for_kind(origin: str, kind: str) -> Rule | None:
    """The catalogue entry of a producer's own finding name (e.g. the runner's `duplicate_route`)."""
    return _BY_KIND.get((origin, kind))


Overrides = dict[str, "Severity | None"]
"""Code → severity, or None for "off" (the `flash.diagnostics.rules` setting)."""


def apply_overrides(diagnostics: Iterable[Diagnostic], overrides: Overrides | None) -> list[Diagnostic]:
    """The diagnostics with per-code severity overrides applied and the disabled ones dropped."""
    if not overrides:
        return list(diagnostics)
    out = []
    for d in diagnostics:
        if d.code not in overrides:
            out.append(d)
        elif (severity := overrides[d.code]) is not None:
            out.append(replace(d, severity=severity))
    return out
