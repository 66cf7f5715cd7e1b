"""Where each requirement is written (a `requirements.txt` line or a `dependencies=[...]` string) and
what each requirement brings into the predicted archive: what size diagnostics, hovers and lenses
are placed on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.model import Span
from .graph import parse_requirement
from .model import PackageSize, SizeEstimate
from .tags import canonical

if TYPE_CHECKING:
    from ..core.project import ProjectModel
    from ..core.query import Endpoint

_CONFLICT_NAME = re.compile(r"^(?:The user requested\s+)?([A-Za-z0-9][A-Za-z0-9._-]*)")


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


def by_text(occ: list[Occurrence], texts) -> list[Occurrence]:
    wanted = {t for t in texts if isinstance(t, str)}
    return [o for o in occ if o.installed and o.text in wanted]


def by_name(occ: list[Occurrence], names) -> list[Occurrence]:
    wanted = {canonical(n) for n in names if n}
    return [o for o in occ if o.installed and o.name in wanted]


def conflict_names(data: dict) -> set[str]:
    """The package names a resolver conflict is about (its packages and the requirement lines it quotes)."""
    names = {parse_requirement(p)[0] for p in data.get("packages") or [] if isinstance(p, str)}
    for line in data.get("requirements") or []:
        m = _CONFLICT_NAME.match(line.strip()) if isinstance(line, str) else None
        if m:
            names.add(canonical(m.group(1)))
    return names


def endpoint_total(est: SizeEstimate, pkgs: list[PackageSize]) -> int | None:
    """The archive of one endpoint alone: its packages, the project files and the overhead."""
    if est.archive_bytes is None:
        return None
    return sum(p.archive_bytes for p in pkgs) + est.project_bytes + est.overhead_bytes


def endpoint_figures(est: SizeEstimate, model: ProjectModel) -> list[dict]:
    """What each endpoint's own `dependencies=[...]` brings in, and its archive alone."""
    from ..core.query import endpoints

    out = []
    for ep in endpoints(model):
        if not ep.functions:
            continue
        own = endpoint_requirements(model, ep)
        pkgs = brings_in(est, own)
        out.append(
            {
                "name": ep.name,
                "compute": ep.compute,
                "requirements": own,
                "packages": [p.name for p in pkgs],
                "bytes": endpoint_total(est, pkgs),
            }
        )
    return out
