"""What the build interpreter decides: which `.env` importing tetra_rp loads."""

from __future__ import annotations

from flash_lsp.core.environment import detect_environment
from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

from .conftest import write_project

WORKER = (
    "from tetra_rp import CpuLiveServerless, remote\n"
    "cpu = CpuLiveServerless(name='c')\n"
    "@remote(cpu)\ndef f(): pass\n"
)
DOTENV = "TETRA_CPU_IMAGE=example/cpu:1\n"


def _venv(prefix):
    package = prefix / "lib" / "python3.11" / "site-packages" / "tetra_rp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    return prefix / "bin" / "python"


def _image(root, interpreter=None) -> str:
    environment = detect_environment(root, interpreter and str(interpreter), TETRA_024)
    model = Project(root, TETRA_024, environment, {}).analyze("2026-01-01T00:00:00.000000Z")
    return model.manifest["resources"]["c"]["imageName"]


def test_dotenv_applies_when_the_build_environment_lives_in_the_project(tmp_path):
    root = write_project(tmp_path / "p", {"workers/w.py": WORKER, ".env": DOTENV})
    _venv(root / ".venv")
    assert _image(root) == "example/cpu:1"


def test_dotenv_is_ignored_when_the_build_environment_is_outside(tmp_path):
    root = write_project(tmp_path / "p", {"workers/w.py": WORKER, ".env": DOTENV})
    assert _image(root, _venv(tmp_path / "outside")) == "runpod/tetra-rp-cpu:latest"
    assert _image(root) == "runpod/tetra-rp-cpu:latest"  # no environment found: not the project's


def test_the_nearest_dotenv_above_the_package_wins(tmp_path):
    root = write_project(tmp_path / "p", {"workers/w.py": WORKER, ".env": DOTENV})
    python = _venv(tmp_path / "envs" / "build")
    (tmp_path / "envs" / ".env").write_text("TETRA_CPU_IMAGE=example/shared:3\n")
    assert _image(root, python) == "example/shared:3"
