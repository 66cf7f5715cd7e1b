"""Which project a file belongs to, without ever taking a huge directory as the project."""

from __future__ import annotations

from flash_lsp.lsp import detect
from flash_lsp.lsp.detect import project_root_for


def _tree(root, files):
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return root.resolve()


def test_file_in_a_large_folder_without_a_project_is_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(detect, "STRAY_MAX_FILES", 50)
    root = _tree(tmp_path, [f"big/f{i}" for i in range(80)] + ["notes/x.py", "proj/main.py", "proj/w/y.py"])
    assert project_root_for(root / "notes" / "x.py", [root]) == (root / "notes", True)
    assert project_root_for(root / "proj" / "w" / "y.py", [root]) == (root / "proj", False)


def test_file_in_a_small_folder_belongs_to_the_folder(tmp_path):
    root = _tree(tmp_path, ["notes/x.py", "README.md"])
    assert project_root_for(root / "notes" / "x.py", [root]) == (root, False)


def test_stray_file_stops_at_project_boundaries_and_large_projects(tmp_path, monkeypatch):
    root = _tree(
        tmp_path, ["outer/main.py", "outer/repo/.git/HEAD", "outer/repo/src/x.py", "flash/main.py", "flash/w/y.py"]
    )
    assert project_root_for(root / "outer" / "repo" / "src" / "x.py", []) == (root / "outer" / "repo" / "src", True)
    assert project_root_for(root / "flash" / "w" / "y.py", []) == (root / "flash", False)
    monkeypatch.setattr(detect, "STRAY_MAX_FILES", 2)
    assert project_root_for(root / "flash" / "w" / "y.py", []) == (root / "flash" / "w", True)
