"""What an analysis costs the migration notes: planning the whole migration (libcst over every file)
against the check that decides whether the last plan still holds: the project's change set and the
open texts (`PlanBasis.stale`), which replaced a walk with one stat per file (timed here too).

Runs on a copy of every project under tests/fixtures/migrate/ side by side in one directory (a
multi-file project of old-API files), repeated `--copies` times.

Usage: python bench/migration_notes.py [--copies 10] [-n 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from flash_lsp.core.project import Project  # noqa: E402
from flash_lsp.lsp.features.migrate import PlanBasis  # noqa: E402
from flash_lsp.migrate import migrate_project  # noqa: E402
from flash_lsp.migrate.project import python_files  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "migrate"


def timed(fn, n: int) -> float:
    runs = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def old_api_project(root: Path, copies: int) -> int:
    """Every migration fixture, `copies` times, under `root`; the number of Python files."""
    for i in range(copies):
        for fixture in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
            shutil.copytree(fixture, root / f"{fixture.name}_{i}", ignore=shutil.ignore_patterns("requirements.txt"))
    return len(python_files(root))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("-n", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        files = old_api_project(root, args.copies)
        plan = timed(lambda: migrate_project(root), args.n)
        walk = timed(lambda: [p.stat() for p in python_files(root)], args.n)
        rel = python_files(root)[0].relative_to(root).as_posix()
        overlay = {rel: (root / rel).read_text()}  # one open old-API file
        basis = PlanBasis(Project(root, trust_disk_cache=True))
        basis.texts = basis.stale(overlay)
        check = timed(lambda: basis.stale(overlay), max(args.n, 1000))
    print(f"{files} Python files ({args.copies} copies of {FIXTURES.relative_to(ROOT)}), median of {args.n}:")
    print(f"  plan the migration (when something it reads changed): {plan * 1000:10.1f} ms")
    print(f"  walk + one stat per file (the check before):          {walk * 1000:10.1f} ms")
    print(f"  change set + open texts (the check now, every analysis): {check * 1e6:7.1f} us")


if __name__ == "__main__":
    main()
