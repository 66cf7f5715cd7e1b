"""The VS Code extension's TypeScript unit tests (node's test runner, `client-vscode/test/`):
interpreter resolution, settings/schema agreement, tree model, preview URIs and provider."""

from __future__ import annotations

import subprocess

from .conftest import REPO


def test_extension_unit_tests():
    # `make test` runs `npm ci` first when node_modules is missing or stale
    proc = subprocess.run(
        ["make", "-s", "-C", str(REPO / "client-vscode"), "test"], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "# fail 0" in proc.stdout, proc.stdout[-3000:]
