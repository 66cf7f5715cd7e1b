"""Map `flash build` step lines to a percentage.

Steps are the build's own messages (tetra-rp 0.20–0.25 `build.py`). Under a pipe or `TERM=dumb`
Rich prints the step list only once, when its Progress block ends, so the lines that arrive while
the build runs are the configuration panel, log lines and pip's `Installing for:`; those are mapped
too. The percentage only grows: a late, lower step line does not move it back.

runpod 2.0's `rp flash deploy --build-only` has its own table (`RP_STEPS`): under a pipe its phase
list (resolving dependencies, packaging artifact) is printed only when the build ends, so the lines
seen while it runs are discovery's import failures and the packager's "excluded source path" log
lines (docs/runpod2.md, "Building from the editor").
"""

from __future__ import annotations

import re

from .text import unbox

# (pattern on the unboxed line, percentage, message; None = the line itself). First match wins.
STEPS: tuple[tuple[re.Pattern[str], int, str | None], ...] = tuple(
    (re.compile(pattern), pct, message)
    for pattern, pct, message in (
        (r"Flash Build Configuration", 2, "Starting build"),
        (r"^Load(?:ing|ed) ignore patterns", 5, None),
        (r"^Found \d+ files to package", 10, None),
        (r"^Created \.flash/\.build/", 12, None),
        (r"^Copied \d+ files", 20, None),
        (r"\| WARNING \| Syntax error in ", 25, "Scanning for @remote functions"),
        (r"Auto-detected FastAPI app", 28, "Building manifest (FastAPI app in main.py)"),
        (r"Generated mothership handler", 32, "Generating handlers"),
        (r"^Generated \d+ handlers and manifest|^Generated manifest with \d+ resources", 35, None),
        (r"^No resources detected|^No @remote functions found", 35, None),
        (r"^Excluded \d+ package\(s\)|No packages matched exclusions", 40, "Filtering dependencies"),
        (r"^Installing for: (.*)", 45, "Installing dependencies with pip ({0})"),
        (r"^Installing \d+ packages", 45, None),
        (r"^Installed \d+ packages|^No dependencies found", 85, None),
        (r"^Bundled local tetra_rp|^Using PyPI tetra_rp", 88, None),
        (r"^Created \S+ \([\d.]+ MB\)", 95, None),
        (r"^Removed \.build directory", 98, None),
        (r"Build Complete|built successfully!", 100, "Build complete"),
    )
)

RP_STEPS: tuple[tuple[re.Pattern[str], int, str | None], ...] = tuple(
    (re.compile(pattern), pct, message)
    for pattern, pct, message in (
        (r"^importing \S+ failed: ", 5, "Discovering apps"),
        (r"^excluded source path ", 70, "Packaging artifact"),
        (r"^resolving dependencies\b", 80, "Resolved dependencies"),
        (r"^packaging artifact\b", 95, "Packaged artifact"),
        (r"^built \S+ (\S+) \(([\d.]+) MB\)$", 100, "Build complete: {0} ({1} MB)"),
    )
)

_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \| (\w+)\s*\| ")


def step_for(line: str, steps=STEPS) -> tuple[int, str] | None:
    """(percentage, message) for a cleaned output line, or None if it is not a step."""
    text = unbox(line)
    for pattern, pct, message in steps:
        match = pattern.search(text)
        if match:
            return pct, message.format(*match.groups()) if message else _LOG_PREFIX.sub("", text)
    return None


class ProgressTracker:
    """Feeds lines, returns a new (percentage, message) only when the percentage grows."""

    def __init__(self, steps=STEPS) -> None:
        self.percentage = 0
        self.steps = steps

    def feed(self, line: str) -> tuple[int, str] | None:
        step = step_for(line, self.steps)
        if step is None or step[0] <= self.percentage:
            return None
        self.percentage = step[0]
        return step
