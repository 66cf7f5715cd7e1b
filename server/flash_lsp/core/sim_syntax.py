"""Static facts about the statements the import simulation walks: the names a block binds, the
`TYPE_CHECKING` and `__main__` guards, `match` patterns, and which `except` clause catches a
predicted failure."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from .sim_values import Failure, same

_CATCH_ALL = {"Exception", "BaseException"}


class _Layered(dict):
    """A class body's (or an undecided branch's) namespace: its own names first, then the outer one."""

    def __init__(self, parent: dict):
        super().__init__()
        self.parent = parent

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self.parent

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key) if super().__contains__(key) else self.parent[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


def _load(name: ast.Name) -> ast.Name:
    return ast.copy_location(ast.Name(id=name.id, ctx=ast.Load()), name)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _main_guard(test: ast.expr) -> bool | None:
    """True for `__name__ == "__main__"`, False for `!=`, None for anything else."""
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
        and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
    ):
        return isinstance(test.ops[0], ast.Eq)
    return None


def _matches(pattern: ast.pattern, subject: Any, captures: dict, evaluate: Callable[[ast.expr], Any]) -> bool | None:
    """Whether `pattern` matches `subject` (None: cannot be known), collecting its captures."""
    if isinstance(pattern, ast.MatchAs):
        if pattern.pattern is not None:
            matched = _matches(pattern.pattern, subject, captures, evaluate)
            if matched is not True:
                return matched
        if pattern.name:
            captures[pattern.name] = subject
        return True
    if isinstance(pattern, ast.MatchOr):
        for alternative in pattern.patterns:  # tried in order: an undecided one leaves the outcome undecided
            matched = _matches(alternative, subject, captures, evaluate)
            if matched is not False:
                return matched
        return False
    if isinstance(pattern, (ast.MatchValue, ast.MatchSingleton)):
        value = evaluate(pattern.value) if isinstance(pattern, ast.MatchValue) else pattern.value
        if not (same(subject, subject) or subject is None) or not (same(value, value) or value is None):
            return None
        return subject == value if isinstance(pattern, ast.MatchValue) else subject is value
    return None


_EXCEPTION_OF_KIND = {
    "import": {"ImportError", "ModuleNotFoundError"},
    "relative_import": {"ImportError"},
    "name": {"NameError"},
    "call": {"TypeError"},
    "exit": {"SystemExit", "KeyboardInterrupt"},
    "remote": {"ValueError"},
    "validation": {"ValueError", "ValidationError", "TypeError", "AttributeError"},
    "key": {"KeyError", "LookupError"},
    "value": {"ValueError"},
}


def handler_names(handler: ast.ExceptHandler) -> set[str]:
    """The exception class names an `except` clause lists (by their last dotted part)."""
    return {
        n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
        for n in (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
    }


def _catches(handler: ast.ExceptHandler, failure: Failure) -> bool:
    if handler.type is None:
        return True
    names = handler_names(handler)
    catch_all = {"BaseException"} if failure.kind == "exit" else _CATCH_ALL
    return bool(names & (catch_all | _EXCEPTION_OF_KIND.get(failure.kind, set())))


def _bound_names(body: list[ast.stmt]) -> set[str]:
    names = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                names.add(node.name)
    return names
