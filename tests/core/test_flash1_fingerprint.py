"""runpod-flash 1.14+: `source_fingerprint` hashes every shipped file's bytes as they are on disk.
A file's bytes are taken from the text the analysis read when that text is them verbatim, so files
whose text differs from their bytes (CRLF or lone CR line ends, not UTF-8) are checked here
against the real `compute_source_fingerprint` of runpod-flash 1.21.0."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flash_lsp.core.profiles import FLASH_121
from flash_lsp.core.project import Project

from .test_flash1_incremental import ENV, STAMP

REAL_PYTHON = Path(__file__).resolve().parents[2] / ".cache" / "ref-venvs" / "flash-1.21" / "bin" / "python"
REAL = """
import sys
from pathlib import Path
from runpod_flash.cli.commands.build import compute_source_fingerprint
root = Path(sys.argv[1])
print(compute_source_fingerprint(root, [root / p for p in sys.argv[2:]]))
"""
FILES = {
    "plain.py": b"X = 1\n",
    "crlf.py": b"import os\r\nX = 2\r\n",
    "lone_cr.py": b"X = 3\rY = 4\r",
    "latin1.py": b"# -*- coding: latin-1 -*-\nNAME = '\xe9'\n",
    "pkg/worker.py": b"from runpod_flash import Endpoint\n\n@Endpoint(name='w', cpu='cpu3c-1-2')\r\nasync def w(x):\n    return x\n",
    "requirements.txt": b"requests\r\n",
}


def _real_fingerprint(root: Path, files: list[str]) -> str:
    if not REAL_PYTHON.exists():
        pytest.skip("no runpod-flash 1.21 reference venv")
    out = subprocess.run(
        [str(REAL_PYTHON), "-c", REAL, str(root), *files],
        capture_output=True,
        text=True,
        check=True,
        cwd=root.parent,  # importing runpod_flash writes .flash/logs in the working directory
        env={"RUNPOD_FLASH_SILENCE_DEPRECATION": "1", "PATH": "/usr/bin:/bin"},
    )
    return out.stdout.split()[-1]


@pytest.mark.fidelity
@pytest.mark.parametrize("editor", [False, True])
def test_the_fingerprint_hashes_the_bytes_on_disk(tmp_path, editor):
    root = tmp_path / "p"
    for relpath, data in FILES.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    project = Project(root, FLASH_121, ENV, {}, keep_last_good=editor, trust_disk_cache=editor)
    model = project.analyze(STAMP)
    shipped = model.files.files
    assert set(FILES) <= set(shipped)
    assert model.manifest["source_fingerprint"] == _real_fingerprint(root, shipped)
    if not editor:
        return
    # the disk changes (the editor hears of it): plain text becomes CRLF and the other way round
    (root / "plain.py").write_bytes(b"X = 1\r\n")
    (root / "crlf.py").write_bytes(b"import os\nX = 2\n")
    project.invalidate(["plain.py", "crlf.py"], structure=False)
    model = project.analyze(STAMP)
    assert model.manifest["source_fingerprint"] == _real_fingerprint(root, shipped)
