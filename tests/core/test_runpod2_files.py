"""Which project files an SDK 2.0 artifact carries (docs/runpod2.md "Artifact members"), and how the
runpod-2.0 profile is chosen (docs/runpod2.md "Which profile")."""

from __future__ import annotations

import pytest

from flash_lsp.core.profile_detect import detect_profile
from flash_lsp.core.profiles import RUNPOD_20, profile_for_version
from flash_lsp.core.runpod2.files import all_python, collect

from .conftest import write_project


def _files(tmp_path, files):
    root = write_project(tmp_path / "proj", files, main=False)
    return collect(root).files


def test_protected_list_beats_runpodignore_negations(tmp_path):
    files = _files(
        tmp_path,
        {
            "main.py": "",
            ".env": "",
            "prod.env": "",
            "k.pem": "",
            "id_rsa": "",
            ".aws/credentials": "",
            "service-account-x.json": "",
            "sub/.docker/config.json": "",
            ".runpodignore": "!.env\n!k.pem\n",
        },
    )
    assert files == [".runpodignore", "main.py"]


def test_defaults_then_gitignore_then_runpodignore_last(tmp_path):
    files = _files(
        tmp_path,
        {
            "main.py": "",
            "tests/t.py": "",
            "test_x.py": "",
            "a_test.py": "",
            "x.tar.gz": "",
            "keep.txt": "",
            ".gitignore": "keep.txt\nlogs/\n",
            "logs/a.log": "",
            ".runpodignore": "!tests/\n!keep.txt\n",
        },
    )
    assert files == [".gitignore", ".runpodignore", "keep.txt", "main.py", "tests/t.py"]


def test_nested_gitignore_is_scoped_to_its_directory(tmp_path):
    files = _files(
        tmp_path,
        {
            "main.py": "",
            "pkg/.gitignore": "*.csv\n!keep.csv\n/top.txt\n",
            "pkg/a.csv": "",
            "pkg/keep.csv": "",
            "pkg/top.txt": "",
            "pkg/deep/top.txt": "",
            "other/a.csv": "",
        },
    )
    assert sorted(files) == ["main.py", "other/a.csv", "pkg/.gitignore", "pkg/deep/top.txt", "pkg/keep.csv"]


def test_build_and_dist_ship_but_are_not_discovered(tmp_path):
    root = write_project(
        tmp_path / "proj", {"main.py": "", "build/gen.py": "", "dist/x.py": "", "node_modules/m.py": ""}, main=False
    )
    assert sorted(collect(root).files) == ["build/gen.py", "dist/x.py", "main.py"]
    assert all_python(root) == ["main.py"]


def test_symlinks_never_ship(tmp_path):
    root = write_project(tmp_path / "proj", {"main.py": "", "real/a.txt": ""}, main=False)
    (root / "link").symlink_to(root / "real")
    (root / "l.py").symlink_to(root / "main.py")
    assert sorted(collect(root).files) == ["main.py", "real/a.txt"]


@pytest.mark.parametrize(("version", "expected"), [("2.0.0rc2", "2.0.0rc2"), ("2.0.0", "2.0.0"), ("1.12.0", None)])
def test_runpod_versions_map_to_the_profile(version, expected):
    found = profile_for_version(version, "runpod")
    assert (found.release if found else None) == expected
    assert found is None or found.name == RUNPOD_20.name


@pytest.mark.parametrize(
    ("files", "dists", "expected"),
    [
        ({"m.py": "from runpod import App, GpuType\n"}, (), "runpod-2.0"),
        ({"m.py": "import runpod\napp = runpod.App('x')\n"}, (), "runpod-2.0"),
        ({"m.py": "import runpod\nrunpod.serverless.start({})\n"}, (), "tetra-0.24"),
        ({"requirements.txt": "runpod==2.0.0rc2\n", "m.py": ""}, (), "runpod-2.0"),
        ({"requirements.txt": "runpod-flash==1.21.0\n", "m.py": ""}, (), "flash-1.21"),
        ({"m.py": ""}, ("runpod-2.0.0rc2.dist-info",), "runpod-2.0"),
        ({"m.py": ""}, ("runpod-1.12.0.dist-info",), "tetra-0.24"),
        ({"m.py": ""}, ("runpod-2.0.0rc2.dist-info", "runpod_flash-1.21.0.dist-info"), "flash-1.21"),
    ],
)
def test_detection(tmp_path, files, dists, expected):
    root = write_project(tmp_path / "p", files, main=False)
    if dists:
        site = root / ".venv" / "lib" / "python3.11" / "site-packages"
        for dist in dists:
            (site / dist).mkdir(parents=True)
        (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert detect_profile(root)[0].name == expected


def test_bytecode_of_discovery_imports_ships_where_pycache_is_let_through(tmp_path):
    from flash_lsp.core.environment import Environment
    from flash_lsp.core.project import Project
    from flash_lsp.core.runpod2.baseline import RUNPOD2_BASELINE

    root = write_project(
        tmp_path / "proj",
        {
            "main.py": "import runpod\napp = runpod.App('pyc-app')\n",
            "tests/test_a.py": "X = 1\n",
            "tests/test_b.py": "import numpy\n",
            ".runpodignore": "!tests/\n",
        },
        main=False,
    )
    files = Project(root, RUNPOD_20, Environment(RUNPOD2_BASELINE, "t", "3.12")).analyze().files.files
    assert "tests/__pycache__/test_a.cpython-312.pyc" in files  # imported: its bytecode is written
    assert not any(
        "test_b.cpython" in f or f.startswith("__pycache__/") for f in files
    )  # failed: deleted; root: ignored
