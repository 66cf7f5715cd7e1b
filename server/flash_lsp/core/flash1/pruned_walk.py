"""`ast.walk` over only the module-level statements whose source mentions one of some names
(docs/flash1.md, "Incremental scan"): a search for calls of, or definitions named by, known
identifiers need not visit the rest of a long file. The nodes come in `ast.walk`'s order.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Collection, Iterator

from .imports import Source


def pruned_walk(source: Source, names: Collection[str]) -> Iterator[ast.AST]:
    """The nodes `ast.walk(source.tree)` yields, less the module-level statements whose lines
    hold none of `names` (an identifier is in the source as written; non-ASCII ones are
    normalised by the parser, so their statements are kept). Without lines known to be the
    parser's, nothing is left out."""
    tree = source.tree
    yield tree
    lines = source.lines
    todo: deque[ast.AST] = deque(s for s in tree.body if not source.plain or _mentions(s, lines, names))
    while todo:
        node = todo.popleft()
        todo.extend(ast.iter_child_nodes(node))
        yield node


def _mentions(stmt: ast.stmt, lines: list[str], names: Collection[str]) -> bool:
    decorators = getattr(stmt, "decorator_list", None)
    start = decorators[0].lineno if decorators else stmt.lineno
    end = stmt.end_lineno or len(lines)
    segment = "\n".join(lines[start - 1 : end])
    if not segment.isascii() or end > len(lines):
        return True
    return any(name in segment for name in names)
