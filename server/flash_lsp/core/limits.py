"""Hard bounds on the static analysis, so no file can make it hang or exhaust memory.

Each bound exceeded makes the value (or file) "unknown" and is reported once as an information
diagnostic (FL411) naming the bound; see docs/analysis-bounds.md for why each number is what it is.
"""

from __future__ import annotations

# a Python file larger than this is not parsed: `ast.parse` needs ~150 bytes of memory per byte of
# source for dense literals, so 0.5 MB costs under 100 MB
MAX_FILE_CHARS = 500_000
# folded integers: below the interpreter's 4,300-digit limit for int/str conversion
MAX_INT_BITS = 14_000
# folded strings, and the number of elements of a list, tuple, set or dict literal the simulation reads
MAX_STR_CHARS = 10_000
MAX_ITEMS = 10_000
# expression and statement evaluations when simulating one module's import
MAX_STEPS = 100_000
# nesting of expressions the simulation follows (attribute chains, `1+1+…`, nested calls)
MAX_DEPTH = 100


def too_big(value: object) -> str | None:
    """The bound a folded scalar, or a literal container's element, exceeds; None when it fits."""
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        items = [*value, *value.values()] if isinstance(value, dict) else value
        return next((bound for bound in map(too_big, items) if bound), None)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        return f"integers of at most {MAX_INT_BITS:,} bits"
    if isinstance(value, str) and len(value) > MAX_STR_CHARS:
        return f"strings of at most {MAX_STR_CHARS:,} characters"
    return None
