"""What the build interpreter decides: which `.env` importing tetra_rp loads, and which syntax
the build's Python accepts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import parso
import pytest

import flash_lsp
from flash_lsp.core.environment import Environment, detect_environment
from flash_lsp.core.grammar import RUNNING
from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

from .conftest import codes, write_project

RUNNING_TEXT = f"{RUNNING[0]}.{RUNNING[1]}"
PY312 = next(iter(Path("/root/.pyenv/versions").glob("3.12*/bin/python3.12")), None) or shutil.which("python3.12")

WORKER = (
    "from tetra_rp import CpuLiveServerless, remote\ncpu = CpuLiveServerless(name='c')\n@remote(cpu)\ndef f(): pass\n"
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


# -- the build's grammar -------------------------------------------------------------------------

EXCEPT_STAR = (
    "from tetra_rp import CpuLiveServerless, remote\n"
    "cpu = CpuLiveServerless(name='c')\n"
    "@remote(cpu)\ndef f():\n    try:\n        pass\n    except* ValueError:\n        pass\n"
)
PEP695 = (
    "from tetra_rp import CpuLiveServerless, remote\n"
    "cpu = CpuLiveServerless(name='c')\n"
    "def first[T](xs: list[T]) -> T:\n    return xs[0]\n"
    "@remote(cpu)\ndef f(): pass\n"
)


def _analyze(tmp_path, files, version):
    root = write_project(tmp_path / "p", files)
    environment = Environment(frozenset({"tetra_rp"}), "test", version)
    return Project(root, TETRA_024, environment, {}).analyze("2026-01-01T00:00:00.000000Z")


def test_an_older_build_python_skips_syntax_it_lacks_and_the_message_names_it(tmp_path):
    older = _analyze(tmp_path, {"workers/w.py": EXCEPT_STAR}, "3.10")
    [finding] = [d for d in older.diagnostics if d.code == "FL404"]
    assert "the build's Python 3.10" in finding.message and finding.span.line >= 6
    assert "c" not in (older.manifest or {}).get("resources", {})
    same = _analyze(tmp_path / "same", {"workers/w.py": EXCEPT_STAR}, RUNNING_TEXT)
    assert "FL404" not in codes(same) and "c" in same.manifest["resources"]


def test_syntax_only_a_newer_build_python_has_is_unknown_not_a_syntax_error(tmp_path):
    newer = f"{RUNNING[0]}.{RUNNING[1] + 1}"
    model = _analyze(tmp_path, {"workers/w.py": PEP695}, newer)
    assert "FL404" not in codes(model) and "FL411" in codes(model)
    [finding] = [d for d in model.diagnostics if d.code == "FL411"]
    assert newer in finding.message


@pytest.mark.skipif(PY312 is None, reason="needs a Python 3.12 interpreter")
def test_a_312_server_rejects_312_only_syntax_for_a_311_build():
    """Our Python is newer than the build's: PEP 695 and PEP 701 f-strings are refused."""
    script = (
        "from flash_lsp.core.grammar import parse_as_build as p\n"
        "print(p('def f[T](x: T) -> T: return x\\n', '3.11').error)\n"
        "print(p('x = f\"{\", \".join(y)}\"\\n', '3.11').error)\n"
        "print(p('x = f\"{\", \".join(y)}\"\\n', '3.12').error)\n"
        "print(p('match x:\\n    case 1: pass\\n', '3.11').error)\n"
    )
    paths = [str(Path(flash_lsp.__file__).parents[1]), str(Path(parso.__file__).parents[1])]
    proc = subprocess.run(
        [PY312, "-I", "-c", f"import sys; sys.path[:0] = {paths!r}\n" + script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    pep695, nested, same, match = proc.stdout.splitlines()
    assert "Type parameter lists" in pep695 and "the build's Python 3.11" in pep695
    assert "in an f-string (line 1; the build's Python 3.11)" in nested
    assert same == "None" and match == "None"


def test_an_untrusted_workspace_reads_no_dotenv_outside_the_project(tmp_path):
    """The server marks an untrusted workspace's environment `reads_outside=False`: the search still
    finds the project's own `.env`, never one above an interpreter outside the project."""
    from dataclasses import replace

    root = write_project(tmp_path / "p", {"workers/w.py": WORKER, ".env": DOTENV})
    python = _venv(tmp_path / "envs" / "build")
    (tmp_path / "envs" / ".env").write_text("TETRA_CPU_IMAGE=example/shared:3\n")
    untrusted = replace(detect_environment(root, str(python), TETRA_024), reads_outside=False)
    model = Project(root, TETRA_024, untrusted, {}).analyze("2026-01-01T00:00:00.000000Z")
    assert model.manifest["resources"]["c"]["imageName"] == "runpod/tetra-rp-cpu:latest"
    _venv(root / ".venv")
    inside = replace(detect_environment(root, None, TETRA_024), reads_outside=False)
    model = Project(root, TETRA_024, inside, {}).analyze("2026-01-01T00:00:00.000000Z")
    assert model.manifest["resources"]["c"]["imageName"] == "example/cpu:1"
