"""Which filesystem holds the project, and the build directory's listing order on it."""

from __future__ import annotations

from pathlib import Path

from flash_lsp.core.fs_order import as_build_copy_lists, filesystem_of

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
    assert "'shared' gathers functions from 2 files" in finding.message


def test_an_endpoint_in_one_file_is_not_flagged(analyze):
    model = analyze({"workers/a.py": _worker("fa", 2) + "@remote(cfg)\ndef fb(): pass\n"})
    assert "FL490" not in codes(model)
