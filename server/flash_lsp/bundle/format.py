"""Sizes as `flash build` prints them ("MB" meaning MiB, one decimal), with KB and B for small ones,
and the text report of `flash-lsp size`."""

from __future__ import annotations

from .model import MIB, SizeEstimate


def human_bytes(n: int | float | None) -> str:
    if n is None:
        return "?"
    if n >= 0.1 * MIB:
        return f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{int(n)} B"


def format_estimate(est: SizeEstimate, top: int = 12) -> str:
    """The estimate as `flash-lsp size` prints it: the verdict, the largest distributions, the hints."""
    lines = []
    if est.archive_bytes is None:
        head = "predicted: the build would fail to install its dependencies"
    else:
        pct = est.archive_bytes / est.limit_bytes
        mark = "over the limit" if est.over_limit else f"{pct:.0%} of the limit"
        head = f"predicted archive {human_bytes(est.archive_bytes)} ({est.archive_bytes:,} B), limit {human_bytes(est.limit_bytes)}: {mark}"
    lines.append(head)
    lines.append(
        f"  confidence {est.confidence}"
        + (f" (from {est.cached_from})" if est.cached_from else "")
        + f", state {est.state}, resolver {est.resolver or '-'}, Python {est.python_version}"
    )
    if est.packages:
        lines.append(
            f"  dependencies {human_bytes(est.dependencies_bytes)} in {len(est.packages)} distributions;"
            f" project + generated files {est.project_bytes:,} B; tar/gzip overhead {est.overhead_bytes} B"
        )
        width = max(len(p.name) for p in est.packages[:top])
        for p in est.packages[:top]:
            tl = ", ".join(f"{t.name} {human_bytes(t.archive_bytes)}" for t in p.top_level[:3] if t.kind != "dist-info")
            by = ", ".join(p.required_by) if not p.direct else "direct"
            lines.append(
                f"    {p.name:<{width}} {p.version:<14} {human_bytes(p.archive_bytes):>10}  [{p.size_method}] ← {by}"
                + (f"  ({tl})" if tl else "")
            )
        if len(est.packages) > top:
            rest = sum(p.archive_bytes for p in est.packages[top:])
            lines.append(f"    … {len(est.packages) - top} more, {human_bytes(rest)}")
    for p in est.problems:
        lines.append(f"  ✗ {p.kind}: {p.message}")
    for h in est.hints:
        if h.kind in ("no-wheel", "conflict", "resolution-failed"):
            continue
        lines.append(f"  {'!' if h.severity != 'info' else '·'} {h.message}")
    for n in est.notes:
        lines.append(f"  note: {n}")
    if est.timings:
        lines.append("  timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in est.timings.items()))
    return "\n".join(lines)
