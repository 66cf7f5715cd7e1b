"""What the server's poll for new or changed build interpreters costs per project and round
(`lsp/environment_watch.poll`, every 3 s): one `EnvironmentWatch.changed()`, i.e. the site-packages
fingerprint of the candidate interpreters, for a project without a venv, with a `.venv` (the
runpod-flash 1.21.0 layout of tests/venv_layout.py) and with `flash.interpreter` set.

Usage: python bench/environment_poll.py [-n 2000]
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
sys.path.insert(0, str(ROOT))

from flash_lsp.lsp.environment_watch import EnvironmentWatch  # noqa: E402
from tests.venv_layout import make_venv  # noqa: E402


def per_call_us(watch: EnvironmentWatch, n: int) -> float:
    """Median over 5 batches of `n` calls, in microseconds per call."""
    batches = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            watch.changed()
        batches.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare, with_venv = Path(tmp) / "bare", Path(tmp) / "venv"
        bare.mkdir()
        make_venv(with_venv / ".venv", ("numpy",))
        cases = {
            "no venv (.venv, venv and the `flash` on PATH looked at)": EnvironmentWatch(bare, None),
            "a .venv in the project": EnvironmentWatch(with_venv, None),
            "flash.interpreter set": EnvironmentWatch(bare, str(with_venv / ".venv" / "bin" / "python")),
        }
        print(f"one poll round per project, median of 5 x {args.n} ({shutil.which('flash') or 'no flash on PATH'}):")
        for label, watch in cases.items():
            print(f"  {label:58} {per_call_us(watch, args.n):7.1f} us")


if __name__ == "__main__":
    main()
