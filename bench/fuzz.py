"""Fuzz the analysis with mutated Flash sources: crashes and the slowest analyses.

    python bench/fuzz.py [--count 100000] [--seed 0] [--timeout 10] [--save DIR]

Each case mutates one of the valid sources in tests/core/mutations.py (token deletions,
duplications and insertions, number and string blow-ups, deep nesting, line shuffles), puts it in
a small project as the unsaved text of a worker, mothership.py or main.py, and runs the whole
analysis plus the CLI's renderings. Prints the number of crashes with their signatures, the cases
over `--timeout` seconds, and the slowest analyses (CPU seconds); `--save` keeps each crashing or
slow source in DIR. Exits 1 when any case crashed or timed out.
"""

from __future__ import annotations

import argparse
import collections
import random
import signal
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.core.mutations import SEEDS, analyse_once, mutate, write_base  # noqa: E402

PATHS = ["workers/w.py", "workers/w.py", "mothership.py", "main.py"]


class _TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise _TimedOut


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="wall seconds before a case counts as a hang")
    parser.add_argument("--save", type=Path, help="directory for crashing and slow sources")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    crashes: collections.Counter = collections.Counter()
    examples: dict[str, str] = {}
    slowest: list[tuple[float, int, str]] = []
    timeouts = 0
    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("ignore", SyntaxWarning)  # what ast.parse says about the mutated sources
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_base(Path(tmp) / "proj")
        for case in range(args.count):
            source = mutate(rng.choice(SEEDS), rng)
            relpath = rng.choice(PATHS)
            cpu = time.process_time()
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
            try:
                for message in analyse_once(root, relpath, source):  # failures the analysis caught itself
                    signature = f"FL412 {message.split(':', 2)[1].strip()}"
                    crashes[signature] += 1
                    examples.setdefault(signature, source)
                    _keep(args.save, f"fl412-{case}", source)
            except _TimedOut:
                timeouts += 1
                _keep(args.save, f"timeout-{case}", source)
            except Exception as exc:  # noqa: BLE001 - the point is to count them
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                signature = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
                crashes[signature] += 1
                examples.setdefault(signature, source)
                _keep(args.save, f"crash-{case}", source)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            seconds = time.process_time() - cpu
            slowest = sorted([*slowest, (seconds, case, relpath)], reverse=True)[:5]
            if (case + 1) % 5000 == 0:
                print(
                    f"{case + 1:,} cases, {sum(crashes.values())} crashes, {timeouts} timeouts, "
                    f"max {slowest[0][0]:.2f} s CPU, {time.monotonic() - started:.0f} s",
                    flush=True,
                )
    print(
        f"\n{args.count:,} mutated sources (seed {args.seed}): {sum(crashes.values())} crashes, "
        f"{timeouts} over {args.timeout:g} s, max time {slowest[0][0]:.2f} s CPU"
    )
    for signature, count in crashes.most_common():
        print(f"  {count:5d}  {signature}\n         e.g. {examples[signature][:200]!r}")
    print("slowest analyses (CPU seconds, case, file):")
    for seconds, case, relpath in slowest:
        print(f"  {seconds:.3f}  #{case}  {relpath}")
    return 1 if crashes or timeouts else 0


def _keep(directory: Path | None, name: str, source: str) -> None:
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{name}.py").write_text(source, encoding="utf-8", errors="surrogatepass")


if __name__ == "__main__":
    raise SystemExit(main())
