"""Keystrokes inside function bodies that the build cannot see (docs/architecture.md, "the
keystroke path").

The build reads only statements whose lines hold one of the names it looks for, and importing a
module never runs function bodies. An edit that keeps the line count, changes lines of one
statement inside a function body, and touches no line holding such a name therefore leaves
everything the analysis derives unchanged. Such an edit is checked by parsing that statement
alone; the summary keeps its identity (so every per-file memo downstream still applies) and
only its text, lines and AST are brought up to date."""

from __future__ import annotations

import ast

from .ast_queries import changed_lines, odd_line_break, statement_start
from .summary import _OTHER_TOKENS, FileSummary

_BLOCKS = ("body", "orelse", "finalbody")


def apply_body_edit(summary: FileSummary, text: str, resource_classes: tuple[str, ...]) -> bool:
    """Update `summary` in place for the new `text` and return True when the edit is one the
    build cannot see; return False (leaving `summary` untouched) when a full summary is needed."""
    if summary.tree is None or not summary.parsed or summary.fastapi_app is not None or not summary.parser_lines:
        return False
    marks = (*resource_classes, *_OTHER_TOKENS, " as ", *(name for name, _ in summary.uses_remote_alias))
    new = splice(summary.tree, summary.lines, text, marks)
    if new is None:
        return False
    summary.lines = new
    summary.text_hash = hash(text)
    return True


def splice(tree: ast.Module, old: list[str], text: str, marks: tuple[str, ...], allowed=None) -> list[str] | None:
    """The new lines when `text` differs from `old` only inside one statement of a function body
    whose lines hold none of `marks` (then that statement is replaced in `tree`, in place), else
    None. `allowed(ancestors)` may refuse the statement by the defs and classes around it."""
    if not text.isascii() or odd_line_break(text):
        return None
    changed = changed_lines(old, text)
    if changed is None:
        return None
    new, first, last = changed
    ancestors: list[ast.stmt] = []
    found = _enclosing(tree.body, first + 1, last + 1, False, ancestors)
    if found is None or (allowed is not None and not allowed(ancestors)):
        return None
    siblings, index = found
    node = siblings[index]
    if any(token in old[i] or token in new[i] for i in range(node.lineno - 1, node.end_lineno) for token in marks):
        return None
    replacement = _reparse(old, new, node)
    if replacement is None:
        return None
    siblings[index] = replacement
    return new


def _enclosing(statements: list[ast.stmt], first: int, last: int, inside_function: bool, ancestors: list):
    """(list, index) of the innermost statement inside a function body spanning lines
    `first`..`last`, found along the blocks an import runs (as `execution_key` walks them);
    the defs and classes on the way are appended to `ancestors`."""
    for i, node in enumerate(statements):
        if node.lineno > last:
            return None
        if (node.end_lineno or node.lineno) < first:
            continue
        if statement_start(node) > first or node.end_lineno < last:
            return None  # the edit spans several statements
        is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        if is_function or isinstance(node, ast.ClassDef):
            ancestors.append(node)
        for block in (*_BLOCKS, "handlers"):
            children = getattr(node, block, None)
            if not isinstance(children, list):
                continue
            if block == "handlers":
                for handler in children:
                    if handler.lineno <= first and last <= handler.end_lineno:
                        if handler.body[0].lineno > first:
                            return None  # the `except` line itself
                        return _enclosing(handler.body, first, last, inside_function, ancestors)
                continue
            if children and children[0].lineno <= first and last <= children[-1].end_lineno:
                return _enclosing(children, first, last, inside_function or is_function, ancestors)
        if inside_function and not isinstance(node, ast.ClassDef) and not is_function:
            return statements, i
        return None
    return None


def _reparse(old: list[str], lines: list[str], node: ast.stmt) -> ast.stmt | None:
    """`node`'s statement parsed again from the new `lines`, positioned in the file, or None
    when it shared a line with another statement or is no longer exactly one statement of the
    same kind and extent."""
    if node.col_offset == 0 or not old[node.lineno - 1][: node.col_offset].isspace():
        return None
    rest = old[node.end_lineno - 1].encode()[node.end_col_offset :].strip()
    if rest and not rest.startswith(b"#"):
        return None
    try:
        wrapper = ast.parse("if 1:\n" + "\n".join(lines[node.lineno - 1 : node.end_lineno]))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    block = wrapper.body[0].body if len(wrapper.body) == 1 else []
    if len(block) != 1 or type(block[0]) is not type(node):
        return None
    parsed = block[0]
    ast.increment_lineno(parsed, node.lineno - 2)
    if parsed.lineno != node.lineno or parsed.end_lineno != node.end_lineno:
        return None
    if parsed.col_offset != node.col_offset:
        return None  # indented differently: alone it parses, in the file the dedent matches no block
    return parsed
