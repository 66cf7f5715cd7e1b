"""The headless commands start without the editor's and the size prediction's libraries: a real
`flash-lsp` process reports which modules it loaded while predicting a project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hello_flash"
HEAVY = ("pygls", "lsprotocol", "jedi", "libcst", "flash_lsp.lsp", "flash_lsp.migrate.project")
# `check` includes pip's verdict on the requirements, which is the size prediction's resolution
SIZE = ("flash_lsp.bundle",)
# what only `check` or the editor needs: the diagnostics rules, the persistent cache's hash, diffs
OUTPUT_ONLY = ("flash_lsp.core.rules", "hashlib", "difflib")
PROBE = """
import contextlib, io, json, sys
from flash_lsp.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(
    ("command", "heavy"),
    [
        (["manifest"], HEAVY + SIZE + OUTPUT_ONLY),
        (["check", "--offline"], HEAVY),
        (["files"], HEAVY + SIZE + OUTPUT_ONLY),
    ],
)
def test_headless_commands_load_no_heavy_library(command, heavy):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *command, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=120
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    loaded = [m for m in result["modules"] if any(m == h or m.startswith(h + ".") for h in heavy)]
    assert loaded == []
