"""Diagnostics of the archive-size prediction (source "flash-lsp size", codes FL801–FL810), placed on
the `requirements.txt` line or `dependencies=[...]` string they are about."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ...bundle import SizeEstimate, SizeRequest
from ...bundle.graph import parse_requirement
from ...bundle.hints import TORCH_FAMILY
from ...bundle.model import MIB, PackageSize
from ...bundle.tags import canonical
from ...core.deps import pip_rejects
from ...core.model import Span
from ...core.profiles import CPU_CLASSES
from ...core.query import Endpoint
from ..convert import uri_of

if TYPE_CHECKING:
    from ...core.project import ProjectModel
    from ..session import ProjectState

log = logging.getLogger(__name__)

SOURCE = "flash-lsp size"
ADD_EXCLUSION = "flash.addBuildExclusion"

# code → (hint kind, default severity, title). Stable: clients and rule overrides key on them.
CODES: dict[str, tuple[str, str, str]] = {
    "FL801": ("over-limit", "warning|error", "predicted archive exceeds the size limit (the build warns / fails)"),
    "FL802": ("near-limit", "warning", "predicted archive above 80 % of the size limit"),
    "FL803": ("no-wheel", "error", "no wheel for the build's target (Linux x86_64, CPython X.Y)"),
    "FL804": ("conflict", "error", "requirements conflict (shown on every side)"),
    "FL805": ("gpu-torch-exclusion", "information|warning", "torch family is in the GPU base image: exclude it"),
    "FL806": ("torch-transitive", "information|warning", "torch arrives transitively and is bundled whole"),
    "FL807": ("cpu-torch-excluded", "warning", "torch family excluded but a CPU worker needs it"),
    "FL808": ("exclude-name-mismatch", "warning", "exclusion that the build's name matching misses"),
    "FL809": ("exclude-transitive", "warning", "exclusion of a package that arrives as a dependency"),
    "FL810": ("resolution-failed", "error", "pip cannot install the requirement set"),
}
_CODE_OF = {kind: code for code, (kind, _sev, _title) in CODES.items()}
_CODE_OF.update({"requires-python": "FL810", "invalid-requirement": "FL810"})
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_CONFLICT_NAME = re.compile(r"^(?:The user requested\s+)?([A-Za-z0-9][A-Za-z0-9._-]*)")


def fmt(n: int | float | None) -> str:
    """Sizes as flash prints them (MB meaning MiB), with KB for the small ones."""
    if n is None:
        return "?"
    if n >= 0.1 * MIB:
        return f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{int(n)} B"


# --------------------------------------------------------------------------- requirement occurrences


@dataclass(frozen=True)
class Occurrence:
    """One place a requirement string is written: a `requirements.txt` line or a decorator element.
    `installed`: pip gets it (False: removed by flash.build.exclude)."""

    text: str
    path: str
    span: Span
    function: str | None
    installed: bool

    @property
    def name(self) -> str:
        return parse_requirement(self.text)[0]


def occurrences(model: ProjectModel) -> list[Occurrence]:
    """Every place of every collected requirement, duplicates included (the build de-duplicates by
    exact string, so a `dependencies=["six"]` that repeats a requirements.txt line is the same one)."""
    reqs = model.requirements
    installed = {r.text for r in reqs.installed if isinstance(r.text, str)}
    texts = {r.text for r in reqs.collected if isinstance(r.text, str)}
    out: list[Occurrence] = []
    seen: set[tuple[str, Span]] = set()
    for r in [*reqs.installed, *reqs.excluded]:
        if isinstance(r.text, str):
            out.append(Occurrence(r.text, r.path, r.span, r.function, r.text in installed))
            seen.add((r.path, r.span))
    for rel, summary in model.summaries.items():
        if not rel.startswith("workers/") or rel.endswith("/__init__.py"):
            continue
        for decl in summary.dependencies:
            if decl.is_async or not decl.is_list_literal:
                continue
            for value, span in decl.items:
                if isinstance(value, str) and value in texts and (rel, span) not in seen:
                    seen.add((rel, span))
                    out.append(Occurrence(value, rel, span, decl.function, value in installed))
    return out


def endpoint_requirements(model: ProjectModel, ep: Endpoint) -> list[str]:
    """The installed requirement strings of the endpoint's own `dependencies=[...]`."""
    installed = {r.text for r in model.requirements.installed if isinstance(r.text, str)}
    out: list[str] = []
    for fn in ep.functions:
        if not fn.relpath.startswith("workers/"):
            continue
        summary = model.summaries.get(fn.relpath)
        for decl in summary.dependencies if summary else []:
            if decl.function != fn.name or decl.is_async or not decl.is_list_literal:
                continue
            out += [v for v, _span in decl.items if isinstance(v, str) and v in installed and v not in out]
    return out


def brings_in(est: SizeEstimate, requirements: list[str]) -> list[PackageSize]:
    """Packages reachable from `requirements` (each package's `required_by` lists its tops)."""
    wanted = set(requirements)
    return [p for p in est.packages if wanted.intersection(p.required_by)]


# --------------------------------------------------------------------------- per-project state


def _fallback(model: ProjectModel, occ: list[Occurrence], root: Path) -> tuple[str, Span]:
    """Where a finding about the whole set goes: requirements.txt, else main.py, else a Flash file."""
    if any(o.path == "requirements.txt" for o in occ) or (root / "requirements.txt").exists():
        return "requirements.txt", Span(0, 0, 0, 0)
    if (root / "main.py").exists() or not model.functions:
        return "main.py", Span(0, 0, 0, 0)
    return model.functions[0].relpath, Span(0, 0, 0, 0)


def _by_text(occ: list[Occurrence], texts) -> list[Occurrence]:
    wanted = {t for t in texts if isinstance(t, str)}
    return [o for o in occ if o.installed and o.text in wanted]


def _by_name(occ: list[Occurrence], names) -> list[Occurrence]:
    wanted = {canonical(n) for n in names if n}
    return [o for o in occ if o.installed and o.name in wanted]


def conflict_names(data: dict) -> set[str]:
    names = {parse_requirement(p)[0] for p in data.get("packages") or [] if isinstance(p, str)}
    for line in data.get("requirements") or []:
        m = _CONFLICT_NAME.match(line.strip()) if isinstance(line, str) else None
        if m:
            names.add(canonical(m.group(1)))
    return names


def _related(state: ProjectState, others: list[Occurrence], message: str) -> list[types.DiagnosticRelatedInformation] | None:
    out = []
    for o in others:
        rng = types.Range(types.Position(o.span.line, o.span.col), types.Position(o.span.end_line, o.span.end_col))
        out.append(types.DiagnosticRelatedInformation(types.Location(uri_of(state.root / o.path), rng), f"{message}: {o.text!r}"))
    return out or None


def _diag(code: str, severity: str, message: str, data: dict) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=message,
        severity=_SEVERITY.get(severity, types.DiagnosticSeverity.Warning),
        code=code,
        source=SOURCE,
        data=data,
    )


def diagnostics_for(state: ProjectState, model: ProjectModel, est: SizeEstimate | None,
                    req: SizeRequest | None) -> list[tuple[str, Span, types.Diagnostic]]:
    """(path, span, diagnostic) for every finding; ranges are filled in by the caller."""
    occ = occurrences(model)
    out: list[tuple[str, Span, types.Diagnostic]] = []
    project = state.uri

    def put(targets: list[Occurrence], code: str, severity: str, message: str, data: dict, related=None) -> None:
        if not targets:
            rel, span = _fallback(model, occ, state.root)
            out.append((rel, span, _diag(code, severity, message, data)))
            return
        for o in targets:
            d = _diag(code, severity, message, {**data, "requirement": o.text})
            others = [x for x in (related or []) if (x.path, x.span) != (o.path, o.span)]
            d.related_information = _related(state, others, "other side") if others else None
            out.append((o.path, o.span, d))

    # CPU workers have no torch: excluding the torch family breaks those that import it.
    cpu_functions = {(f.relpath, f.name) for f in model.functions if f.resource_type in CPU_CLASSES}
    gpu = any(f.resource_type not in CPU_CLASSES for f in model.functions)
    for o in occ:
        if o.installed or o.name not in TORCH_FAMILY:
            continue
        if gpu and (o.path, o.function) not in cpu_functions:
            continue
        module = o.name
        who = "this CPU endpoint's worker" if (o.path, o.function) in cpu_functions else "CPU workers"
        out.append((o.path, o.span, _diag(
            "FL807", "warning",
            f"{o.text!r} is removed by flash.build.exclude, but CPU worker images have no torch preinstalled: "
            f"{who} will fail with `ModuleNotFoundError: No module named '{module}'`. Only GPU images ship "
            "torch, torchvision and torchaudio.",
            {"kind": "cpu-torch-excluded", "project": project, "requirement": o.text},
        )))

    if est is None or req is None:
        return out
    installed = [o for o in occ if o.installed]
    contribution = {o.text: sum(p.archive_bytes for p in brings_in(est, [o.text])) for o in installed}
    for h in est.hints:
        code = _CODE_OF.get(h.kind)
        data = {"kind": h.kind, "project": project}
        if code is None or h.kind == "exclude-unmatched":  # FL506 (core) already says it
            continue
        if h.kind in ("over-limit", "near-limit"):
            top = max(contribution.values(), default=0)
            targets = [o for o in installed if top and contribution[o.text] >= 0.25 * top]
            verdict = (f"`flash build` fails ('Archive exceeds RunPod limit ({est.archive_bytes / MIB:.1f} MB / "
                       f"{est.limit_bytes // MIB} MB)') and deletes the archive" if model.profile.size_limit_is_error
                       else f"{model.profile.label} builds only warn (Deployment Size Warning): the archive is still written")
            for o in targets or [None]:
                message = h.message
                if o is not None:
                    message += f". {o.text!r} brings in {fmt(contribution[o.text])}"
                message += f"; {verdict}" if h.kind == "over-limit" else ""
                put([o] if o else [], code, h.severity, message, {**data, "archive_bytes": est.archive_bytes,
                                                                  "limit_bytes": est.limit_bytes})
        elif h.kind in ("no-wheel", "resolution-failed", "requires-python", "invalid-requirement"):
            targets = _by_text(occ, h.data.get("requirements") or []) or _by_name(occ, [h.data.get("package")])
            if code == "FL810":  # requirements.txt lines pip rejects are the core's FL504 already
                targets = [o for o in targets if not (o.path == "requirements.txt" and pip_rejects(o.text))]
                if not targets and any(pip_rejects(o.text) for o in occ if o.path == "requirements.txt"):
                    continue
            put(targets, code, h.severity, h.message, {**data, "package": h.data.get("package"),
                                                      "versions_with_wheel": h.data.get("versions_with_wheel", [])})
        elif h.kind == "conflict":
            targets = _by_name(occ, conflict_names(h.data))
            put(targets, code, h.severity, h.message, data, related=targets)
        elif h.kind == "gpu-torch-exclusion":
            quirky = {q.split("'")[1] for q in h.data.get("quirks", []) if q.count("'") >= 2}
            packages = [n for n in h.data.get("packages", []) if not any(parse_requirement(q)[0] == n for q in quirky)]
            put(_by_name(occ, h.data.get("packages", [])), code, h.severity, h.message,
                {**data, "packages": packages, "saving_bytes": h.data.get("saving_bytes")})
        elif h.kind == "torch-transitive":
            put(_by_text(occ, h.data.get("required_by", [])), code, h.severity, h.message,
                {**data, "bytes": h.data.get("bytes")})
        elif h.kind == "exclude-name-mismatch":
            put(_by_text(occ, [h.data.get("requirement")]), code, h.severity, h.message,
                {**data, "token": h.data.get("token"), "build_name": h.data.get("build_name")})
        elif h.kind == "exclude-transitive":
            put(_by_text(occ, h.data.get("required_by", [])), code, h.severity, h.message,
                {**data, "token": h.data.get("token"), "package": h.data.get("package")})
    return out


# --------------------------------------------------------------------------- entry points for other features
