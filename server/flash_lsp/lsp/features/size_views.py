"""How size figures appear: the endpoint CodeLens suffix, hover lines, the dependency hover and
the FL805 quick fix (the client command `flash.addBuildExclusion`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from ...bundle import SizeEstimate
from ...bundle.format import human_bytes
from ...bundle.hints import extract_package_name
from ...bundle.occurrences import (
    Occurrence,
    brings_in,
    conflict_names,
    endpoint_requirements,
    endpoint_total,
    occurrences,
)
from ...bundle.tags import canonical
from ...core.model import Span
from ...core.query import Endpoint
from ..convert import to_range
from .size_words import how_known

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import ProjectState

log = logging.getLogger(__name__)

ADD_EXCLUSION = "flash.addBuildExclusion"  # a client command: it edits the flash.build.exclude setting


def code_actions(ls: FlashLanguageServer, uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """FL805: exclude the torch family (a client command that edits `flash.build.exclude`)."""
    out = []
    for d in diagnostics:
        if str(d.code) != "FL805" or not isinstance(d.data, dict):
            continue
        packages = [p for p in d.data.get("packages") or [] if isinstance(p, str)]
        if not packages:
            continue
        saving = d.data.get("saving_bytes")
        title = f"Exclude {', '.join(packages)} from the build" + (f" (saves {human_bytes(saving)})" if saving else "")
        args = {"project": d.data.get("project") or uri, "packages": packages}
        out.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[d],
                is_preferred=True,
                command=types.Command(title=title, command=ADD_EXCLUSION, arguments=[args]),
            )
        )
    return out


def lens_suffix(ls: FlashLanguageServer, state: ProjectState, ep: Endpoint) -> str:
    """` · ~X MB` for an endpoint's CodeLens: what its own dependencies bring in, else the archive."""
    sizes = ls.bundle_sizes
    if sizes is None or state.model is None:
        return ""
    s = sizes.sizes.get(state.root)
    if s is not None:
        s.lens_shown = True
    est, name = sizes.current(state)
    if est is None:
        return ""
    if est.archive_bytes is None:
        return " · size: pip fails (see diagnostics)"
    own = endpoint_requirements(state.model, ep)
    mark = "…" if name == "updating" else ""
    if own:
        own_bytes = endpoint_total(est, brings_in(est, own))
        return f" · ~{human_bytes(own_bytes)}{mark} (archive ~{human_bytes(est.archive_bytes)})"
    return f" · archive ~{human_bytes(est.archive_bytes)}{mark}"


def endpoint_hover_line(ls: FlashLanguageServer, state: ProjectState, ep: Endpoint | None) -> str:
    """A paragraph for endpoint / function hovers ("" when unknown)."""
    sizes = ls.bundle_sizes
    if sizes is None or ep is None or state.model is None:
        return ""
    est, name = sizes.current(state)
    if est is None or est.archive_bytes is None:
        return ""
    own = endpoint_requirements(state.model, ep)
    pkgs = brings_in(est, own)
    parts = [f"Archive ~{human_bytes(est.archive_bytes)} of {human_bytes(est.limit_bytes)} ({_confidence(est, name)})"]
    if own:
        parts.append(
            f"this endpoint's dependencies bring in {human_bytes(sum(p.archive_bytes for p in pkgs))} "
            f"({len(pkgs)} package{'s' if len(pkgs) != 1 else ''})"
        )
    return "Size: " + " · ".join(parts)


def _confidence(est: SizeEstimate, name: str) -> str:
    return how_known(est.confidence, est.cached_from, name == "updating")


def dependency_hover(ls: FlashLanguageServer, view, line: int, col: int) -> types.Hover | None:
    """Hover on a `dependencies=[...]` string or a requirements.txt line (None elsewhere)."""
    sizes = ls.bundle_sizes
    if sizes is None or not sizes.session.settings.size:
        return None
    state, model = view.state, view.model
    here = [o for o in occurrences(model) if o.path == view.rel and _inside(o.span, line, col)]
    if not here:
        return None
    o = here[0]
    est, name = sizes.current(state)
    text = _dependency_markdown(o, est, name)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=to_range(o.span, view.lines, ls.workspace.position_codec),
    )


def _inside(span: Span, line: int, col: int) -> bool:
    return (span.line, span.col) <= (line, col) <= (span.end_line, span.end_col)


def _problem_names(p, o: Occurrence) -> bool:
    """Whether pip's problem `p` is about the requirement `o`."""
    if o.text in p.requirements or (p.package and canonical(p.package) == o.name):
        return True
    return p.kind == "conflict" and o.name in conflict_names(
        {"packages": p.details.get("packages"), "requirements": p.requirements}
    )


def _dependency_markdown(o: Occurrence, est: SizeEstimate | None, name: str) -> str:
    head = f"**`{o.text}`**"
    if not o.installed:
        build_name = extract_package_name(o.text)
        return (
            f"{head} is removed by `flash.build.exclude` (the build reads its name as `{build_name}`): "
            "pip never sees it."
        )
    if est is None:
        return f"{head} · archive size: resolving for Linux x86_64…"
    problems = [p for p in est.problems if _problem_names(p, o)]
    if est.archive_bytes is None:
        lines = [f"{head} · pip cannot install the requirement set for the build's target:"]
        lines += [f"- {p.message}" for p in (problems or est.problems)]
        return "\n".join(lines)
    own = next((p for p in est.packages if canonical(p.name) == o.name), None)
    pkgs = sorted(brings_in(est, [o.text]), key=lambda p: (p is not own, -p.archive_bytes))
    if own is None and not pkgs:
        why = "not resolved yet (updating)" if name == "updating" else "not installed for the build's target (marker)"
        return f"{head} · {why}"
    parts = []
    if own is not None:
        wheel = f" · wheel {human_bytes(own.wheel_bytes)}" if own.wheel_bytes else ""
        parts.append(f"{head} → **{own.name} {own.version}**{wheel} · {human_bytes(own.archive_bytes)} in the archive")
    else:
        parts.append(head)
    total = sum(p.archive_bytes for p in pkgs)
    shared = [p for p in pkgs if len(p.required_by) > 1]
    parts.append(
        f"Brings in {len(pkgs)} package{'s' if len(pkgs) != 1 else ''}, {human_bytes(total)} of the archive"
        + (f" ({len(shared)} shared with other requirements)" if shared else "")
    )
    rows = ["| package | version | archive | wheel | also required by |", "|---|---|---:|---:|---|"]
    for p in pkgs[:25]:
        others = ", ".join(f"`{r}`" for r in p.required_by if r != o.text)
        sizes = f"{human_bytes(p.archive_bytes)} | {human_bytes(p.wheel_bytes)}"
        rows.append(f"| {p.name} | {p.version} | {sizes} | {others} |")
    if len(pkgs) > 25:
        rows.append(f"| … {len(pkgs) - 25} more | | | | |")
    parts.append("\n".join(rows))
    archive = f"Archive ~{human_bytes(est.archive_bytes)} of {human_bytes(est.limit_bytes)}"
    parts.append(f"{archive} · {_confidence(est, name)}" + (f" · {est.resolver}" if est.resolver else ""))
    return "\n\n".join(parts)
