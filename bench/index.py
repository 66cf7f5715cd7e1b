"""Generated workspaces of 2,000 and 10,000 modules vs the real tetra-rp 0.24 build steps.

    python bench/index.py [--modules 2000,10000] [--runs 3]

For each size, three figures:
- whole process: `flash-lsp manifest ROOT` against the real `RemoteDecoratorScanner` +
  `ManifestBuilder.build()` in the reference venv's interpreter (what `flash build` runs to write
  flash_manifest.json), wall time and peak RSS of each process (interpreter start-up included);
- in-process: `Project(root).analyze()` (the whole prediction) against the real scanner's discovery
  alone, interpreter start-up excluded;
- warm: the re-analysis after editing one file, in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
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
REAL_MANIFEST = r"""
import json, sys, logging
logging.disable(logging.CRITICAL)
from pathlib import Path
from tetra_rp.cli.commands.build_utils.manifest import ManifestBuilder
from tetra_rp.cli.commands.build_utils.scanner import RemoteDecoratorScanner
root = Path(sys.argv[1])
scanner = RemoteDecoratorScanner(root)
manifest = ManifestBuilder(root.name, scanner.discover_remote_functions(), scanner, build_dir=root).build()
sys.stdout.write(json.dumps(manifest, indent=2))
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


def whole_process(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS in MB and stdout of one fresh process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode:
        raise SystemExit(f"{argv[0]} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def resources(manifest_text: str) -> dict[str, list[str]]:
    """Resource name -> sorted function names of a manifest (what both sides must agree on)."""
    manifest = json.loads(manifest_text)
    return {
        name: sorted(f["name"] for f in resource.get("functions", []))
        for name, resource in manifest.get("resources", {}).items()
    }


def compare_processes(root: Path, flash_lsp: str, real_python: str, runs: int) -> None:
    ours_cmd = [flash_lsp, "manifest", str(root)]
    real_cmd = [real_python, "-c", REAL_MANIFEST, str(root)]
    ours, real = [], []
    for _ in range(runs):  # alternately: on a shared machine the load drifts between runs
        ours.append(whole_process(ours_cmd))
        real.append(whole_process(real_cmd))
    assert resources(ours[0][3]) == resources(real[0][3]), "the two manifests name different resources or functions"
    (ours_s, real_s), (ours_cpu, real_cpu) = (
        [statistics.median(r[i] for r in side) for side in (ours, real)] for i in (0, 1)
    )
    ours_mb, real_mb = (max(r[2] for r in side) for side in (ours, real))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"whole process, median of {runs} alternate runs (wall, CPU user+system), peak RSS; load average {load}:")
    print(f"  flash-lsp manifest:                      {ours_s:6.2f} s {ours_cpu:6.2f} s CPU {ours_mb:6.1f} MB")
    print(f"  tetra-rp 0.24 scanner + ManifestBuilder: {real_s:6.2f} s {real_cpu:6.2f} s CPU {real_mb:6.1f} MB")
    print(
        f"  speed-up {real_s / ours_s:.1f}x wall, {real_cpu / ours_cpu:.1f}x CPU (goal >= 10x);"
        f" memory {ours_mb / real_mb:.2f} of the real (goal <= 1)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modules", default="2000,10000", help="comma-separated workspace sizes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--flash-lsp", default=str(Path(sys.executable).with_name("flash-lsp")), help="the flash-lsp to time"
    )
    args = parser.parse_args()
    from tests.fidelity import ensure_ref_venv

    # byte-compiled like an installed package (the reference venv's is): with PYTHONDONTWRITEBYTECODE
    # set, an editable install would otherwise compile every module on every start
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "server" / "flash_lsp")], check=True)
    real_python = str(ensure_ref_venv("tetra-0.24") / "bin" / "python")
    for modules in (int(n) for n in args.modules.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = generate(Path(tmp) / "ws", modules)
            print(f"workspace: {modules} modules")
            compare_processes(root, args.flash_lsp, real_python, args.runs)
            in_process(root, real_python, args.runs)


def in_process(root: Path, real_python: str, runs: int) -> None:
    ours = [timed(sys.executable, OURS, str(root)) for _ in range(runs)]
    real = [timed(real_python, REAL, str(root)) for _ in range(runs)]
    assert ours[0]["functions"] == real[0]["functions"], (ours[0], real[0])
    rel = next(p for p in sorted(root.rglob("mod*.py")) if "workers" in p.parts).relative_to(root).as_posix()
    warm = timed(sys.executable, WARM, str(root), rel, "20")
    ours_s = statistics.median(r["seconds"] for r in ours)
    real_s = statistics.median(r["seconds"] for r in real)
    print(f"in process, {ours[0]['functions']} @remote functions, median of {runs} cold runs:")
    print(f"flash-lsp cold analysis:          {ours_s * 1000:8.1f} ms")
    print(f"tetra-rp 0.24 RemoteDecoratorScanner: {real_s * 1000:8.1f} ms")
    print(f"speed-up:                         {real_s / ours_s:8.2f}x  (goal >= 3x)")
    print(
        f"warm re-analysis after one edit:  {warm['seconds'] * 1000:8.1f} ms = {100 * warm['seconds'] / ours_s:.1f}% of cold (goal <= 5%)"
    )


if __name__ == "__main__":
    main()
