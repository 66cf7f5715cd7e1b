"""Generate a synthetic Flash workspace: N modules, about a tenth of them with @remote endpoints."""

from __future__ import annotations

import random
from pathlib import Path

PLAIN = '''"""Helper module {i}."""

import json
import math
from dataclasses import dataclass


@dataclass
class Record{i}:
    key: str
    value: float

    def scaled(self, factor: float) -> float:
        return self.value * factor


def summarise_{i}(rows: list[dict]) -> dict:
    total = sum(r.get("value", 0) for r in rows)
    return {{"count": len(rows), "total": total, "mean": total / max(len(rows), 1)}}


def encode_{i}(rows: list[dict]) -> str:
    return json.dumps([r for r in rows if r], sort_keys=True)


def distance_{i}(a: tuple, b: tuple) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))
'''

WORKER = '''"""Worker module {i}."""

from tetra_rp import {cls}, GpuGroup, remote

config_{i} = {cls}(name="endpoint_{i}", {extra}workersMax={workers})


@remote(config_{i}, dependencies=["six"])
def process_{i}(payload: dict) -> dict:
    return {{"ok": True, "n": len(payload)}}


@remote(resource_config=config_{i})
async def stream_{i}(payload: dict) -> dict:
    return payload


@remote(config_{i})
class Model{i}:
    def predict(self, x):
        return x
'''


def generate(root: Path, modules: int = 2000, remote_every: int = 10, seed: int = 7) -> Path:
    """Write `modules` files under `root` (packages of 50), one in `remote_every` a Flash worker."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "requirements.txt").write_text("six\n")
    for i in range(modules):
        package = root / ("workers" if i % remote_every == 0 else "lib") / f"pkg{i // 50}"
        package.mkdir(parents=True, exist_ok=True)
        if i % remote_every == 0:
            cls = rng.choice(["LiveServerless", "CpuLiveServerless"])
            extra = "gpus=[GpuGroup.ADA_24], " if cls == "LiveServerless" else ""
            text = WORKER.format(i=i, cls=cls, extra=extra, workers=rng.randint(1, 5))
        else:
            text = PLAIN.format(i=i)
        (package / f"mod{i}.py").write_text(text)
    return root


def big_module(lines: int = 2000, index: int = 99_999) -> str:
    """A ~`lines`-line worker module for keystroke-latency measurements; `index` keeps its names
    distinct from the generated workspace's (a duplicate would make the build fail early)."""
    out = [WORKER.format(i=index, cls="LiveServerless", extra="", workers=2)]
    i = index
    while sum(chunk.count("\n") for chunk in out) < lines:
        i += 1
        out.append(PLAIN.format(i=i))
    return "\n".join(out)
