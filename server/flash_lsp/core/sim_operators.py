"""Operators the import simulation folds on known values, and the bounds it checks first
(docs/analysis-bounds.md)."""

from __future__ import annotations

import ast
import operator

from .limits import MAX_INT_BITS, MAX_ITEMS, MAX_STR_CHARS

UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Div: operator.truediv,
    ast.BitOr: operator.or_,
}
COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
SCALARS = (int, float, str, bool)


def container_op(op, values: tuple) -> bool:
    """List + list, tuple + tuple (within the item bound) and dict | dict."""
    if len(values) != 2 or type(values[0]) is not type(values[1]):
        return False
    a, b = values
    if op is operator.add and isinstance(a, (list, tuple)):
        return len(a) + len(b) <= MAX_ITEMS
    return op is operator.or_ and isinstance(a, dict) and len(a) + len(b) <= MAX_ITEMS


def fold_bound(op, values: tuple) -> str | None:
    """The bound computing `op(*values)` would exceed, checked before computing it."""
    if op is operator.mul and len(values) == 2:
        a, b = values
        if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS:
            return f"integers of at most {MAX_INT_BITS:,} bits"
        text, times = (a, b) if isinstance(a, str) else (b, a)
        if isinstance(text, str) and isinstance(times, int) and len(text) * max(times, 0) > MAX_STR_CHARS:
            return f"strings of at most {MAX_STR_CHARS:,} characters"
    if op is operator.add and len(values) == 2 and all(isinstance(v, str) for v in values):
        if len(values[0]) + len(values[1]) > MAX_STR_CHARS:
            return f"strings of at most {MAX_STR_CHARS:,} characters"
    return None
