"""Size diagnostics (FL801–FL811) as core findings, each on the requirement it concerns: one
function per kind of size hint. Findings about the whole set go to requirements.txt, else main.py,
else the first Flash file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.deps import pip_rejects
from ..core.model import Diagnostic, Related, Severity, Span
from ..core.profiles import CPU_CLASSES
from ..core.rules.catalogue import CATALOGUE, SIZE, rule_for_kind, severity_named
from .format import human_bytes
from .graph import parse_requirement
from .hints import TORCH_FAMILY
from .model import MIB, Hint, SizeEstimate, SizeRequest
from .occurrences import Occurrence, brings_in, by_name, by_text, conflict_names, occurrences

if TYPE_CHECKING:
    from ..core.project import ProjectModel

TOP = Span(0, 0, 0, 0)


@dataclass
class _Placer:
    """Puts findings on occurrences (or the project-level fallback file)."""

    model: ProjectModel
    root: Path
    project: str  # the project's id for clients (`data.project`)
    occ: list[Occurrence]
    out: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def fallback(self) -> str:
        if any(o.path == "requirements.txt" for o in self.occ) or (self.root / "requirements.txt").exists():
            return "requirements.txt"
        if (self.root / "main.py").exists() or not self.model.functions:
            return "main.py"
        return self.model.functions[0].relpath

    def put(
        self,
        targets: list[Occurrence],
        code: str,
        severity: str,
        message: str,
        data: dict,
        related: list[Occurrence] = (),
    ) -> None:
        data = {**data, "project": self.project}
        if not targets:
            self.out.append(
                Diagnostic(code, severity_named(severity, Severity.WARNING), message, self.fallback, TOP, data=data)
            )
            return
        for o in targets:
            others = tuple(
                Related(x.path, x.span, f"other side: {x.text!r}")
                for x in related
                if (x.path, x.span) != (o.path, o.span)
            )
            self.out.append(
                Diagnostic(
                    code,
                    severity_named(severity, Severity.WARNING),
                    message,
                    o.path,
                    o.span,
                    others,
                    {**data, "requirement": o.text},
                )
            )


def size_diagnostics(
    model: ProjectModel, root: Path, project: str, est: SizeEstimate | None, req: SizeRequest | None
) -> list[Diagnostic]:
    """Every size finding of the project; without an estimate only those that need none (FL807)."""
    placer = _Placer(model, root, project, occurrences(model))
    _cpu_torch_excluded(placer)
    if est is None or req is None:
        return placer.out
    for hint in est.hints:
        rule = rule_for_kind(SIZE, hint.kind)
        handler = _HANDLERS.get(hint.kind)
        if rule is not None and handler is not None:
            handler(placer, rule.code, hint, est)
    return placer.out


def _cpu_torch_excluded(p: _Placer) -> None:
    """CPU workers have no torch: excluding the torch family breaks those that import it."""
    cpu_functions = {(f.relpath, f.name) for f in p.model.functions if f.resource_type in CPU_CLASSES}
    gpu = any(f.resource_type not in CPU_CLASSES for f in p.model.functions)
    for o in p.occ:
        if o.installed or o.name not in TORCH_FAMILY or gpu and (o.path, o.function) not in cpu_functions:
            continue
        who = "this CPU endpoint's worker" if (o.path, o.function) in cpu_functions else "CPU workers"
        p.out.append(
            CATALOGUE["FL807"].at(
                o.path,
                o.span,
                f"{o.text!r} is removed by flash.build.exclude, but CPU worker images have no torch preinstalled: "
                f"{who} will fail with `ModuleNotFoundError: No module named '{o.name}'`. Only GPU images ship "
                "torch, torchvision and torchaudio.",
                kind="cpu-torch-excluded",
                project=p.project,
                requirement=o.text,
            )
        )


def _limit(p: _Placer, code: str, h: Hint, est: SizeEstimate) -> None:
    """Over / near the limit: on the requirements that bring in at least a quarter of the largest share."""
    installed = [o for o in p.occ if o.installed]
    contribution = {o.text: sum(pkg.archive_bytes for pkg in brings_in(est, [o.text])) for o in installed}
    top = max(contribution.values(), default=0)
    targets = [o for o in installed if top and contribution[o.text] >= 0.25 * top]
    profile = p.model.profile
    verdict = (
        f"`flash build` fails ('Archive exceeds RunPod limit ({(est.archive_bytes or 0) / MIB:.1f} MB / "
        f"{est.limit_bytes // MIB} MB)') and deletes the archive"
        if profile.size_limit_is_error
        else f"{profile.label} builds only warn (Deployment Size Warning): the archive is still written"
    )
    data = {"kind": h.kind, "archive_bytes": est.archive_bytes, "limit_bytes": est.limit_bytes}
    for o in targets or [None]:
        message = h.message
        if o is not None:
            message += f". {o.text!r} brings in {human_bytes(contribution[o.text])}"
        message += f"; {verdict}" if h.kind == "over-limit" else ""
        p.put([o] if o else [], code, h.severity, message, data)


def _resolution(p: _Placer, code: str, h: Hint, est: SizeEstimate) -> None:
    """No wheel / pip cannot install the set: on the requirements pip names."""
    targets = by_text(p.occ, h.data.get("requirements") or []) or by_name(p.occ, [h.data.get("package")])
    if code == "FL810":  # requirements.txt lines pip rejects are the analysis' FL504 already
        targets = [o for o in targets if not (o.path == "requirements.txt" and pip_rejects(o.text))]
        if not targets and any(pip_rejects(o.text) for o in p.occ if o.path == "requirements.txt"):
            return
    p.put(
        targets,
        code,
        h.severity,
        h.message,
        {
            "kind": h.kind,
            "package": h.data.get("package"),
            "versions_with_wheel": h.data.get("versions_with_wheel", []),
        },
    )


def _conflict(p: _Placer, code: str, h: Hint, est: SizeEstimate) -> None:
    targets = by_name(p.occ, conflict_names(h.data))
    p.put(targets, code, h.severity, h.message, {"kind": h.kind}, related=targets)


def _gpu_torch_exclusion(p: _Placer, code: str, h: Hint, est: SizeEstimate) -> None:
    quirky = {q.split("'")[1] for q in h.data.get("quirks", []) if q.count("'") >= 2}
    packages = [n for n in h.data.get("packages", []) if not any(parse_requirement(q)[0] == n for q in quirky)]
    p.put(
        by_name(p.occ, h.data.get("packages", [])),
        code,
        h.severity,
        h.message,
        {"kind": h.kind, "packages": packages, "saving_bytes": h.data.get("saving_bytes")},
    )


def _on_named_requirements(source: str, *fields: str) -> Callable[[_Placer, str, Hint, SizeEstimate], None]:
    """A handler that puts the hint on the requirements whose texts its `source` datum names (a
    list or one text), with the hint's `fields` in the data."""

    def place(p: _Placer, code: str, h: Hint, est: SizeEstimate) -> None:
        named = h.data.get(source) or []
        texts = named if isinstance(named, list) else [named]
        p.put(by_text(p.occ, texts), code, h.severity, h.message, {"kind": h.kind} | {f: h.data.get(f) for f in fields})

    return place


_HANDLERS: dict[str, Callable[[_Placer, str, Hint, SizeEstimate], None]] = {
    "over-limit": _limit,
    "near-limit": _limit,
    "no-wheel": _resolution,
    "resolution-failed": _resolution,
    "conflict": _conflict,
    # a direct reference: its size needs a build, which the prediction never runs
    "not-predictable": _on_named_requirements("requirements"),
    "gpu-torch-exclusion": _gpu_torch_exclusion,
    "torch-transitive": _on_named_requirements("required_by", "bytes"),
    "exclude-name-mismatch": _on_named_requirements("requirement", "token", "build_name"),
    "exclude-transitive": _on_named_requirements("required_by", "token", "package"),
    # "exclude-unmatched" has no size code: the analysis' FL506 says it already
}
