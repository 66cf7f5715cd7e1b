"""Mutations of valid Flash sources for fuzzing the analysis (the hypothesis test and bench/fuzz.py).

`mutate(source, rng)` applies a few random edits: token deletions, duplications and insertions,
number and string blow-ups, deep nesting and line shuffles. `analyse_once` runs the whole analysis
on a small project with the mutated file, the way the CLI and the server use it.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project
from flash_lsp.core.report import render_check_text

HEAD = "from tetra_rp import remote, LiveServerless, CpuLiveServerless, LiveLoadBalancer, PodTemplate, GpuGroup, CpuInstanceType\n"
SEEDS = [
    HEAD + "gpu = LiveServerless(name='gpu', gpus=[GpuGroup.ADA_24], workersMax=2)\n\n"
    "@remote(gpu, dependencies=['torch==2.1', 'numpy'])\ndef infer(x):\n    return x * 2\n",
    HEAD
    + "cpu = CpuLiveServerless(name='cpu', instanceIds=[CpuInstanceType.CPU3C_2_4], template=PodTemplate(containerDiskInGb=20))\n\n"
    "@remote(cpu)\nclass Model:\n    def predict(self, x):\n        return x\n",
    HEAD
    + "lb = LiveLoadBalancer(name='api')\n\n@remote(lb, method='POST', path='/run')\nasync def run(data: dict) -> dict:\n"
    "    return {'ok': True}\n\n@remote(lb, method='GET', path='/health')\nasync def health():\n    return 1\n",
    HEAD
    + "import os\ntry:\n    import torch\nexcept ImportError:\n    torch = None\nN = 3 * 4 + 1\nNAME = 'w' + str(N)\n"
    "cfg = LiveServerless(name=NAME, workersMin=0, workersMax=N, env={'A': os.environ.get('A', '')})\n\n"
    "if __name__ == '__main__':\n    print(cfg)\n\n@remote(resource_config=cfg)\ndef f(a, *args, **kw):\n    return [i for i in range(a)]\n",
    "from fastapi import FastAPI\nfrom tetra_rp import CpuLiveLoadBalancer\n\napp = FastAPI()\n"
    "mothership = CpuLiveLoadBalancer(name='mothership', workersMax=1)\n\n@app.get('/ping')\ndef ping():\n    return 'pong'\n",
]
OTHER = HEAD + "other = LiveServerless(name='other')\n\n@remote(other)\ndef g(x):\n    return x\n"
MAIN = "from fastapi import FastAPI\napp = FastAPI()\n"

_TOKEN = re.compile(r"""\s+|\d[\w.]*|\w+|'[^'\n]*'|"[^"\n]*"|\*\*|==|!=|->|.""")
_INSERTS = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    ".",
    ":",
    "@",
    "*",
    "**",
    "+",
    "-",
    "/",
    "%",
    "\n",
    "    ",
    "\\",
    "remote",
    "LiveServerless",
    "PodTemplate",
    "name=",
    "'x'",
    "None",
    "lambda",
    "await",
    "yield",
    "import",
    "from",
    "async",
    "def",
    "class",
    "if",
    "else",
    "try:",
    "except",
    "__name__",
    "sys.exit()",
    "raise",
    "del",
    "global",
    "nonlocal",
    "match",
    "case",
    "not",
    "and",
    "or",
    "is",
    "in",
    ":=",
    "...",
    "'''",
    "#",
    ";",
    "gpus=",
    "method=",
    "path=",
    "dependencies=",
    "containerDiskInGb=",
    "workersMax=",
    "template=",
]
_NUMBERS = [
    "9" * 5000,
    "0x" + "f" * 5000,
    "1e308*10",
    "10**10**10",
    "2**64",
    "-0",
    "1_000",
    "float('inf')",
    "1e-400",
    "0.1",
    "True",
    "3j",
    "(1<<100000)",
    "9" * 4000 + "*" + "9" * 4000,
]
_STRINGS = [
    "'a'*2_000_000_000",
    "'\\ud800'",
    "'\\x1b[2J'",
    "'x'*10000",
    "f'{x}'",
    "'20GB'",
    "''",
    "'\\n'",
    "b'bytes'",
    "'é'",
    "'/'",
    "'GET'",
    "'get'",
    "'../x'",
    "'%0999999999d' % 1",
    "'a' + 'b' * 9999",
]


def _deep(rng: random.Random) -> str:
    n = rng.choice([50, 200, 1000, 1500, 3000])
    kind = rng.randrange(6)
    if kind == 0:
        return "(" * min(n, 190) + "1" + ")" * min(n, 190)
    if kind == 1:
        return "[" * min(n, 190) + "]" * min(n, 190)
    if kind == 2:
        return "a" + ".b" * n
    if kind == 3:
        return "+".join(["1"] * n)
    if kind == 4:
        return "f" + "()" * n
    return "x" + "[0]" * n


def mutate(source: str, rng: random.Random, edits: int | None = None) -> str:
    tokens = _TOKEN.findall(source)
    for _ in range(edits if edits is not None else rng.randint(1, 4)):
        if not tokens:
            tokens = [rng.choice(_INSERTS)]
        i = rng.randrange(len(tokens))
        kind = rng.randrange(9)
        if kind == 0:
            del tokens[i]
        elif kind == 1:
            tokens.insert(i, tokens[i])
        elif kind == 2:
            tokens.insert(i, rng.choice(_INSERTS))
        elif kind == 3:
            numbers = [j for j, t in enumerate(tokens) if t[:1].isdigit()] or [i]
            tokens[rng.choice(numbers)] = rng.choice(_NUMBERS)
        elif kind == 4:
            strings = [j for j, t in enumerate(tokens) if t[:1] in "'\""] or [i]
            tokens[rng.choice(strings)] = rng.choice(_STRINGS)
        elif kind == 5:
            values = [j for j, t in enumerate(tokens) if t[:1].isdigit() or t[:1] in "'\"" or t.isidentifier()] or [i]
            tokens[rng.choice(values)] = _deep(rng)
        else:
            lines = "".join(tokens).split("\n")
            j, k = rng.randrange(len(lines)), rng.randrange(len(lines))
            if kind == 6:
                lines.insert(j, lines[k])
            elif kind == 7:
                lines[j], lines[k] = lines[k], lines[j]
            else:
                lines[j] = "    " + lines[j]
            tokens = _TOKEN.findall("\n".join(lines))
    return "".join(tokens)


def write_base(root: Path) -> Path:
    """The small project each mutated source is analysed in."""
    (root / "workers").mkdir(parents=True, exist_ok=True)
    (root / "main.py").write_text(MAIN)
    (root / "workers" / "other.py").write_text(OTHER)
    (root / "requirements.txt").write_text("six\n")
    return root


def analyse_once(root: Path, relpath: str, source: str) -> list[str]:
    """Analyse the project with `source` as the unsaved text of `relpath`, then render what the
    CLI prints (text and JSON); any exception escapes. Returns the messages of the failures the
    analysis caught itself (FL412), which are bugs as well."""
    project = Project(root, TETRA_024, keep_last_good=True)
    project.set_override(relpath, source)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    render_check_text(model)
    json.dumps([d.to_json() for d in model.diagnostics])
    model.manifest_text()
    return [d.message for d in model.diagnostics if d.code == "FL412"]
