"""Time and peak memory of the analysis on hostile projects (each in a fresh process).

    python bench/hostile.py [--timeout 120]

Each case writes a small project with one hostile ingredient, analyses it with `Project.analyze`
in a child process and prints wall seconds and peak RSS (MB), or "> timeout" when it did not end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

MAIN = "from fastapi import FastAPI\napp = FastAPI()\n"
HEAD = "from tetra_rp import remote, LiveServerless\n"
FN = "\n@remote(cfg)\ndef f(x):\n    return x\n"


def _squaring(root: Path) -> None:
    chain = "".join(f"a{i + 1} = a{i} * a{i}\n" for i in range(25))
    (root / "workers" / "w.py").write_text(
        HEAD + "a0 = 10\n" + chain + "cfg = LiveServerless(name='x', workersMax=a25)\n" + FN
    )


def _repeat(root: Path) -> None:
    (root / "workers" / "w.py").write_text(HEAD + "cfg = LiveServerless(name='a' * 2_000_000_000)\n" + FN)


def _list_literal(root: Path) -> None:
    body = ",".join(str(i) for i in range(1_500_000))
    (root / "workers" / "w.py").write_text(HEAD + f"DATA = [{body}]\ncfg = LiveServerless(name='x')\n" + FN)


def _links(root: Path) -> None:
    os.symlink("/", root / "rootlink")
    os.symlink("loop", root / "loop")
    os.symlink(".", root / "workers" / "again")


def _gitignore(root: Path) -> None:
    (root / ".gitignore").write_text("*a" * 12 + "*b\n")
    (root / ("a" * 60 + ".py")).write_text("")


CASES = {
    "25 squarings (a1 = a0 * a0 …)": _squaring,
    "'a' * 2_000_000_000": _repeat,
    "10.9 MB list literal": _list_literal,
    "symlinks: to /, self-loop, dir to itself": _links,
    ".gitignore *a*a…*b (12) vs a 60-char name": _gitignore,
}
CHILD = textwrap.dedent(
    """
    import re, sys, time
    from flash_lsp.core.project import Project
    start = time.monotonic()
    Project(sys.argv[1]).analyze()
    seconds = time.monotonic() - start
    peak_kb = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)  # ru_maxrss survives exec
    print(seconds, int(peak_kb) / 1024)
    """
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    print(f"{'case':45} {'seconds':>8} {'peak MB':>8}")
    for name, make in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "proj"
            (root / "workers").mkdir(parents=True)
            (root / "main.py").write_text(MAIN)
            make(root)
            try:
                proc = subprocess.run(
                    [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, timeout=args.timeout
                )
            except subprocess.TimeoutExpired:
                print(f"{name:45} {'> ' + format(args.timeout, 'g'):>8} {'-':>8}")
                continue
            if proc.returncode:
                print(f"{name:45} {'crash':>8} {proc.stderr.strip().splitlines()[-1][:60]}")
                continue
            seconds, peak = map(float, proc.stdout.split())
            print(f"{name:45} {seconds:8.2f} {peak:8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
