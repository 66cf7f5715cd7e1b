"""flash_lsp.runner must not import pygls/lsprotocol (it is used by the CLI and the server alike)."""

from __future__ import annotations

import subprocess
import sys


def test_build_package_imports_no_lsp_libraries():
    code = (
        "import sys, flash_lsp.runner, flash_lsp.runner.build_process, flash_lsp.runner.report; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
