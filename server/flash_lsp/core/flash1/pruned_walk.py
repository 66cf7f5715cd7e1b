"""`ast.walk` over only the module-level statements whose source mentions one of some names
(docs/flash1.md, "Incremental scan"): a search for calls of, or definitions named by, known
identifiers need not visit the rest of a long file. The nodes come in `ast.walk`'s order.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Collection, Iterator
from itertools import accumulate

from .imports import Source


def pruned_walk(source: Source, names: Collection[str]) -> Iterator[ast.AST]:
    """The nodes `ast.walk(source.tree)` yields, less the module-level statements whose lines
    hold none of `names` (an identifier is in the source as written; non-ASCII ones are
    normalised by the parser, so their statements are kept). Without lines known to be the
    parser's, nothing is left out."""
    tree = source.tree
    yield tree
    if source.plain:
        lines = source.lines
        text = "\n".join(lines)
        starts = [0, *accumulate(len(line) + 1 for line in lines)]
        todo: deque[ast.AST] = deque(s for s in tree.body if _mentions(s, text, starts, names))
    else:
        todo = deque(tree.body)
    while todo:
        node = todo.popleft()
        todo.extend(ast.iter_child_nodes(node))
        yield node


def _mentions(stmt: ast.stmt, text: str, starts: list[int], names: Collection[str]) -> bool:
    decorators = getattr(stmt, "decorator_list", None)
    first = (decorators[0].lineno if decorators else stmt.lineno) - 1
    last = stmt.end_lineno or len(starts) - 1
    if last >= len(starts):
        return True
    segment = text[starts[first] : starts[last]]
    return not segment.isascii() or any(name in segment for name in names)
