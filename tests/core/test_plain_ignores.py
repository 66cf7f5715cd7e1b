"""Plain ignore patterns (the built-in `__pycache__/`, `*.pyc` …) are matched without pathspec, and
match exactly what pathspec's gitwildmatch with Python's `re` (the build's own engine) matches."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pathspec
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flash_lsp.core.files import IgnoreSpec
from flash_lsp.core.profiles import PROFILES

NAME = st.text(alphabet="ab._-", min_size=1, max_size=4)
PLAIN = st.builds(
    lambda head, star, tail, slash: head + ("*" if star else "") + tail + ("/" if slash else ""),
    st.text(alphabet="ab._-", max_size=3),
    st.booleans(),
    st.text(alphabet="ab._-", max_size=3),
    st.booleans(),
).filter(lambda p: p.strip("*/"))
PATH = st.builds(
    str.__add__,
    st.sampled_from(["", "/", "./"]),
    st.lists(st.text(alphabet="ab._-*\n", min_size=1, max_size=5), min_size=1, max_size=4).map("/".join),
)


def reference(patterns: list[str]):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pathspec.PathSpec.from_lines("gitwildmatch", patterns, backend="simple")


@settings(max_examples=400, deadline=None)
@example(["*.pyc", "a", "b/"], ["x/a.pyc\n", "a\n", "a\n/b", "b\n/c", "./a", "/b/c"])  # `$` before a final newline
@given(st.lists(PLAIN, min_size=1, max_size=4), st.lists(PATH, min_size=1, max_size=8))
def test_plain_patterns_match_like_pathspec(patterns, paths):
    spec = IgnoreSpec(patterns)
    assert spec.plain is not None
    expected = reference(patterns)
    assert [spec.match_file(p) for p in paths] == [expected.match_file(p) for p in paths]


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profiles_builtins_match_like_pathspec(name):
    patterns = list(PROFILES[name].builtin_ignores)
    spec, expected = IgnoreSpec(patterns), reference(patterns)
    paths = [
        "a.py", "a.pyc", "x/a.pyc", "a.pyc/b", "__pycache__/m.py", "p/__pycache__/m.cpython-311.pyc", "__pycache__",
        ".git/config", "x.tar.gz", "d.tar.gz/y", "dist/x", "README.md", "notes/README.md", "test_a.py", ".env.x",
        "a.egg-info/PKG-INFO", ".build", ".buildx/a",
    ]  # fmt: skip
    assert [spec.match_file(p) for p in paths] == [expected.match_file(p) for p in paths]


@pytest.mark.parametrize("pattern", ["!keep.py", "a/b", "/top", "**/x", "a*b*c", "[ab].py", "*", "a\\*", "#x"])
def test_other_patterns_go_to_pathspec(pattern):
    assert IgnoreSpec([pattern, "*.pyc"]).plain is None


def test_a_project_without_ignore_files_is_walked_without_pathspec(tmp_path):
    (tmp_path / "main.py").write_text("x = 1\n")
    (tmp_path / "m.pyc").write_bytes(b"")
    probe = (
        "import sys; from pathlib import Path; from flash_lsp.core.files import collect_files;"
        "from flash_lsp.core.profiles import TETRA_024;"
        "print(collect_files(Path(sys.argv[1]), TETRA_024).files, 'pathspec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['main.py']", "False"]
    (tmp_path / ".gitignore").write_text("/main.py\n")  # an anchored pattern: pathspec compiles it
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['.gitignore']", "True"]
