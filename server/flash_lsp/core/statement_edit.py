"""Keystrokes inside one module-level statement: parse that statement again instead of the file
(docs/architecture.md, "The keystroke path").

Python reads a file left to right, so where a module-level statement begins (column 0, no open
bracket, string or line continuation) the parser is in the same state whatever the rest of the
file holds. When an edit keeps the line count and changes only lines of one module-level
statement (its decorators included) that shares no line with another, and those lines alone
parse as complete statements, the whole file parses to the old module with that statement
replaced by what its lines alone parse to. The new module shares every other statement node with
the old one, which is left as it was.
"""

from __future__ import annotations

import ast
from bisect import bisect_right

from .ast_queries import changed_lines, odd_line_break, statement_start


def splice_statement(tree: ast.Module, old: list[str], text: str) -> tuple[ast.Module, list[str]] | None:
    """(module, lines) of `text` when it edits one module-level statement of `tree` (whose lines,
    as the parser numbers them, are `old`) as described above, else None (parse the whole text)."""
    if not tree.body or odd_line_break(text) or "barry_as_FLUFL" in text:
        return None
    changed = changed_lines(old, text)
    if changed is None:
        return None
    new, first, last = changed
    index = _statement_at(tree.body, first + 1)
    if index is None:
        return None
    body = tree.body
    start, end = statement_start(body[index]), body[index].end_lineno
    if not (start <= first + 1 and last + 1 <= end):
        return None  # the edit reaches lines outside the statement
    if (index and body[index - 1].end_lineno >= start) or (
        index + 1 < len(body) and statement_start(body[index + 1]) <= end
    ):
        return None  # a line shared with another statement (`a = 1; b = 2`)
    source = "\n" * (start - 1) + "\n".join(new[start - 1 : end]) + "\n"
    try:
        parsed = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in parsed.body):
        return None  # only valid at the top of the file, which the parse alone cannot tell
    module = ast.Module(body=[*body[:index], *parsed.body, *body[index + 1 :]], type_ignores=tree.type_ignores)
    return module, new


def _statement_at(body: list[ast.stmt], line: int) -> int | None:
    """Index of the module-level statement whose lines (decorators included) hold `line`."""
    index = bisect_right([node.end_lineno for node in body], line - 1)
    if index < len(body) and statement_start(body[index]) <= line:
        return index
    return None
