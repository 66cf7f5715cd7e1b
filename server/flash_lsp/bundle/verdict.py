"""pip's verdict on the build's requirements, taken from a size estimate, joined to the analysis'
build outcome: a tetra-rp build whose pip cannot install the requirements (an sdist-only package,
a conflict) fails with "Failed to install dependencies" (docs/tetra-build.md, "Dependencies").

The analysis core never resolves packages; the CLI and the server combine the two here, so that
`check`, its JSON, the editor's tree and its status bar say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.project import BuildOutcome, ProjectModel
from .model import SizeEstimate

INSTALL_FAILED = "Failed to install dependencies"
# confidences whose problems are pip's own answer (uv's provisional one is not)
_KNOWN = ("authoritative", "cached")


@dataclass(frozen=True)
class PipVerdict:
    """`installs`, `fails`, `unknown`, or `irrelevant` (the build stops earlier, installs nothing,
    or the profile is not modelled); `reason` says why for `fails` and `unknown`."""

    state: str
    reason: str = ""

    def to_json(self) -> dict:
        return {"state": self.state, "reason": self.reason}


def pip_verdict(model: ProjectModel, estimate: SizeEstimate | None, why_missing: str = "") -> PipVerdict:
    """What pip does with `model`'s requirements according to `estimate` (None: not resolved,
    `why_missing` says why)."""
    if model.profile.family != "tetra" or not model.outcome.succeeds or not model.has_main:
        return PipVerdict("irrelevant")
    if not model.requirements.installed:
        return PipVerdict("irrelevant")
    if estimate is None:
        return PipVerdict("unknown", why_missing or "the requirements have not been resolved")
    known = estimate.confidence in _KNOWN and (estimate.cached_from or "authoritative") == "authoritative"
    if estimate.problems and known:
        return PipVerdict("fails", estimate.problems[0].message)
    if estimate.archive_bytes is None or not known:
        how = "offline, no resolution cached" if estimate.confidence == "offline-estimate" else "resolution in progress"
        return PipVerdict("unknown", f"whether pip installs the requirements is not known yet ({how})")
    return PipVerdict("installs")


def combined_outcome(outcome: BuildOutcome, verdict: PipVerdict) -> BuildOutcome:
    """The build outcome with pip's verdict: failed as the build reports it, or `succeeds` None
    (unknown) when the analysis alone would claim success. An uncertain step (a request at import)
    makes a success unknown too, with its `Uncertain: ` warning."""
    if outcome.succeeds and outcome.uncertain:
        outcome = replace(
            outcome,
            succeeds=None,
            warnings=[*outcome.warnings, *(f"Uncertain: {u.message}" for u in outcome.uncertain)],
        )
    if verdict.state == "fails":
        return BuildOutcome(
            False, [*outcome.errors, INSTALL_FAILED], [*outcome.warnings, f"pip install failed: {verdict.reason}"]
        )
    if verdict.state == "unknown":
        return replace(outcome, succeeds=None, warnings=[*outcome.warnings, f"Unknown: {verdict.reason}"])
    return outcome
