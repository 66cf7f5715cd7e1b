"""Time the runpod-2.0 prediction on a generated project: cold analysis and re-analysis per edit.

    python bench/runpod2_analysis.py [--modules 500] [--edits 20]

The project is a package `pkg/` with `app.py` (the App) and `--modules` worker files, each importing
it and declaring two queue resources (a package, so the App module runs once), and a requirements.txt. Printed: cold `Project.analyze` (discovery simulation,
manifest, shipped files, rules), then the median of `--edits` re-analyses after an edit inside a
function body of one worker (the editor's keystroke path, with the unsaved buffer as override).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from flash_lsp.core.environment import Environment  # noqa: E402
from flash_lsp.core.profiles import RUNPOD_20  # noqa: E402
from flash_lsp.core.project import Project  # noqa: E402
from flash_lsp.core.runpod2.baseline import RUNPOD2_BASELINE  # noqa: E402

WORKER = """from pkg.app import app


@app.queue(cpu="cpu3c-2-4", name="pre-{i}")
def pre_{i}(x):
    return x + {i}


@app.queue(gpu="4090", workers=(0, 2), name="infer-{i}")
async def infer_{i}(x):
    return x
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp()) / "rp2bench"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "app.py").write_text("import runpod\n\napp = runpod.App('bench-app')\n")
    (root / "requirements.txt").write_text("tabulate\n")
    for i in range(args.modules):
        (root / "pkg" / f"w{i:04d}.py").write_text(WORKER.format(i=i))
    project = Project(root, RUNPOD_20, Environment(RUNPOD2_BASELINE, "bench", "3.12"), keep_last_good=True)
    started = time.perf_counter()
    model = project.analyze()
    cold = time.perf_counter() - started
    resources = sum(len(a.app.resources) for a in model.__dict__["runpod2"].artifacts)
    target = "pkg/w0000.py"
    times = []
    for edit in range(args.edits):
        project.set_override(target, WORKER.format(i=0).replace("x + 0", f"x + {edit + 1}"))
        started = time.perf_counter()
        project.analyze()
        times.append(time.perf_counter() - started)
    print(f"modules {args.modules}, resources {resources}, succeeds {model.outcome.succeeds}")
    print(
        f"cold analysis {cold * 1000:.0f} ms; re-analysis after a body edit: median {statistics.median(times) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
