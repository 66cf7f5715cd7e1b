"""Cold analysis of a generated 2,000-module workspace vs the real tetra-rp 0.24 scanner.

    python bench/index.py [--modules 2000] [--runs 5]

Both sides run in fresh processes and are timed in-process (interpreter start-up excluded):
ours is `Project(root).analyze()` (file walk with ignore rules, parsing, discovery, manifest,
deployment fields, handlers, diagnostics); the real one is `RemoteDecoratorScanner(root)
.discover_remote_functions()` from the reference venv (discovery only). Then the warm
re-analysis after editing one file, in one process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from workspace_gen import generate  # noqa: E402

OURS = r"""
import json, sys, time
from flash_lsp.core.project import Project
t = time.perf_counter(); model = Project(sys.argv[1]).analyze(); cold = time.perf_counter() - t
print(json.dumps({"seconds": cold, "functions": len(model.functions)}))
"""
REAL = r"""
import json, sys, time, logging
logging.disable(logging.CRITICAL)
from pathlib import Path
from tetra_rp.cli.commands.build_utils.scanner import RemoteDecoratorScanner
t = time.perf_counter(); fns = RemoteDecoratorScanner(Path(sys.argv[1])).discover_remote_functions(); s = time.perf_counter() - t
print(json.dumps({"seconds": s, "functions": len(fns)}))
"""
WARM = r"""
import json, sys, time
from pathlib import Path
from flash_lsp.core.project import Project
root = Path(sys.argv[1]); rel = sys.argv[2]
project = Project(root, keep_last_good=True, trust_disk_cache=True)
project.analyze('2026-01-01T00:00:00.000000Z')
text = (root / rel).read_text()
times = []
for i in range(int(sys.argv[3])):
    project.set_override(rel, text.replace("workersMax=", f"workersMax={i % 3 + 1} or "))
    t = time.perf_counter(); project.analyze('2026-01-01T00:00:00.000000Z'); times.append(time.perf_counter() - t)
print(json.dumps({"seconds": sorted(times)[len(times) // 2]}))
"""


def timed(python: str, script: str, *args: str) -> dict:
    out = subprocess.run([python, "-c", script, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from tests.fidelity import ensure_ref_venv

    real_python = str(ensure_ref_venv("tetra-0.24") / "bin" / "python")
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "ws", args.modules)
        ours = [timed(sys.executable, OURS, str(root)) for _ in range(args.runs)]
        real = [timed(real_python, REAL, str(root)) for _ in range(args.runs)]
        assert ours[0]["functions"] == real[0]["functions"], (ours[0], real[0])
        rel = next(p for p in sorted(root.rglob("mod*.py")) if "workers" in p.parts).relative_to(root).as_posix()
        warm = timed(sys.executable, WARM, str(root), rel, "20")
    ours_s = statistics.median(r["seconds"] for r in ours)
    real_s = statistics.median(r["seconds"] for r in real)
    print(
        f"workspace: {args.modules} modules, {ours[0]['functions']} @remote functions, median of {args.runs} cold runs"
    )
    print(f"flash-lsp cold analysis:          {ours_s * 1000:8.1f} ms")
    print(f"tetra-rp 0.24 RemoteDecoratorScanner: {real_s * 1000:8.1f} ms")
    print(f"speed-up:                         {real_s / ours_s:8.2f}x  (goal >= 3x)")
    print(
        f"warm re-analysis after one edit:  {warm['seconds'] * 1000:8.1f} ms = {100 * warm['seconds'] / ours_s:.1f}% of cold (goal <= 5%)"
    )


if __name__ == "__main__":
    main()
