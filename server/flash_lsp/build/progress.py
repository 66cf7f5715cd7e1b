"""Map `flash build` step lines to a percentage.

Steps are the build's own messages (tetra-rp 0.20–0.25 `build.py`). Under a pipe or `TERM=dumb`
Rich prints the step list only once, when its Progress block ends, so the lines that arrive while
the build runs are the configuration panel, log lines and pip's `Installing for:`; those are mapped
too. The percentage only grows: a late, lower step line does not move it back.
"""

from __future__ import annotations

import re

from .text import unbox

# (pattern on the unboxed line, percentage). First match wins.
STEPS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern), pct)
    for pattern, pct in (
        (r"Flash Build Configuration", 2),
        (r"^Load(?:ing|ed) ignore patterns", 5),
        (r"^Found \d+ files to package", 10),
        (r"^Created \.flash/\.build/", 12),
        (r"^Copied \d+ files", 20),
        (r"\| WARNING \| Syntax error in ", 25),
        (r"Auto-detected FastAPI app", 28),
        (r"Generated mothership handler", 32),
        (r"^Generated \d+ handlers and manifest|^Generated manifest with \d+ resources", 35),
        (r"^No resources detected|^No @remote functions found", 35),
        (r"^Excluded \d+ package\(s\)|No packages matched exclusions", 40),
        (r"^Installing for: |^Installing \d+ packages", 45),
        (r"^Installed \d+ packages|^No dependencies found", 85),
        (r"^Bundled local tetra_rp|^Using PyPI tetra_rp", 88),
        (r"^Created \S+ \([\d.]+ MB\)", 95),
        (r"^Removed \.build directory", 98),
        (r"Build Complete|built successfully!", 100),
    )
)

_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \| (\w+)\s*\| ")


def step_for(line: str) -> tuple[int, str] | None:
    """(percentage, message) for a cleaned output line, or None if it is not a step."""
    text = unbox(line)
    for pattern, pct in STEPS:
        if pattern.search(text):
            return pct, _LOG_PREFIX.sub("", text)
    return None


class ProgressTracker:
    """Feeds lines, returns a new (percentage, message) only when the percentage grows."""

    def __init__(self) -> None:
        self.percentage = 0

    def feed(self, line: str) -> tuple[int, str] | None:
        step = step_for(line)
        if step is None or step[0] <= self.percentage:
            return None
        self.percentage = step[0]
        return step
