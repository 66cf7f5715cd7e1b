"""Assembling an estimate: a stored resolution plus what belongs to this request (project files,
exclusions, the plan's unpredictable requirements), with hints."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict

from . import hints as hints_mod
from . import project as project_mod
from .graph import parse_requirement, required_by
from .model import PackageSize, Problem, SizeEstimate, SizeRequest, TopLevel
from .plan import ResolvePlan
from .resolve import Resolution, ResolvedDist
from .wheelcd import WheelStats

REQUESTED_BYTES = 80  # REQUESTED file + its RECORD row, for requirements named directly


def resolution_entry(
    res: Resolution, stats: list[WheelStats], requires: dict, notes: list[str], confidence: str
) -> dict:
    """The stored form of a resolution and its wheels' statistics (JSON)."""
    return {
        "confidence": confidence,
        "resolver": res.resolver,
        "computed_at": time.time(),
        "dists": [d.to_dict() for d in res.dists],
        "stats": [s.to_dict() for s in stats],
        "requires": requires,
        "diverged": res.diverged,
        "notes": notes,
        "problems": [],
        "failed": False,
    }


def problem_entry(problems: list[Problem], resolver: str, output: str = "") -> dict:
    """The stored form of a failed resolution: the problems that make the build's pip fail."""
    return {
        "confidence": "authoritative",
        "resolver": resolver,
        "computed_at": time.time(),
        "dists": [],
        "stats": [],
        "requires": {},
        "diverged": [],
        "notes": [],
        "problems": [p.__dict__ for p in problems],
        "failed": True,
        "output_tail": output[-3000:],
    }


def plan_problems(plan: ResolvePlan) -> list[Problem]:
    """The requirements the prediction refuses to resolve (direct references: only a build could size them)."""
    return [
        Problem(
            "not-predictable",
            f"{u.requirement}: {u.action}",
            parse_requirement(u.requirement)[0] or None,
            [u.requirement],
        )
        for u in plan.unpredictable
    ]


def _packages(entry: dict, req: SizeRequest) -> list[PackageSize]:
    dists = [ResolvedDist.from_dict(d) for d in entry.get("dists", [])]
    stats = [WheelStats.from_dict(s) for s in entry.get("stats", [])]
    resolved = {d.key for d in dists}
    by, chains = required_by(list(req.requirements), entry.get("requires", {}), req.python_version, resolved)
    direct = {parse_requirement(r)[0] for r in req.requirements if isinstance(r, str)}
    skip = {n.lower().replace("-", "_") for n in req.tarball_filter}
    out = []
    for d, st in zip(dists, stats, strict=False):
        tops = []
        total = 0
        for t in st.top_level.values():
            ab = int(round(max(t.archive, 0.0)))
            name_norm = t.name.lower().replace("-", "_")
            if skip and (name_norm in skip or (t.kind == "dist-info" and name_norm.split("-")[0] in skip)):
                ab = 0
            ab += int(round(req.bytecode_ratio * t.py_bytes)) if ab else 0
            tops.append(TopLevel(t.name, t.kind, t.files, t.uncompressed, ab))
            total += ab
        if d.key in direct:
            total += REQUESTED_BYTES
        tops.sort(key=lambda t: -t.archive_bytes)
        out.append(
            PackageSize(
                name=d.name,
                version=d.version,
                filename=d.filename,
                url=d.url,
                wheel_bytes=st.wheel_bytes or d.size,
                archive_bytes=total,
                uncompressed_bytes=st.uncompressed_bytes,
                files=st.files,
                required_by=by.get(d.key, [r for r in req.requirements if parse_requirement(r)[0] == d.key]),
                direct=d.key in direct,
                via=chains.get(d.key, [d.key]),
                top_level=tops,
                size_method=st.method,
                sha256=d.sha256,
            )
        )
    out.sort(key=lambda p: -p.archive_bytes)
    return out


def packages_for(entry: dict, req: SizeRequest) -> list[PackageSize]:
    """`_packages`, memoised in the entry (objects in memory, dicts on disk) for this request."""
    sig = [
        [r if isinstance(r, str) else repr(r) for r in req.requirements],
        list(req.tarball_filter),
        req.python_version,
        req.bytecode_ratio,
    ]
    memo = entry.get("_objects")
    if memo is not None and memo[0] == sig:
        return memo[1]
    asm = entry.get("assembled")
    if asm is not None and asm.get("sig") == sig:
        pkgs = [PackageSize.from_dict(d) for d in asm["packages"]]
    else:
        pkgs = _packages(entry, req)
        entry["assembled"] = {"sig": sig, "packages": [asdict(p) for p in pkgs]}
    entry["_objects"] = (sig, pkgs)
    return pkgs


def assemble(
    entry: dict,
    req: SizeRequest,
    key: str,
    plan: ResolvePlan,
    *,
    confidence: str,
    state: str,
    limit_is_error: bool,
    t0: float | None = None,
    packages: list[PackageSize] | None = None,
) -> SizeEstimate:
    """The estimate from a stored resolution `entry`, the request's project files and its `plan`
    (requirements only a build could size, option lines ignored)."""
    pkgs = packages if packages is not None else packages_for(entry, req)
    # Cached per (path, size, mtime); estimate() warms it in a worker thread first.
    share = project_mod.project_share(req.project_files, req.project_root)
    proj, raw = share.total, share.raw
    problems = [Problem(**p) for p in entry.get("problems", [])] + plan_problems(plan)
    failed = bool(entry.get("failed"))
    overhead = project_mod.ARCHIVE_OVERHEAD + req.bundled_bytes
    archive = None if failed else sum(p.archive_bytes for p in pkgs) + proj + overhead
    notes = list(entry.get("notes", [])) + plan.notes
    if plan.unpredictable and archive is not None:
        notes.append(
            f"{len(plan.unpredictable)} requirement(s) cannot be sized without building them: the"
            " figure counts only the rest"
        )
    est = SizeEstimate(
        archive_bytes=archive,
        limit_bytes=req.limit_bytes,
        confidence=confidence,
        state=state,
        packages=pkgs,
        project_bytes=proj,
        project_raw_bytes=raw,
        project_parts=share.parts,
        overhead_bytes=overhead,
        problems=problems,
        notes=notes,
        python_version=req.python_version,
        platforms=list(req.platforms),
        no_deps=req.no_deps,
        requirements=[r if isinstance(r, str) else repr(r) for r in req.requirements],
        resolver=entry.get("resolver", ""),
        cached_from=entry.get("confidence") if confidence == "cached" else None,
        computed_at=entry.get("computed_at", 0.0),
        key=key,
    )
    if confidence == "cached":
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(est.computed_at))
        est.notes.append(f"cached answer from {when} ({est.cached_from}, {est.resolver})")
    if any(p.size_method == "wheel-size-ratio" for p in pkgs):
        est.notes.append(
            "some wheels' sizes are wheel size × 0.951 (the index refused range requests): ±5 %, worst +14 %"
        )
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        est.notes.append(
            f"the build's pip evaluates environment markers on this host ({platform.system()} {platform.machine()}),"
            " so Linux-only dependencies (torch's CUDA packages) are left out here as they will be by `flash build`"
            " on this machine"
        )
    graph = {"requires": entry.get("requires", {})}
    hs = hints_mod.size_hints(est, req, limit_is_error) + hints_mod.problem_hints(est)
    th, tn = hints_mod.torch_hints(est, req, graph)
    hs += th
    est.notes.extend(tn)
    hs += hints_mod.exclusion_hints(est, req)
    est.hints = hs
    if t0 is not None:
        est.timings["total"] = time.perf_counter() - t0
    return est
