"""The file walk ends on symlink cycles and huge trees, and ignore matching never backtracks."""

from __future__ import annotations

import os
import time
import warnings

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from flash_lsp.core import files as files_mod
from flash_lsp.core.files import IgnoreSpec, collect_files
from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

from .conftest import codes, write_project


def test_links_to_root_and_self_loops_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "o.py").write_text("x = 1\n")
    root = write_project(tmp_path / "p", {"workers/w.py": "x = 1\n"})
    os.symlink("/", root / "rootlink")
    os.symlink("loop", root / "loop")  # a link to itself
    os.symlink("b", root / "a")  # two links to each other
    os.symlink("a", root / "b")
    os.symlink(".", root / "workers" / "again")  # a directory inside itself
    os.symlink(outside, root / "ext")  # the build follows links out of the project: so do we
    start = time.monotonic()
    model = Project(root, TETRA_024).analyze()
    assert time.monotonic() - start < 5
    assert sorted(model.files.files) == ["ext/sub/o.py", "main.py", "workers/w.py"]
    cycles = [d.message for d in model.diagnostics if d.code == "FL605"]
    assert len(cycles) == 2 and any("rootlink leads back to /" in m for m in cycles)
    assert any("workers/again" in m for m in cycles)


def test_walk_stops_after_the_entry_cap_with_a_diagnostic(tmp_path, monkeypatch):
    monkeypatch.setattr(files_mod, "MAX_WALK_ENTRIES", 40)
    root = write_project(tmp_path / "p", {f"data/f{i}.txt": "" for i in range(100)})
    model = Project(root, TETRA_024).analyze()
    assert len(model.files.files) < 40
    assert "FL605" in codes(model)


def test_backtracking_ignore_pattern_matches_in_linear_time(tmp_path):
    root = write_project(tmp_path / "p", {".gitignore": "*a" * 30 + "*b\n", "a" * 200 + ".py": "", "x.py": ""})
    start = time.monotonic()
    tree = collect_files(root, TETRA_024)
    assert time.monotonic() - start < 2
    assert "x.py" in tree.files and "a" * 200 + ".py" in tree.files


SEGMENT = st.text(alphabet="ab.*?", min_size=1, max_size=4) | st.sampled_from(["**", "[ab]", "[!a]", "\\*", "a b"])
PATTERN = st.builds(
    lambda neg, lead, segs, trail: (
        ("!" if neg else "") + ("/" if lead else "") + "/".join(segs) + ("/" if trail else "")
    ),
    st.booleans(),
    st.booleans(),
    st.lists(SEGMENT, min_size=1, max_size=3),
    st.booleans(),
)
PATH = st.lists(st.text(alphabet="ab.* é", min_size=1, max_size=5), min_size=1, max_size=4).map("/".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(PATTERN, min_size=1, max_size=5), st.lists(PATH, min_size=1, max_size=8))
def test_ignore_spec_matches_exactly_like_pathspec(patterns, paths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        reference = pathspec.PathSpec.from_lines("gitwildmatch", patterns, backend="simple")  # Python's re
    ours = IgnoreSpec(patterns)
    for path in paths:
        assert ours.match_file(path) == reference.match_file(path), (patterns, path)
