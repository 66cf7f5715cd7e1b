"""Sizing a project that ships its `.venv`: how long the project files take to compress, and how soon
the first partial figure is there (what the editor shows instead of "size unknown").

    python bench/venv_sizing.py [--venv PATH] [--runs 3]

The project is `examples/hello_flash` without its `.flashignore`, plus a copy of `--venv`'s `lib/`
(default: this interpreter's environment) as `.venv/`, which tetra-rp 0.24 ships. Each run clears the
in-process cache and calls `bundle.project.project_share` with a progress listener, as the language
server does; a last run measures the cached answer.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flash_lsp.bundle import project as project_mod
from flash_lsp.bundle.request import request_for
from flash_lsp.core.project import analyze_project

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "hello_flash"


def make_project(parent: Path, venv: Path) -> Path:
    root = parent / "hello_flash"
    shutil.copytree(EXAMPLE, root)
    (root / ".flashignore").unlink(missing_ok=True)
    shutil.copytree(venv / "lib", root / ".venv" / "lib", symlinks=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return root


def one_run(files, root: str) -> dict:
    project_mod._cache.clear()
    heard: list[tuple[float, project_mod.Sizing]] = []
    t0 = time.perf_counter()
    share = project_mod.project_share(files, root, lambda s: heard.append((time.perf_counter() - t0, s)))
    total = time.perf_counter() - t0
    return {"total": total, "first": heard[0][0] if heard else None, "reports": len(heard), "share": share}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", type=Path, default=Path(sys.prefix))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="venv-sizing-") as tmp:
        root = make_project(Path(tmp), args.venv)
        req = request_for(analyze_project(root))
        raw = sum(s for _p, s in req.project_files)
        print(f"project files: {len(req.project_files)}, {raw / 1e6:.1f} MB raw ({args.venv})")
        runs = [one_run(req.project_files, str(root)) for _ in range(args.runs)]
        t0 = time.perf_counter()
        project_mod.project_share(req.project_files, str(root))
        cached = time.perf_counter() - t0
    share = runs[-1]["share"]
    venv = share.parts.get(".venv/", 0)
    print(f"archive share: {share.total / 1048576:.1f} MB, .venv/ {venv / 1048576:.1f} MB ({share.method})")
    print(f"compressing (median of {args.runs}): {statistics.median(r['total'] for r in runs):.2f} s")
    firsts = [r["first"] for r in runs if r["first"] is not None]
    if firsts:
        print(f"first partial figure after: {statistics.median(firsts):.2f} s")
    print(f"progress reports per run: {statistics.median(r['reports'] for r in runs):.0f}")
    print(f"cached answer: {cached * 1000:.1f} ms")


if __name__ == "__main__":
    main()
