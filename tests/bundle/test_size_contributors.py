"""Which directories a size tooltip names: over a tenth of the archive and 1 MiB, three at most, biggest first,
advice only for a virtual environment, and the ignore file of the release."""

from __future__ import annotations

from flash_lsp.bundle.contributors import contributors, ignore_file_for
from flash_lsp.bundle.model import MIB as MB
from flash_lsp.bundle.model import SizeEstimate


def estimate(parts: dict[str, int], deps: int = 0) -> SizeEstimate:
    return SizeEstimate(
        archive_bytes=sum(parts.values()) + deps,
        limit_bytes=500 << 20,
        confidence="authoritative",
        state="ready",
        project_parts=parts,
    )


def test_names_the_big_directories_with_advice_for_an_environment(tmp_path):
    (tmp_path / "myenv").mkdir()
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    parts = {"myenv/": 1000 * MB, "models/": 600 * MB, "data/": 500 * MB, "src/": 450 * MB, "big_file.bin": 1200 * MB}
    got = contributors(estimate(parts, deps=250 * MB), tmp_path, ".flashignore")  # an archive of 4000 MB
    # big_file.bin is a file, src/ is the fourth directory over 10 %: neither is named
    assert [c["path"] for c in got] == ["myenv/", "models/", "data/"]
    assert got[0] == {"path": "myenv/", "bytes": 1000 * MB, "share": 0.25, "advice": "shipped: add it to .flashignore"}
    assert "advice" not in got[1] and "advice" not in got[2]


def test_nothing_over_a_tenth_and_no_figure_name_nothing(tmp_path):
    assert contributors(estimate({"a/": 10, "b/": 10, "c/": 10, "d/": 10}, deps=1000), tmp_path, ".flashignore") == []
    assert contributors(None, tmp_path, ".flashignore") == []
    # a small archive: where its bytes go does not matter
    assert contributors(estimate({".flash/": 700, "handlers/": 476}, deps=3000), tmp_path, ".flashignore") == []
    failed = estimate({".venv/": 100})
    failed.archive_bytes = None  # pip would fail: no archive to divide
    assert contributors(failed, tmp_path, ".flashignore") == []


def test_known_environment_names_and_the_release_ignore_file(tmp_path):
    got = contributors(estimate({"venv/": 900 * MB, "main.py": 100}), tmp_path, ignore_file_for(True))
    assert got[0]["advice"] == "shipped: add it to .gitignore"
    assert ignore_file_for(False) == ".flashignore"
