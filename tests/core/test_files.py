"""File collection follows Flash's ignore semantics (`docs/tetra-build.md`, "File collection")."""

from flash_lsp.core.files import collect_files
from flash_lsp.core.profiles import TETRA_024

from .conftest import write_project


def shipped(tmp_path, files, overrides=None):
    root = write_project(tmp_path / "p", files, main=False)
    return sorted(collect_files(root, TETRA_024, overrides).files)


def test_dir_pattern_excludes_files_but_not_by_pruning(tmp_path):
    assert shipped(tmp_path, {".gitignore": "tests/\n", "tests/test_a.py": "", "a.py": ""}) == [".gitignore", "a.py"]


def test_pattern_without_slash_prunes_directory(tmp_path):
    files = {".flashignore": "secret\n", "secret/key.txt": "", "x/secret": "", "keep.py": ""}
    assert shipped(tmp_path, files) == [".flashignore", "keep.py"]


def test_builtins_come_last_and_win_over_user_negations(tmp_path):
    files = {".gitignore": "!*.pyc\n", "a.pyc": "", "b.py": "", "pkg.tar.gz": ""}
    assert shipped(tmp_path, files) == [".gitignore", "b.py"]


def test_flashignore_is_read_before_gitignore(tmp_path):
    files = {".flashignore": "*.txt\n", ".gitignore": "!keep.txt\n", "keep.txt": "", "drop.txt": ""}
    assert shipped(tmp_path, files) == [".flashignore", ".gitignore", "keep.txt"]


def test_env_venv_and_stale_flash_are_shipped(tmp_path):
    files = {".env": "K=1", ".venv/lib/v.py": "", ".flash/flash_manifest.json": "{}", "a.py": ""}
    assert shipped(tmp_path, files) == [".env", ".flash/flash_manifest.json", ".venv/lib/v.py", "a.py"]


def test_unsaved_new_file_is_walked(tmp_path):
    assert "workers/new.py" in shipped(tmp_path, {"a.py": ""}, {"workers/new.py": "x = 1"})


def test_scan_order_lists_a_directory_before_its_subdirectories(tmp_path):
    root = write_project(tmp_path / "p", {"a/b/c.py": "", "a/d.py": "", "e.py": ""}, main=False)
    order = collect_files(root, TETRA_024).scan_order
    assert order.index("e.py") < order.index("a/d.py") < order.index("a/b/c.py")
