"""The packages' layering, checked on every import statement (lazy and TYPE_CHECKING ones too):

* core: pure analysis, imports nothing of pygls/lsprotocol and none of bundle, runner, lsp;
* bundle: the size prediction, imports only core of ours (no LSP libraries);
* runner: runs the user's `flash`, imports only core of ours (shared knowledge such as what a secret
  file is; no LSP libraries);
* lsp: the adapter, may import all of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "flash_lsp"
LSP_LIBRARIES = {"pygls", "lsprotocol"}
OURS = {"core", "bundle", "runner", "lsp"}
ALLOWED = {"core": {"core"}, "bundle": {"core", "bundle"}, "runner": {"core", "runner"}}


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by one module of the package."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}  # `from .. import bundle`
    return found


def _violations(layer: str) -> list[tuple[str, str]]:
    bad = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] in LSP_LIBRARIES:
                bad.append((path.relative_to(PACKAGE).as_posix(), name))
            elif parts[0] == "flash_lsp" and len(parts) > 1:
                target = parts[1]
                if target in OURS and target not in ALLOWED[layer] or target == "cli" or target == "schemas":
                    bad.append((path.relative_to(PACKAGE).as_posix(), name))
    return bad


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer):
    assert _violations(layer) == []


def test_the_scan_sees_relative_imports():
    lsp_imports = set().union(*(_imports(p) for p in (PACKAGE / "lsp").rglob("*.py")))
    assert {"flash_lsp.core.model", "flash_lsp.runner", "pygls.uris"} <= lsp_imports


def test_importing_runner_and_bundle_loads_no_lsp_library():
    code = (
        "import sys, flash_lsp.runner, flash_lsp.runner.build_process, flash_lsp.runner.report, flash_lsp.bundle, "
        "flash_lsp.bundle.diagnostics, flash_lsp.core.project; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
