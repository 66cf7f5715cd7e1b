"""cProfile of one runpod-flash 1.x keystroke inside a helper's body (the `body` case of
`bench/latency.py --profile flash1`): the workspace of `bench/flash1_scan.py` plus the 2,000-line
worker file, warmed by a few edits, then `--edits` more analyses under the profiler.

    FLASH_LSP_CACHE_DIR=off .venv/bin/python bench/profile_body_edit_1x.py --edits 20 --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from pathlib import Path

from latency import BIG_1X, body_edit_1x, flash1_workspace, new_project


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        text = flash1_workspace(root, args.modules)
        project = new_project(root, "flash1")
        assert project.analyze("2026-01-01T00:00:00.000000Z").outcome.succeeds
        for i in range(3):  # warm: the first body edits fill the per-file memos
            project.set_override(BIG_1X, body_edit_1x(text, i))
            project.analyze("2026-01-01T00:00:00.000000Z")
        profiler = cProfile.Profile()
        for i in range(3, 3 + args.edits):
            project.set_override(BIG_1X, body_edit_1x(text, i))
            profiler.enable()
            project.analyze("2026-01-01T00:00:00.000000Z")
            profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
