"""Choosing the 1.x profile: installed distributions, pins, lock files, imports; feature gates."""

from __future__ import annotations

import pytest

from flash_lsp.core.environment import Environment
from flash_lsp.core.flash1.baseline import FLASH1_BASELINE
from flash_lsp.core.profile_detect import detect_profile
from flash_lsp.core.profiles import FLASH_17, FLASH_110, FLASH_117, FLASH_121, TETRA_024, profile_for_version
from flash_lsp.core.project import analyze_project

from .conftest import write_project


def _venv(root, dist: str):
    site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / dist).mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return root


@pytest.mark.parametrize(
    ("dist", "profile", "release"),
    [
        ("runpod_flash-1.21.0.dist-info", FLASH_121, "1.21.0"),
        ("runpod_flash-1.17.0.dist-info", FLASH_117, "1.17.0"),
        ("runpod_flash-1.19.2.dist-info", FLASH_121, "1.19.2"),
        ("runpod_flash-1.7.0.dist-info", FLASH_17, "1.7.0"),
        ("runpod_flash-1.10.2.dist-info", FLASH_110, "1.10.2"),
        ("runpod_flash-1.9.1.dist-info", FLASH_110, "1.9.1"),
        ("tetra_rp-0.24.0.dist-info", TETRA_024, ""),
    ],
)
def test_installed_distribution_decides(tmp_path, dist, profile, release):
    root = _venv(write_project(tmp_path / "p", {"w.py": "import tetra_rp\n"}, main=False), dist)
    found, reason = detect_profile(root)
    assert (found.name, found.release) == (profile.name, release) and "installed" in reason


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("requirements.txt", "runpod-flash==1.17.0\n", "flash-1.17"),
        ("pyproject.toml", '[project]\ndependencies = ["runpod_flash[extra] == 1.20.1"]\n', "flash-1.21"),
        ("uv.lock", '[[package]]\nname = "runpod-flash"\nversion = "1.18.0"\n', "flash-1.17"),
    ],
)
def test_pins_and_locks(tmp_path, name, text, expected):
    root = write_project(tmp_path / "p", {name: text, "w.py": "x = 1\n"}, main=False)
    assert detect_profile(root)[0].name == expected


def test_imports_decide_when_nothing_is_installed_or_pinned(tmp_path):
    flash = write_project(tmp_path / "a", {"w.py": "from runpod_flash import Endpoint\n"}, main=False)
    tetra = write_project(tmp_path / "b", {"w.py": "from tetra_rp import remote\n"}, main=False)
    assert detect_profile(flash)[0] is FLASH_121
    assert detect_profile(tetra)[0] is TETRA_024


def test_a_version_between_profiles_gets_its_own_feature_gates():
    profile = profile_for_version("1.13.2", "runpod_flash")
    assert profile.name == "flash-1.17" and profile.release == "1.13.2"
    assert (
        profile.has("max_concurrency") and not profile.has("source_fingerprint") and not profile.has("multi_file_check")
    )
    ast_era = profile_for_version("1.9.0", "runpod_flash")
    assert ast_era.name == "flash-1.10" and ast_era.has("python_versions") and not ast_era.has("import_scan")
    assert ast_era.has("blackwell_groups") and not ast_era.has("datacenter_list")
    assert profile_for_version("1.8.1", "runpod_flash").features == {"python_versions"}
    assert profile_for_version("1.10.0", "runpod_flash").has("datacenter_list")
    assert not profile_for_version("1.10.0", "runpod_flash").has("explicit_env")
    assert profile_for_version("1.7.0", "runpod_flash") is FLASH_17
    early_import_scan = profile_for_version("1.11.1", "runpod_flash")
    assert early_import_scan.name == "flash-1.17" and early_import_scan.has("gitignore_only")
    assert not early_import_scan.has("no_fb_suffix")
    assert profile_for_version("1.11.3", "runpod_flash").has("no_fb_suffix")
    assert profile_for_version("1.6.0", "runpod_flash") is None


def test_a_runpod_flash_project_no_longer_gets_the_tetra_main_py_error(tmp_path):
    root = write_project(
        tmp_path / "p",
        {"w.py": 'from runpod_flash import Endpoint\n@Endpoint(name="w")\ndef f(x): return x\n'},
        main=False,
    )
    profile, _ = detect_profile(root)
    model = analyze_project(
        root, profile, environment=Environment(FLASH1_BASELINE, "test", "3.11", "2.14"), env_vars={}
    )
    assert model.outcome.succeeds and "FL307" not in {d.code for d in model.diagnostics}
    assert list(model.manifest["resources"]) == ["w"]


def test_validation_error_is_reported_on_the_offending_argument(tmp_path):
    root = write_project(
        tmp_path / "p",
        {"a.py": 'from runpod_flash import Endpoint\nep = Endpoint(name="x", workers=(3, 1))\n'},
        main=False,
    )
    model = analyze_project(
        root, FLASH_121, environment=Environment(FLASH1_BASELINE, "test", "3.11", "2.14"), env_vars={}
    )
    (diag,) = [d for d in model.diagnostics if d.code == "FL420"]
    text = (root / "a.py").read_text().splitlines()[diag.span.line]
    assert text[diag.span.col : diag.span.end_col] == "(3, 1)"


def test_an_installed_release_no_profile_models_is_named(tmp_path):
    root = _venv(write_project(tmp_path / "p", {"w.py": "x = 1\n"}, main=False), "runpod_flash-1.6.0.dist-info")
    profile, reason = detect_profile(root)
    assert profile is FLASH_121 and "runpod-flash 1.6.0 is installed" in reason and "no profile models it" in reason


def test_cli_header_names_the_profile_in_force_and_why(tmp_path):
    import subprocess
    import sys

    root = write_project(
        tmp_path / "p",
        {"w.py": 'from runpod_flash import Endpoint\n@Endpoint(name="w")\ndef f(x): return x\n'},
        main=False,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "flash_lsp", "check", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "p — profile flash-1.21 (runpod-flash 1.19.0–1.21.0, as 1.21.0; the sources import runpod_flash" in proc.stdout
    )
    assert "w  " in proc.stdout and "FL307" not in proc.stdout
