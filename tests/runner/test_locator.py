"""`BuildLocator`: where findings of the build belong, for findings the end-to-end build modes do
not reach. The locator reads the analysis model (built here by the core) without importing it."""

from __future__ import annotations

from flash_lsp.core.project import Project
from flash_lsp.runner import BuildFinding, BuildLocator, SourceLocation

ENDPOINT = """\
from tetra_rp import LiveServerless, remote

gpu_config = LiveServerless(name='g')


@remote(gpu_config)
def process_data(x):
    return x
"""


def test_locator_requirements_txt_lines_base_names_and_fallbacks(tmp_path):
    """Findings the e2e modes do not reach: a failing requirements.txt line (by exact text or by
    package name), a file the dependency scan names by its base name, no main.py."""
    root = tmp_path / "proj"
    (root / "workers" / "gpu").mkdir(parents=True)
    (root / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "requirements.txt").write_text("# pinned\nsix\nnonexistent-pkg==9.9\n")
    (root / "workers" / "gpu" / "endpoint.py").write_text(ENDPOINT)
    (root / "workers" / "gpu" / "bad.py").write_text("def broken(:\n")
    locator = BuildLocator(root, Project(root).analyze())
    failed = SourceLocation("requirements.txt", 2, 0, 2, 20)
    assert locator(BuildFinding("requirement_failed", "error", "x", requirement="nonexistent-pkg==9.9")) == [failed]
    assert locator(BuildFinding("requirement_failed", "error", "x", requirement="nonexistent-pkg")) == [failed]
    message = "Failed to parse bad.py: invalid syntax (<unknown>, line 1)"
    parse = BuildFinding("syntax_error", "warning", message, line=0)
    assert locator(parse) == [SourceLocation("workers/gpu/bad.py", 0)]
    assert locator(BuildFinding("pip_failed", "error", "x")) == [SourceLocation("requirements.txt", 0)]
    assert locator(BuildFinding("code_analysis_failed", "error", "x")) == [SourceLocation("main.py", 0)]
    (root / "main.py").unlink()
    locator = BuildLocator(root, Project(root).analyze())
    assert locator(BuildFinding("main_py_missing", "error", "x")) == [SourceLocation("workers/gpu/endpoint.py", 0)]
