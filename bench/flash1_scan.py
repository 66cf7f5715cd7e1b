"""runpod-flash 1.x: cold analysis and keystroke re-analysis against the real 1.21 discovery step.

    python bench/flash1_scan.py [--modules 2000] [--edits 20] [--real-python .cache/ref-venvs/flash-1.21/bin/python]

Generates a workspace of `--modules` files in directories of 100 (every tenth file an `@Endpoint`
that imports a helper of its directory at module level), then prints:
Times are CPU seconds of the measuring process (`time.process_time`), steady on a busy machine.

* our cold analysis (`Project.analyze` with the flash-1.21 profile: files, simulated import scan,
  manifest, handlers, diagnostics), median of 3 fresh projects, each started after a full garbage
  collection (the earlier projects' cyclic garbage would otherwise land in its collections);
* our keystroke re-analysis after an edit inside a function body (median of `--edits`);
* the real `RuntimeScanner(...).discover_remote_functions()` of runpod-flash 1.21.0 on the same
  tree (a copy, as the build scans its build dir), run with `--real-python`, median of 3.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "server"))

from flash_lsp.core.environment import detect_environment  # noqa: E402
from flash_lsp.core.profiles import FLASH_121  # noqa: E402
from flash_lsp.core.project import Project  # noqa: E402

ENDPOINT = """import os
import json
from runpod_flash import Endpoint, GpuGroup
from {pkg}.m{helper} import helper_{helper}


@Endpoint(name="ep{i}", gpu=GpuGroup.ADA_24, workers=(0, 2))
async def fn{i}(x: dict) -> dict:
    return helper_{helper}(x)
"""
HELPER = """import json
import os

CONST_{i} = {i}


def helper_{i}(x):
    return {{"v": x, "c": CONST_{i}}}


class Thing{i}:
    def run(self):
        return helper_{i}(1)
"""
REAL_SCAN = """
import sys, time
from pathlib import Path
from runpod_flash.cli.commands.build_utils.scanner import RuntimeScanner
started = time.process_time()
functions = RuntimeScanner(Path(sys.argv[1])).discover_remote_functions()
print(time.process_time() - started, len(functions))
"""


def generate(root: Path, modules: int) -> None:
    for i in range(modules):
        pkg = f"pkg{i // 100}"
        (root / pkg).mkdir(parents=True, exist_ok=True)
        helper = (i // 100) * 100 + 1
        text = ENDPOINT.format(pkg=pkg, helper=helper, i=i) if i % 10 == 0 else HELPER.format(i=i)
        (root / pkg / f"m{i}.py").write_text(text, encoding="utf-8")


def ours(root: Path, edits: int) -> tuple[float, float, int]:
    colds = []
    for _ in range(3):
        project = Project(
            root, FLASH_121, detect_environment(root, None, FLASH_121), {}, keep_last_good=True, trust_disk_cache=True
        )
        gc.collect()  # as in a fresh process: the earlier projects' garbage is not this one's to collect
        started = time.process_time()
        model = project.analyze()
        colds.append(time.process_time() - started)
    middle = (len(list(root.rglob("*.py"))) // 2) | 1  # an odd index: a helper module, never an endpoint
    rel = f"pkg{middle // 100}/m{middle}.py"
    text = (root / rel).read_text(encoding="utf-8")
    keystrokes = []
    for k in range(edits):
        project.set_override(rel, text.replace("return {", f"return {{'k': {k}, "))
        started = time.process_time()
        project.analyze()
        keystrokes.append(time.process_time() - started)
    return statistics.median(colds), statistics.median(keystrokes), len(model.functions)


def real(root: Path, python: str) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(3):
        copy = Path(tempfile.mkdtemp()) / "build"
        shutil.copytree(root, copy)
        out = subprocess.run(  # cwd: importing runpod_flash creates .flash/logs in the working directory
            [python, "-c", REAL_SCAN, str(copy)],
            capture_output=True,
            text=True,
            check=True,
            cwd=copy.parent,
            env={"RUNPOD_FLASH_SILENCE_DEPRECATION": "1", "PATH": "/usr/bin:/bin"},
        )
        seconds, count = out.stdout.split()[-2:]
        times.append(float(seconds))
        shutil.rmtree(copy.parent)
    return statistics.median(times), int(count)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", type=int, default=2000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--real-python", default=str(REPO / ".cache" / "ref-venvs" / "flash-1.21" / "bin" / "python"))
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp()) / "flash1bench"
    generate(root, args.modules)
    cold, keystroke, found = ours(root, args.edits)
    print(f"workspace: {args.modules} modules, {found} endpoint functions")
    print(f"ours   cold analysis (median of 3):      {cold:.2f} s")
    print(f"ours   keystroke in a body (median of {args.edits}): {keystroke * 1000:.0f} ms")
    if Path(args.real_python).exists():
        seconds, count = real(root, args.real_python)
        print(f"real   RuntimeScanner discovery (median of 3): {seconds:.2f} s ({count} functions)")
        print(f"speed-up of our cold analysis over the real discovery step: {seconds / cold:.1f}x")
    shutil.rmtree(root.parent)


if __name__ == "__main__":
    main()
