"""Hints (as data) about the predicted archive: limit, exclusions, torch, missing wheels, conflicts.

The build's requirement filter (tetra-rp 0.2x ``extract_package_name``) takes the text before the
first ``<``, ``>``, ``=``, ``!``, ``[`` or ``;``, stripped and lower-cased, with no ``-``/``_``/``.``
normalisation; so ``--exclude my_pkg`` misses ``my-pkg==1``, and ``torch~=2.0`` is named ``torch~``.
tetra-rp 0.2x has no archive-level filter: a package that arrives transitively cannot be excluded.
"""

from __future__ import annotations

import re

from .format import human_bytes
from .graph import parse_requirement, reachable
from .model import NEAR_LIMIT_FRACTION, Hint, SizeEstimate, SizeRequest
from .tags import canonical

TORCH_FAMILY = ("torch", "torchvision", "torchaudio")
_NAME_SPLIT = re.compile(r"[<>=!\[;]")


def extract_package_name(requirement: str) -> str:
    """The build's name extraction (tetra-rp 0.24 `extract_package_name`)."""
    return _NAME_SPLIT.split(requirement)[0].strip().lower()


def split_requirements(requirements: list[str], exclusions: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(kept, removed, unmatched exclusions) exactly as the build filters requirement lines."""
    kept, removed, matched = [], [], set()
    for r in requirements:
        name = extract_package_name(r) if isinstance(r, str) else None
        if exclusions and name in exclusions:
            removed.append(r)
            matched.add(name)
        else:
            kept.append(r)
    return kept, removed, sorted(set(exclusions) - matched)


def _direct_names(requirements) -> dict[str, str]:
    out = {}
    for r in requirements:
        if isinstance(r, str):
            out.setdefault(parse_requirement(r)[0], r)
    return out


def size_hints(est: SizeEstimate, req: SizeRequest, limit_is_error: bool = False) -> list[Hint]:
    if est.archive_bytes is None:
        return []
    hints = []
    top = sorted(est.packages, key=lambda p: -p.archive_bytes)[:5]
    data = {
        "archive_bytes": est.archive_bytes,
        "limit_bytes": est.limit_bytes,
        "fraction": round(est.archive_bytes / est.limit_bytes, 4),
        "largest": [{"name": p.name, "archive_bytes": p.archive_bytes, "required_by": p.required_by} for p in top],
    }
    biggest = ", ".join(f"{p.name} {human_bytes(p.archive_bytes)}" for p in top[:3])
    if est.over_limit:
        hints.append(
            Hint(
                "over-limit",
                "error" if limit_is_error else "warning",
                f"Predicted archive {human_bytes(est.archive_bytes)} exceeds the {human_bytes(est.limit_bytes)} Runpod limit"
                f" (over by {human_bytes(est.archive_bytes - est.limit_bytes)}); largest: {biggest}",
                data,
            )
        )
    elif est.archive_bytes >= NEAR_LIMIT_FRACTION * est.limit_bytes:
        hints.append(
            Hint(
                "near-limit",
                "warning",
                f"Predicted archive {human_bytes(est.archive_bytes)} is {est.archive_bytes / est.limit_bytes:.0%} of the"
                f" {human_bytes(est.limit_bytes)} limit; largest: {biggest}",
                data,
            )
        )
    return hints


NOT_PREDICTABLE = "not-predictable"  # a direct reference: its size needs a build, which we never run
PROBLEM_HINTS = {"no-wheel": "no-wheel", "conflict": "conflict", NOT_PREDICTABLE: NOT_PREDICTABLE}
"""Resolver problem kind → hint kind; every other problem is a "resolution-failed" hint."""
RESOLUTION_FAILED = "resolution-failed"


def problem_hints(est: SizeEstimate) -> list[Hint]:
    out = []
    for p in est.problems:
        kind = PROBLEM_HINTS.get(p.kind, RESOLUTION_FAILED)
        severity = "warning" if kind == NOT_PREDICTABLE else "error"
        out.append(Hint(kind, severity, p.message, {"package": p.package, "requirements": p.requirements, **p.details}))
    return out


def torch_hints(est: SizeEstimate, req: SizeRequest, graph: dict) -> tuple[list[Hint], list[str]]:
    """GPU endpoints: the saving of `--exclude torch,torchvision,torchaudio`; transitive torch note."""
    hints: list[Hint] = []
    notes: list[str] = []
    pk = {canonical(p.name): p for p in est.packages}
    direct = _direct_names(req.requirements)
    requires = graph.get("requires", {})
    resolved = set(pk)
    fam_direct = [n for n in TORCH_FAMILY if n in direct and n in pk]
    if fam_direct and req.gpu:
        others = [r for r in req.requirements if not (isinstance(r, str) and parse_requirement(r)[0] in fam_direct)]
        keep = (
            reachable(others, requires, req.python_version, resolved)
            if not req.no_deps
            else {parse_requirement(r)[0] for r in others if isinstance(r, str)}
        )
        saved = sorted(resolved - keep)
        saving = sum(pk[k].archive_bytes for k in saved)
        tokens = []
        quirks = []
        for n in fam_direct:
            build_name = extract_package_name(direct[n])
            if build_name == n:
                tokens.append(n)
            else:
                quirks.append(f"{direct[n]!r} is named {build_name!r} by the build's filter")
        msg = (
            f"{', '.join(fam_direct)} {'is' if len(fam_direct) == 1 else 'are'} preinstalled in the GPU worker image:"
            f" `flash build --exclude torch,torchvision,torchaudio` would save about {human_bytes(saving)}"
        )
        if est.archive_bytes is not None:
            msg += f" (archive about {human_bytes(max(est.archive_bytes - saving, 0))})"
        if quirks:
            msg += "; but " + "; ".join(quirks) + ", so the exclusion would not match it (write it with >=/== instead)"
        hints.append(
            Hint(
                "gpu-torch-exclusion",
                "info" if not est.over_limit else "warning",
                msg,
                {
                    "packages": fam_direct,
                    "saving_bytes": saving,
                    "removed": [pk[k].name for k in saved],
                    "exclude": "torch,torchvision,torchaudio",
                    "quirks": quirks,
                },
            )
        )
    if "torch" in pk and "torch" not in direct and not req.no_deps:
        via = pk["torch"].via or []
        chain = " → ".join(via) if via else "a dependency"
        only_torch = resolved - reachable(
            list(req.requirements), requires, req.python_version, resolved, blocked={"torch"}
        )
        fam_bytes = sum(pk[k].archive_bytes for k in only_torch if k in pk)
        parents = ", ".join(pk["torch"].required_by) or "?"
        notes.append(
            f"torch arrives transitively via {parents} ({chain}) and is bundled whole, with"
            f" {len(only_torch) - 1} packages only it needs ({human_bytes(fam_bytes)} in all): this family has no"
            " archive-level filter, and --exclude only removes requirement lines"
        )
        hints.append(
            Hint(
                "torch-transitive",
                "warning" if req.gpu or est.over_limit else "info",
                notes[-1],
                {
                    "via": via,
                    "required_by": pk["torch"].required_by,
                    "packages": sorted(pk[k].name for k in only_torch if k in pk),
                    "bytes": fam_bytes,
                },
            )
        )
    return hints, notes


def exclusion_hints(est: SizeEstimate, req: SizeRequest) -> list[Hint]:
    """`--exclude` tokens that will not do what they look like they do."""
    hints = []
    removed_names = {extract_package_name(r) for r in req.excluded_requirements if isinstance(r, str)}
    resolved = {canonical(p.name): p for p in est.packages}
    for token in req.exclusions:
        if not token or token in removed_names:
            continue
        tok_name = canonical(_NAME_SPLIT.split(token)[0].strip().split("~")[0].split("@")[0].strip() or token)
        near = [r for r in req.requirements if isinstance(r, str) and parse_requirement(r)[0] == tok_name]
        if near:
            r = near[0]
            build_name = extract_package_name(r)
            why = (
                "the build compares the text before the first < > = ! [ ; lower-cased, with no -/_ normalisation"
                f", and reads {build_name!r}"
            )
            if _NAME_SPLIT.search(token):
                why = "exclusions are names, not requirement specifiers"
            hints.append(
                Hint(
                    "exclude-name-mismatch",
                    "warning",
                    f"--exclude {token!r} will not match the requirement {r!r}: {why}",
                    {"token": token, "requirement": r, "build_name": build_name},
                )
            )
        elif tok_name in resolved and tok_name.replace("-", "_") not in {
            canonical(n).replace("-", "_") for n in req.tarball_filter
        }:
            p = resolved[tok_name]  # (a name the archive step skips is gone however it arrived)
            hints.append(
                Hint(
                    "exclude-transitive",
                    "warning",
                    f"--exclude {token!r} matches no requirement: {p.name} is installed as a dependency of "
                    f"{', '.join(p.required_by) or '?'} and bundled anyway ({human_bytes(p.archive_bytes)}); tetra-rp 0.2x "
                    "filters requirement lines only",
                    {"token": token, "package": p.name, "required_by": p.required_by, "archive_bytes": p.archive_bytes},
                )
            )
        else:
            hints.append(
                Hint(
                    "exclude-unmatched",
                    "info",
                    f"--exclude {token!r} matches nothing (the build warns: No packages matched exclusions)",
                    {"token": token},
                )
            )
    return hints
