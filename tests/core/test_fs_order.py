"""Which filesystem holds the project, and the build directory's listing order on it."""

from __future__ import annotations

from pathlib import Path

from flash_lsp.core.fs_order import as_build_copy_lists, filesystem_of
from flash_lsp.core.rules.file_order import reorderable

from .conftest import codes

MOUNTS = "/dev/vda / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\ntmpfs /srv/my\\040proj tmpfs rw 0 0\n"


def test_the_longest_mount_point_above_the_path_decides(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(MOUNTS)
    assert filesystem_of(Path("/dev/shm/p"), str(mounts)) == "tmpfs"
    assert filesystem_of(Path("/dev/shmx/p"), str(mounts)) == "ext4"
    assert filesystem_of(Path("/srv/my proj/app"), str(mounts)) == "tmpfs"  # octal escapes in /proc/mounts
    assert filesystem_of(Path("/srv"), str(tmp_path / "missing")) is None


def test_tmpfs_lists_the_copy_in_reverse_walk_order_at_every_level():
    walk = [("a.py", None), ("sub", [("sub/x.py", None), ("sub/y.py", None)]), ("z.py", None)]
    assert as_build_copy_lists(walk, "ext4") == walk
    assert as_build_copy_lists(walk, "tmpfs") == [
        ("z.py", None),
        ("sub", [("sub/y.py", None), ("sub/x.py", None)]),
        ("a.py", None),
    ]


def _worker(name: str, workers: int) -> str:
    return (
        "from tetra_rp import LiveServerless, remote\n"
        f"cfg = LiveServerless(name='shared', workersMax={workers})\n"
        f"@remote(cfg)\ndef {name}(): pass\n"
    )


def test_an_endpoint_spread_over_files_is_flagged_once_where_its_fields_come_from(analyze):
    model = analyze({"workers/a.py": _worker("fa", 2), "workers/b.py": _worker("fb", 5)})
    [finding] = [d for d in model.diagnostics if d.code == "FL490"]
    first = model.functions[0]
    assert finding.path == first.relpath and f"(predicted: {first.relpath})" in finding.message
    assert (
        "'shared' has functions in workers/" in finding.message
        and "how the filesystem lists workers/:" in finding.message
    )


def test_files_in_sibling_directories_are_flagged_with_the_directory_that_orders_them(analyze):
    model = analyze({"workers/a/x.py": _worker("fa", 2), "workers/b/y.py": _worker("fb", 2)})
    [finding] = [d for d in model.diagnostics if d.code == "FL490"]
    assert "how the filesystem lists workers/:" in finding.message, finding.message


def test_files_in_top_level_directories_are_ordered_by_the_project_directory(analyze):
    model = analyze({"gpu/x.py": _worker("fa", 2), "cpu/y.py": _worker("fb", 2)})
    assert "lists the project directory" in next(d.message for d in model.diagnostics if d.code == "FL490")


def test_files_whose_directories_nest_keep_their_order_and_are_not_flagged(analyze):
    """The scan takes a directory's files before its subdirectories: the outer file always comes
    first, so even configs that differ give the same build (tests/test_fidelity_tmpfs.py shows it)."""
    model = analyze({"workers/a.py": _worker("fa", 2), "workers/inner/deeper/b.py": _worker("fb", 5)})
    assert [f.name for f in model.functions if f.resource == "shared"] == ["fa", "fb"]
    assert "FL490" not in codes(model)


def test_a_top_level_file_comes_before_any_subdirectory(analyze):
    model = analyze({"endpoint.py": _worker("fa", 2), "workers/b.py": _worker("fb", 5)})
    assert "FL490" not in codes(model)


def test_reorderable_pairs():
    assert reorderable(["a.py", "b.py"]) == ("a.py", "b.py")
    assert reorderable(["a.py", "w/b.py", "w/x/c.py"]) is None
    assert reorderable(["w/b.py", "w/x/c.py", "w/y/d.py"]) == ("w/x/c.py", "w/y/d.py")
    assert reorderable(["wa/b.py", "w/c.py"]) == ("wa/b.py", "w/c.py")  # "w" does not contain "wa"
    assert reorderable(["one.py"]) is None


def test_an_endpoint_in_one_file_is_not_flagged(analyze):
    model = analyze({"workers/a.py": _worker("fa", 2) + "@remote(cfg)\ndef fb(): pass\n"})
    assert "FL490" not in codes(model)
