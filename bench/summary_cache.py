"""The persistent summary cache: loading the JSON file (entries decoded lazily), decoding every entry,
and — for comparison — the pickle the cache used to be.

    .venv/bin/python bench/summary_cache.py [modules]

Generates a workspace of `modules` files (bench/workspace_gen.py, default 2000), summarises them,
writes the cache, then prints the best of 5 runs of each step.
"""

from __future__ import annotations

import pickle
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workspace_gen import generate  # noqa: E402
from flash_lsp.core.summary import summarize  # noqa: E402
from flash_lsp.lsp.cache import SummaryCache  # noqa: E402


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(modules: int = 2000) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="flash-lsp-bench-"))
    root = generate(tmp / "ws", modules=modules)
    summaries = {
        str(p): replace(summarize(str(p.relative_to(root)), p.read_text(), ()), tree=None, lines=[])
        for p in root.rglob("*.py")
    }
    cache = SummaryCache(tmp / "summaries.json")
    for key, summary in summaries.items():
        cache.entries[key] = summary
    save = best_of(1, cache.save)
    pickled = tmp / "summaries.pickle"
    pickled.write_bytes(pickle.dumps(summaries, protocol=pickle.HIGHEST_PROTOCOL))

    def load() -> SummaryCache:
        c = SummaryCache(tmp / "summaries.json")
        c.load()
        return c

    def decode_all() -> None:
        c = load()
        assert all(c.entries.get(k) == v for k, v in summaries.items())

    json_load = best_of(5, load)
    json_all = best_of(5, decode_all)
    pickle_load = best_of(5, lambda: pickle.loads(pickled.read_bytes()))
    size = (tmp / "summaries.json").stat().st_size
    print(f"{len(summaries)} summaries, JSON {size / 1e6:.1f} MB (pickle {pickled.stat().st_size / 1e6:.1f} MB)")
    print(f"JSON save:                      {save * 1000:7.1f} ms")
    print(f"JSON load (server start):       {json_load * 1000:7.1f} ms")
    print(f"JSON load + decode every entry: {json_all * 1000:7.1f} ms")
    print(f"pickle load (before):           {pickle_load * 1000:7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
