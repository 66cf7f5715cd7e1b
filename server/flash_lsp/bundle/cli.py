"""`python -m flash_lsp.bundle` / `main(argv)`: predict the archive size for requirement strings."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..core.deps import requirements_txt
from ..core.files import collect_files
from ..core.profiles import DEFAULT_PROFILE
from .format import human_bytes
from .hints import split_requirements
from .model import DEFAULT_LIMIT_BYTES, MIB, SizeEstimate, SizeRequest
from .predictor import SizePredictor


def _project_files(root: str) -> list[tuple[str, int]]:
    """The files the build ships from `root`, with their sizes (the core's exact ignore rules)."""
    return collect_files(Path(root), DEFAULT_PROFILE).sizes


def _read_requirements(path: str) -> list[str]:
    """requirements.txt as the build reads it (verbatim lines, no blanks or comments)."""
    with open(path, encoding="utf-8") as fh:
        return [r.text for r in requirements_txt(fh.read())]


def format_text(est: SizeEstimate, top: int = 12) -> str:
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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m flash_lsp.bundle", description="Predict the size of the archive `flash build` writes."
    )
    ap.add_argument("requirements", nargs="*", help="requirement strings as the build passes them to pip")
    ap.add_argument("-r", "--requirements-file", action="append", default=[], help="read requirement lines from a file")
    ap.add_argument(
        "--python-version",
        default=f"{sys.version_info[0]}.{sys.version_info[1]}",
        help="target X.Y (default: this interpreter's)",
    )
    ap.add_argument("--no-deps", action="store_true")
    ap.add_argument("--exclude", default=None, help="comma-separated names, as `flash build --exclude`")
    ap.add_argument("--gpu", action="store_true", help="the project has GPU endpoints")
    ap.add_argument(
        "--project", default=None, help="project directory: count the files the build ships from it in the archive"
    )
    ap.add_argument("--limit-mb", type=float, default=DEFAULT_LIMIT_BYTES / MIB)
    ap.add_argument("--mode", choices=("auto", "fast", "authoritative", "cached"), default="auto")
    ap.add_argument("--offline", action="store_true", help="never use the network (cache or local estimate)")
    ap.add_argument("--python", default=None, help="interpreter whose pip resolves (the project's flash venv)")
    ap.add_argument("--no-uv", action="store_true", help="do not use uv for the fast provisional answer")
    ap.add_argument(
        "--trusted",
        action="store_true",
        help="honour the requirements' index options and -r/-c files inside --project (docs/security.md)",
    )
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--format", choices=("text", "json"), default="text")
    ap.add_argument("--progress", action="store_true", help="print intermediate answers to stderr")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    reqs = list(args.requirements)
    try:
        for f in args.requirements_file:
            reqs += _read_requirements(f)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    exclusions = [p.strip().lower() for p in args.exclude.split(",")] if args.exclude else []
    kept, removed, _unmatched = split_requirements(list(dict.fromkeys(reqs)), exclusions)
    files = _project_files(args.project) if args.project else []
    req = SizeRequest.make(
        kept,
        args.python_version,
        no_deps=args.no_deps,
        project_files=files,
        project_root=args.project,
        exclusions=exclusions,
        excluded_requirements=removed,
        gpu=args.gpu,
        limit_bytes=int(args.limit_mb * MIB),
    )
    predictor = SizePredictor(
        cache_dir=args.cache_dir, python=args.python, use_uv=not args.no_uv, offline=args.offline, trusted=args.trusted
    )

    def progress(est: SizeEstimate) -> None:
        if args.progress:
            size = "?" if est.archive_bytes is None else human_bytes(est.archive_bytes)
            print(f"[{est.confidence}/{est.state}] {size}", file=sys.stderr, flush=True)

    try:
        est = predictor.estimate_sync(req, mode=args.mode, on_update=progress)
    except KeyboardInterrupt:
        return 130
    finally:
        predictor.close()
    if args.format == "json":
        print(json.dumps(est.to_dict(), indent=1))
    else:
        print(format_text(est))
    return 1 if est.state == "error" else 0
