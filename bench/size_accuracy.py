"""Accuracy and latency of the archive-size predictor against real `flash build` archives.

    .venv/bin/python bench/size_accuracy.py [--unpinned] [--no-uv] [--sets requests,transformers] [--json]

For every set recorded in tests/fixtures/bundle/real_builds.json (real tetra-rp 0.24 builds, see
tests/bundle/realbuild.py) it predicts the archive with a fresh cache (cold), then again with the
same predictor (warm, memory) and with a new predictor on the same cache dir (warm, disk), and
prints prediction, real size, error and latencies. By default the recorded pinned resolution is
predicted (comparable forever); --unpinned predicts the top-level set as written (compare only
when today's resolution is the recorded one: the table says so).

pip and uv run with this machine's pip configuration removed (PyPI only), as the real builds did.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "server"))

from flash_lsp.bundle import SizePredictor, SizeRequest  # noqa: E402
from flash_lsp.bundle.resolve import find_uv  # noqa: E402
from tests.bundle import realbuild  # noqa: E402


def _norm(pins):
    return sorted(re.sub(r"[-_.]+", "-", p.lower()) for p in pins)


def run_set(name: str, rec: dict, *, unpinned: bool, use_uv: bool, tmp: Path) -> dict:
    proj = realbuild.make_project(tmp / "proj", rec["requirements"], name=re.sub(r"\W+", "_", name))
    reqs = rec["requirements"] if unpinned else rec["pinned"]
    req = SizeRequest.make(
        reqs, rec["python"], project_files=rec["project_files"] + rec["generated_files"], project_root=str(proj)
    )
    cache = tmp / "cache"
    env = realbuild.isolated_pip_env()
    p = SizePredictor(cache_dir=cache, env=env, use_uv=use_uv)
    first: dict = {}

    def on_update(est):
        if est.confidence == "provisional" and "t" not in first:
            first["t"] = time.perf_counter() - t0
            first["bytes"] = est.archive_bytes

    t0 = time.perf_counter()
    est = p.estimate_sync(req, on_update=on_update)
    cold = time.perf_counter() - t0
    t1 = time.perf_counter()
    warm = p.estimate_sync(req)
    l1 = time.perf_counter() - t1
    p.close()
    l2s = []
    for _ in range(3):  # a new predictor each time: only the disk cache
        p2 = SizePredictor(cache_dir=cache, env=env, use_uv=use_uv)
        t2 = time.perf_counter()
        disk = p2.cached(req)
        l2s.append(time.perf_counter() - t2)
        p2.close()
    l2 = statistics.median(l2s)
    assert warm.archive_bytes == est.archive_bytes and disk is not None
    pins = [f"{x.name}=={x.version}" for x in est.packages]
    comparable = _norm(pins) == _norm(rec["pinned"])
    methods: dict[str, int] = {}
    for x in est.packages:
        methods[x.size_method] = methods.get(x.size_method, 0) + 1
    return {
        "set": name,
        "dists": len(est.packages),
        "predicted": est.archive_bytes,
        "real": rec["archive_bytes"],
        "error": (est.archive_bytes / rec["archive_bytes"] - 1) if comparable and est.archive_bytes else None,
        "comparable": comparable,
        "cold_s": cold,
        "provisional_s": first.get("t"),
        "resolve_s": est.timings.get("pip"),
        "uv_s": est.timings.get("uv"),
        "sizes_s": (est.timings.get("pip_sizes") or 0) + (est.timings.get("uv_sizes") or 0),
        "warm_memory_ms": l1 * 1000,
        "warm_disk_ms": l2 * 1000,
        "resolver": est.resolver,
        "methods": methods,
        "real_build_s": rec.get("build_seconds"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--unpinned", action="store_true")
    ap.add_argument("--no-uv", action="store_true")
    ap.add_argument("--sets", default=None, help="comma-separated set names (default: all recorded)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    records = realbuild.recorded()
    names = args.sets.split(",") if args.sets else list(records)
    use_uv = not args.no_uv and find_uv() is not None
    rows = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix="size-bench-") as tmp:
            rows.append(run_set(name, records[name], unpinned=args.unpinned, use_uv=use_uv, tmp=Path(tmp)))
        print(f"[{name}] done", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    mode = "top-level sets as written" if args.unpinned else "recorded resolution, pinned"
    print(
        f"Archive-size prediction vs real `flash build` (tetra-rp 0.24, Python {records[names[0]]['python']}); "
        f"{mode}; uv {'on' if use_uv else 'off (pip only)'}\n"
    )
    print(
        "| set | dists | predicted B | real B | error | cold total s | provisional s | pip resolve s | sizes s | warm (memory) ms | warm (disk) ms | real build s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        err = f"{r['error']:+.2%}" if r["error"] is not None else "n/a (resolution differs)"
        prov = f"{r['provisional_s']:.2f}" if r["provisional_s"] else "-"
        res = f"{r['resolve_s']:.2f}" if r["resolve_s"] else "-"
        print(
            f"| {r['set']} | {r['dists']} | {r['predicted']:,} | {r['real']:,} | {err} | {r['cold_s']:.2f} | {prov} | {res} | "
            f"{r['sizes_s']:.2f} | {r['warm_memory_ms']:.2f} | {r['warm_disk_ms']:.2f} | {r['real_build_s']} |"
        )
    errs = [abs(r["error"]) for r in rows if r["error"] is not None]
    if errs:
        print(f"\nmax |error| {max(errs):.2%}, median |error| {statistics.median(errs):.2%} over {len(errs)} sets")
    print(
        "size methods: "
        + "; ".join(f"{r['set']}: " + ", ".join(f"{k} {v}" for k, v in sorted(r["methods"].items())) for r in rows)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
