"""Cleaning console lines and deriving progress from the build's step lines."""

from __future__ import annotations

from flash_lsp.runner.progress import ProgressTracker, step_for
from flash_lsp.runner.text import clean_line, strip_ansi, unbox

from .conftest import REAL_OUTPUT


def test_strip_ansi_colours_cursor_and_osc():
    raw = "\x1b[1;32m✓\x1b[0m done \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[?25l\x1b[2K"
    assert strip_ansi(raw) == "✓ done link "


def test_clean_line_keeps_last_carriage_return_frame_and_drops_spinner():
    raw = "\r\x1b[2K\x1b[32m⠋\x1b[0m Loading...\r\x1b[2K\x1b[32m⠙\x1b[0m Loading...\r\x1b[2K⠹ ✓ Loaded ignore patterns   \r\n"
    assert clean_line(raw) == "✓ Loaded ignore patterns"


def test_clean_line_plain_text_and_controls():
    assert clean_line("plain text") == "plain text"
    assert clean_line("bell\x07 and backspace\x08") == "bell and backspace"
    assert clean_line("\r\r") == ""


def test_clean_line_leaves_no_escape_or_control_character():
    raw = (
        "a\x9d0;title\x07b"  # 8-bit OSC (a window title)
        "\x90q#1;2\x9cc"  # 8-bit DCS string
        "\x9b2Jd\x85e"  # 8-bit CSI (clear screen), NEL
        "\x1b]52;c;ZXZpbA==\x07f"  # OSC 52: write the clipboard
        "\x1b"  # a lone ESC at the end
    )
    assert clean_line(raw) == "abcdef"
    assert clean_line("tab\tkept, é ✓ ⚠ kept") == "tab\tkept, é ✓ ⚠ kept"


def test_unbox_strips_panel_borders_and_glyphs():
    assert unbox("│ Archive size: 612.3 MB   │") == "Archive size: 612.3 MB"
    assert unbox("╭───── ✓ Build Complete ─────╮") == "Build Complete"
    assert unbox("⚠ No dependencies found") == "No dependencies found"


def test_step_lines_map_to_growing_percentages():
    lines = [
        "✓ Loaded ignore patterns",
        "✓ Found 4 files to package",
        "✓ Created .flash/.build/",
        "✓ Copied 4 files",
        "✓ Generated 3 handlers and manifest",
        "Installing 2 packages...",
        "✓ Installed 2 packages",
        "✓ Created archive.tar.gz (0.0 MB)",
        "✓ Removed .build directory",
    ]
    pcts = [step_for(line)[0] for line in lines]
    assert pcts == sorted(pcts) and len(set(pcts)) == len(pcts)
    assert step_for("✓ Found 12 files to package") == (10, "Found 12 files to package")
    assert step_for("Installing for: 3 manylinux variants, Python 3.11") == (
        45,
        "Installing dependencies with pip (3 manylinux variants, Python 3.11)",
    )
    assert step_for("random output") is None


def test_tracker_only_moves_forward():
    tracker = ProgressTracker()
    assert tracker.feed("Installing for: 3 manylinux variants, Python 3.11")[0] == 45
    assert tracker.feed("✓ Loaded ignore patterns") is None  # Rich prints the step list late
    assert tracker.feed("✓ Installed 1 packages")[0] == 85
    assert tracker.feed("✓ Installed 1 packages") is None


def test_progress_from_real_success_output():
    tracker = ProgressTracker()
    steps = [
        s
        for s in (tracker.feed(clean_line(line)) for line in (REAL_OUTPUT / "success.txt").read_text().splitlines())
        if s
    ]
    assert steps[0] == (2, "Starting build")
    assert [m for _, m in steps][-2:] == ["Created archive.tar.gz (0.0 MB)", "Build complete"]
    assert steps[-1][0] == 100
