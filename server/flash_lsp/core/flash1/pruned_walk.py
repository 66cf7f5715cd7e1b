"""`ast.walk` over only the module-level statements whose source mentions one of some names
(docs/flash1.md, "Incremental scan"), for a parsed 1.x `Source`.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator

from ..ast_queries import walk_mentioning
from .imports import Source


def pruned_walk(source: Source, names: Collection[str]) -> Iterator[ast.AST]:
    """`walk_mentioning` of the source's tree; lines not known to be the parser's leave nothing out."""
    return walk_mentioning(source.tree, source.lines if source.plain else None, names)
