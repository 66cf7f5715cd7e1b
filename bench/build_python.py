"""What deciding syntax by the build's Python costs: a cold analysis of a generated workspace with
the build's Python equal to ours, older (ast `feature_version` plus parso on f-strings where our
Python is 3.12+) and newer (only files ours rejects go to parso).

    .venv/bin/python bench/build_python.py [modules]

Generates `modules` files (bench/workspace_gen.py, default 2000) and prints the median of 5 cold
analyses for each version, each in the same process with a fresh `Project`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workspace_gen import generate  # noqa: E402
from flash_lsp.core.environment import TETRA_BASELINE, Environment  # noqa: E402
from flash_lsp.core.grammar import RUNNING  # noqa: E402
from flash_lsp.core.profiles import TETRA_024  # noqa: E402
from flash_lsp.core.project import Project  # noqa: E402


def cold_ms(root: Path, version: str, runs: int = 5) -> tuple[float, int]:
    environment = Environment(TETRA_BASELINE, "bench", version)
    times, functions = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        model = Project(root, TETRA_024, environment, {}).analyze("2026-01-01T00:00:00.000000Z")
        times.append((time.perf_counter() - t0) * 1000)
        functions = len(model.functions)
    return statistics.median(times), functions


def main(modules: int = 2000) -> None:
    root = generate(Path(tempfile.mkdtemp(prefix="flash-lsp-bench-")) / "ws", modules=modules)
    ours = f"{RUNNING[0]}.{RUNNING[1]}"
    print(f"{modules} modules, Flash LSP on Python {ours}; median of 5 cold analyses")
    for label, version in (("same", ours), ("older", f"3.{RUNNING[1] - 1}"), ("newer", f"3.{RUNNING[1] + 1}")):
        ms, functions = cold_ms(root, version)
        print(f"  build Python {version} ({label}): {ms:8.1f} ms, {functions} functions")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
