"""Questions the analysis asks of a Python syntax tree: which statements lie on the lines that
hold a token, which name a call's callee has, where a def's name is, what first binds a
module-level name. Pure functions of the tree (and its source lines)."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections import deque
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache

from .model import Span


@dataclass(frozen=True)
class Binding:
    """How a module-level name is first bound (the rules use it to explain unresolved configs)."""

    kind: str  # "import" | "assign" | "annassign" | "unpack" | "def" | "class" | "other"
    span: Span
    detail: str = ""  # imported module for "import", callee name for "assign"
    imported_name: str = ""


def module_bindings(body: list[ast.stmt], span, wanted: set[str]) -> dict[str, Binding]:
    """First module-level binding (descending into if/try/with/for) of every imported name and
    of the `wanted` names (those decorators use as configs); other names are not needed."""
    found: dict[str, Binding] = {}

    def put(name: str, binding: Binding) -> None:
        if name not in found and (binding.kind == "import" or name in wanted):
            found[name] = binding

    def visit(stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            if isinstance(stmt, ast.Import):
                for a in stmt.names:
                    put(a.asname or a.name.split(".")[0], Binding("import", span(stmt), a.name))
            elif isinstance(stmt, ast.ImportFrom):
                module = "." * stmt.level + (stmt.module or "")
                for a in stmt.names:
                    if a.name != "*":
                        put(a.asname or a.name, Binding("import", span(stmt), module, a.name))
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name in wanted:
                    put(stmt.name, Binding("def", span(stmt)))
            elif isinstance(stmt, ast.ClassDef):
                if stmt.name in wanted:
                    put(stmt.name, Binding("class", span(stmt)))
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        if target.id in wanted:
                            put(target.id, Binding("assign", span(target), call_type(stmt.value) or ""))
                    else:
                        for n in ast.walk(target):
                            if isinstance(n, ast.Name):
                                put(n.id, Binding("unpack", span(n), call_type(stmt.value) or ""))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                put(
                    stmt.target.id,
                    Binding("annassign", span(stmt.target), call_type(stmt.value) if stmt.value else ""),
                )
            elif isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(stmt, block, []) or [])
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body)
            elif isinstance(stmt, ast.Match):  # module-level bindings inside `case` blocks
                for case in stmt.cases:
                    visit(case.body)

    visit(body)
    return found


_STATEMENT_LISTS = ("body", "handlers", "orelse", "finalbody", "cases")


# What `str.splitlines` breaks a line at and the parser does not (both break at \n, \r\n and \r).
_ODD_LINE_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_PARSER_BREAK = re.compile("\r\n|\r|\n")


def odd_line_break(text: str) -> bool:
    """Whether `str.splitlines` breaks `text` where the parser does not (a form feed, …)."""
    return any(char in text for char in _ODD_LINE_BREAKS)  # (45x faster than a regex search)


def parser_lines(text: str) -> list[str]:
    """The lines of `text` as the parser numbers them (`str.splitlines` also breaks at a form feed, …)."""
    if not odd_line_break(text):
        return text.splitlines()
    lines = _PARSER_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def changed_lines(old: list[str], text: str) -> tuple[list[str], int, int] | None:
    """(new lines, first, last): the lines of `text` and the 0-based first and last of them that
    differ from `old`, when the line count is the same and a line changed; else None."""
    new = text.splitlines()
    if len(new) != len(old):
        return None
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b), None)
    if first is None:
        return None
    last = next(i for i in range(len(new) - 1, first - 1, -1) if old[i] != new[i])
    return new, first, last


def statement_start(node: ast.stmt) -> int:
    """First line of a statement, its decorators included."""
    decorators = getattr(node, "decorator_list", None)
    return min(node.lineno, *(d.lineno for d in decorators)) if decorators else node.lineno


def token_lines(text: str, tokens: tuple[str, ...], pattern: re.Pattern | None = None) -> list[int]:
    """Sorted 1-based numbers of the lines that contain one of `tokens` (or a match of `pattern`)."""
    lines: list[int] = []
    line, position = 1, 0
    for match in (pattern or _alternatives(tokens)).finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


@lru_cache(maxsize=64)
def _alternatives(tokens: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in tokens))


def statements(tree: ast.Module, relevant: list[int] | None = None):
    """(node, scope) for every statement (and except/case clause) in `ast.walk`'s breadth-first
    order, without visiting expressions, which never contain statements. `scope` is "" at
    module level, else the kind of the nearest enclosing def ("function") or class ("class").

    With `relevant` (sorted line numbers holding a token the build looks for), statements whose
    lines hold none are skipped with their bodies: whatever the build reads is written on the
    lines of its own statement, so the result is the same."""
    todo: deque[tuple[ast.AST, str]] = deque([(tree, "")])
    while todo:
        node, scope = todo.popleft()
        yield node, scope
        inner = (
            "function"
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            else "class"
            if isinstance(node, ast.ClassDef)
            else scope
        )
        for name in _STATEMENT_LISTS:
            children = getattr(node, name, None)
            if children and isinstance(children, list):
                for child in children:
                    if relevant is None or _touches(child, relevant):
                        todo.append((child, inner))


def _touches(node: ast.AST, relevant: list[int]) -> bool:
    start = getattr(node, "lineno", None)
    if start is None:  # match_case has no position
        return True
    first_decorator = min((d.lineno for d in getattr(node, "decorator_list", ())), default=start)
    start = min(start, first_decorator)
    i = bisect_left(relevant, start)
    return i < len(relevant) and relevant[i] <= (node.end_lineno or start)


def walk_mentioning(tree: ast.Module, lines: list[str] | None, names: Collection[str]) -> Iterator[ast.AST]:
    """The nodes `ast.walk(tree)` yields, in its order, less the module-level statements whose
    lines hold none of `names`: a search for calls of, or definitions named by, known identifiers
    need not visit the rest of a long file. An identifier is in the source as written (non-ASCII
    ones are normalised by the parser, so statements with non-ASCII lines are kept). `lines` must
    be the parser's lines of the tree; without them nothing is left out."""
    yield tree
    todo: deque[ast.AST] = deque(tree.body if lines is None else _mentioning(tree.body, "\n".join(lines), names))
    while todo:
        node = todo.popleft()
        todo.extend(ast.iter_child_nodes(node))
        yield node


def _mentioning(body: list[ast.stmt], text: str, names: Collection[str]) -> list[ast.stmt]:
    """The statements of `body` (in order) with a line of `text` that holds one of `names` or a
    non-ASCII character."""
    words = [re.escape(name) for name in names]
    if not text.isascii():
        words.append("[^\\x00-\\x7f]")
    if not words:
        return []
    ends = [node.end_lineno or node.lineno for node in body]
    kept: list[int] = []
    for line in token_lines(text, (), re.compile("|".join(words))):
        i = bisect_left(ends, line)  # the first statement ending on or after the line
        while i < len(body) and _first_line(body[i]) <= line:  # several when they share it
            if not kept or kept[-1] < i:
                kept.append(i)
            i += 1
    return [body[i] for i in kept]


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return decorators[0].lineno if decorators else node.lineno


def callee_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def call_type(expr: ast.expr) -> str | None:
    return callee_name(expr.func) if isinstance(expr, ast.Call) else None


def name_span(node: ast.AST, lines: list[str]) -> Span:
    """Span of the identifier after `def`/`class` (falls back to the node's first line)."""
    line = node.lineno - 1
    text = lines[line] if line < len(lines) else ""
    keyword = "class " if isinstance(node, ast.ClassDef) else "def "
    start = text.find(keyword, _codepoints(text, node.col_offset))
    if start >= 0:
        col = start + len(keyword)
        while col < len(text) and text[col] == " ":
            col += 1
        if text.startswith(node.name, col):
            return Span(line, col, line, col + len(node.name))
    return Span(line, 0, line, len(text))


def _codepoints(text: str, byte_col: int) -> int:
    return byte_col if text.isascii() else len(text.encode()[:byte_col].decode(errors="replace"))
