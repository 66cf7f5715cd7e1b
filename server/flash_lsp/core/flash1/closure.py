"""The local-module closure check of runpod-flash 1.19+ (docs/flash1.md, "Local-module closure check").

Before copying, the build follows every import of every shipped `.py` file (anywhere in the file,
`importlib.import_module("x")` / `__import__("x")` with a literal included) to the project files that
back it, transitively, with each package's `__init__.py`. A file found that way but not shipped fails
the build. An import that cannot be followed (a relative import with no file, a file that does not
parse or is not UTF-8, a file outside the project) fails it when the shipped file defines an endpoint
(a decorator named `remote` or `Endpoint`), and is only warned about otherwise. Nothing is imported:
the files are parsed, and the file system (or the editor's unsaved text) says which files exist.
"""

from __future__ import annotations

import ast
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from ..model import Span

ENDPOINT_DECORATORS = frozenset({"remote", "Endpoint"})
_TOO_DEEP = "maximum recursion depth exceeded while calling a Python object"


class Ref(NamedTuple):
    """One import the build follows: `dotted` at `level` (0: absolute); soft ones are `from x import
    name` candidates that may be plain names. `dynamic` marks an import_module call without a literal.
    A named tuple: a cold analysis makes one per import of every file."""

    dotted: str
    level: int
    soft: bool
    span: Span
    line: int
    dynamic: bool = False


@dataclass(frozen=True)
class Parsed:
    """What the build's AST passes over one file see; `deps` are the `dependencies=` strings the
    requirement collection takes (requirement, span of the string, decorated name or None), `dropped`
    the `dependencies=` values (not a list literal) and elements (not a string) it silently ignores."""

    refs: tuple[Ref, ...] = ()
    syntax_error: str | None = None
    endpoint: bool = False
    deps: tuple[tuple[str, Span, str | None], ...] = ()
    dropped: tuple[tuple[Span, bool], ...] = ()  # dependencies the build ignores: (span, whole keyword)


@dataclass
class Finding:
    """Where a closure message belongs: `relpath` and the span of the import that leads to it."""

    code: str
    relpath: str
    span: Span
    message: str
    excluded: list[str] = field(default_factory=list)


@dataclass
class ClosureResult:
    error: str | None = None  # the build's error text (it stops the build)
    warnings: list[str] = field(default_factory=list)  # "! …" lines, in order
    findings: list[Finding] = field(default_factory=list)


def _span(node: ast.AST) -> Span:
    end_line = getattr(node, "end_lineno", node.lineno) or node.lineno
    return Span(node.lineno - 1, node.col_offset, end_line - 1, getattr(node, "end_col_offset", node.col_offset) or 0)


_SAME: dict[str, Parsed] = {}  # texts known to read like an earlier one (edits inside bodies)


def same_as(text: str, parsed: Parsed) -> None:
    """Record that `text` reads as `parsed` (an edit no import or dependency is on)."""
    if len(_SAME) >= 64:
        del _SAME[next(iter(_SAME))]
    _SAME[text] = parsed


def parse(text: str) -> Parsed:
    """One parse of a file for the closure check and the requirement collection: its imports and
    `dependencies=` strings in the order the build meets them (`ast.walk` order)."""
    known = _SAME.get(text)
    return known if known is not None else _parse(text)


_TREES: dict[str, ast.Module] = {}  # text → its AST, parsed already by the analysis in progress


@contextmanager
def known_trees(trees: dict[str, ast.Module]):
    """While inside, `parse` takes the AST of a text from `trees` instead of parsing it again."""
    _TREES.update(trees)
    try:
        yield
    finally:
        _TREES.clear()


@lru_cache(maxsize=8192)
def _parse(text: str) -> Parsed:
    # The import skips a byte-order mark, the build's own `ast.parse` of the text does not.
    tree = None if text.startswith("\ufeff") else _TREES.get(text)
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError) as exc:  # ValueError: NUL bytes
            return Parsed(syntax_error=str(exc))
    refs: list[Ref] = []
    deps: list[tuple[str, Span, str | None]] = []
    dropped: list[tuple[Span, bool]] = []
    endpoint = False
    dynamic = "import_module" in text or "__import__" in text
    for node in ast.walk(tree) if dynamic else _statements(tree):
        if isinstance(node, ast.Import):
            refs += [Ref(a.name, 0, False, _span(node), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            refs += _from_refs(node)
        elif isinstance(node, ast.Call):
            refs += _dynamic_refs(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [_decorator_name(d) for d in node.decorator_list]
            endpoint = endpoint or any(n in ENDPOINT_DECORATORS for n in names)
            for dec, n in zip(node.decorator_list, names, strict=False):
                if n in ENDPOINT_DECORATORS and isinstance(dec, ast.Call):
                    _dependencies(dec, node.name, deps, dropped)
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _decorator_name(node.value) == "Endpoint"
        ):
            _dependencies(node.value, None, deps, dropped)
    return Parsed(tuple(refs), None, endpoint, tuple(deps), tuple(dropped))


_BLOCKS = ("body", "handlers", "orelse", "finalbody", "cases")
_BLOCKS_OF: dict[type, tuple[str, ...]] = {}  # node class → its statement-list fields, in _BLOCKS order


def blocks_of(kind: type) -> tuple[str, ...]:
    """The fields of an AST node class that hold statement lists (and handlers, match cases)."""
    blocks = _BLOCKS_OF.get(kind)
    if blocks is None:
        blocks = _BLOCKS_OF[kind] = tuple(b for b in _BLOCKS if b in kind._fields)
    return blocks


def _statements(tree: ast.Module) -> list[ast.AST]:
    """The statements of `ast.walk(tree)` in its order, without visiting expressions: imports,
    definitions and assignments are statements, and leaving out subtrees that hold none keeps the
    breadth-first order of the rest (except handlers and match cases are kept as levels)."""
    out: list[ast.AST] = [tree]
    for node in out:  # grows while it is read: a breadth-first queue
        for name in blocks_of(type(node)):
            block = getattr(node, name, None)
            if block and isinstance(block, list):
                out += block
    return out


def _dependencies(call: ast.Call, function: str | None, deps: list, dropped: list) -> None:
    """The string elements of a `dependencies=[...]` list literal into `deps`; what else is there
    into `dropped`."""
    for keyword in call.keywords:
        if keyword.arg != "dependencies":
            continue
        if not isinstance(keyword.value, ast.List):
            dropped.append((_span(keyword.value), True))
            continue
        for elt in keyword.value.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                deps.append((elt.value, _span(elt), function))
            else:
                dropped.append((_span(elt), False))


def _from_refs(node: ast.ImportFrom) -> list[Ref]:
    span, line = _span(node), node.lineno
    names = [a.name for a in node.names if a.name != "*"]
    if node.level > 0 and node.module is None:
        return (
            [Ref(n, node.level, False, span, line) for n in names]
            if names
            else [Ref("", node.level, False, span, line)]
        )
    module = node.module or ""
    return [Ref(module, node.level, False, span, line)] + [
        Ref(f"{module}.{n}" if module else n, node.level, True, span, line) for n in names
    ]


def _dynamic_refs(node: ast.Call) -> list[Ref]:
    func = node.func
    if not (
        (isinstance(func, ast.Attribute) and func.attr == "import_module")
        or (isinstance(func, ast.Name) and func.id == "__import__")
    ):
        return []
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return [Ref(node.args[0].value, 0, False, _span(node), node.lineno)]
    return [Ref("", 0, False, _span(node), getattr(node, "lineno", "?"), dynamic=True)]


def _decorator_name(node: ast.AST) -> str | None:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else None


class _Unresolvable(Exception):
    """`LocalModuleResolutionError` raised while following imports."""


class _Undecodable(_Unresolvable):
    """A file reached is not UTF-8 (the build's raw `UnicodeDecodeError`)."""


class _Walker:
    """Follows the imports of one shipped file, as `resolve_local_modules` does."""

    def __init__(self, checker: Checker, origin: str):
        self.c = checker
        self.files: dict[str, Span] = {}  # absolute path of each file reached -> the top-level import
        self.visited: set[str] = set()
        self.warnings: list[str] = []
        self.dynamic: list[tuple[str, Span]] = []  # (file, call) of each non-literal dynamic import
        self.top: Span | None = None
        self.origin = origin

    def walk(self, text: str, current_dir: str, origin: str, top_level: bool) -> None:
        parsed = parse(text)
        if parsed.syntax_error is not None:
            raise _Unresolvable(f"Could not parse {origin} while resolving local imports: {parsed.syntax_error}")
        for ref in parsed.refs:
            if top_level:
                self.top = ref.span
            if ref.dynamic:
                self.warnings.append(
                    f"{origin}:{ref.line}: unresolvable dynamic import (non-literal argument); "
                    "ensure the module is on the worker image or bundle it explicitly"
                )
                self.dynamic.append((origin, ref.span))
                continue
            self.consider(ref, current_dir, origin)

    def consider(self, ref: Ref, current_dir: str, origin: str) -> None:
        if ref.level == 0:
            if not ref.dotted or ref.dotted.split(".", 1)[0] in sys.stdlib_module_names:
                return
            path = self.c.local_path(ref.dotted, (current_dir, self.c.root))
            if path is None:
                return
        else:
            base = current_dir
            for _ in range(ref.level - 1):
                base = os.path.dirname(base)
            if ref.dotted:
                path = self.c.local_path(ref.dotted, (base,))
            else:
                candidate = os.path.join(base, "__init__.py")
                path = candidate if self.c.is_file(candidate) else None
            if path is None:
                if ref.soft:
                    return
                raise _Unresolvable(
                    f"{origin}: relative import (level={ref.level}, module={ref.dotted!r}) "
                    f"could not be resolved to a local file under {base}"
                )
        self.include(path)

    def include(self, path: str) -> None:
        path = os.path.realpath(path)
        if path in self.visited:
            return
        root = self.c.root
        if not path.startswith(root + os.sep):
            raise _Unresolvable(
                f"Imported local module {path} lives outside the project root {root} and cannot be "
                "included; move it under the project or use `flash deploy`."
            )
        self.visited.add(path)
        self.files.setdefault(path, self.top)
        parent = os.path.dirname(path)
        while parent != root and parent.startswith(root + os.sep):  # ancestor packages' __init__.py
            init = os.path.join(parent, "__init__.py")
            if self.c.is_file(init) and os.path.realpath(init) not in self.visited:
                self.include(init)
            parent = os.path.dirname(parent)
        self.walk(self.c.read(path), os.path.dirname(path), path, False)


class Checker:
    """One run of the check over `files` (shipped, walk order). `text(relpath)` gives a file's
    current text (None: missing or not UTF-8); `known` are files that exist although not on disk."""

    def __init__(
        self, root: str, files: list[str], text, known: frozenset[str] = frozenset(), stat: dict | None = None
    ):
        self.root = os.path.realpath(root)
        self.files = files
        self.text = text
        self.known = {os.path.join(self.root, p) for p in known}
        self.stat: dict[str, bool] = {} if stat is None else stat  # may be kept while the file set is unchanged
        self.reads: dict[str, str | None] = {}  # relpath -> the text read (None: not UTF-8)
        self.located: dict[tuple[str, tuple[str, ...]], str | None] = {}  # local_path's answers

    def is_file(self, path: str) -> bool:
        hit = self.stat.get(path)
        if hit is None:
            hit = self.stat[path] = path in self.known or os.path.isfile(path)
        return hit

    def local_path(self, dotted: str, search: tuple[str, ...]) -> str | None:
        key = (dotted, search)
        if key in self.located:
            return self.located[key]
        found = self.located[key] = self._local_path(dotted, search)
        return found

    def _local_path(self, dotted: str, search: tuple[str, ...]) -> str | None:
        parts = [p for p in dotted.split(".") if p]
        if not parts:
            return None
        for base in search:
            module = os.path.join(base, *parts[:-1], parts[-1] + ".py")
            if self.is_file(module):
                return module
            init = os.path.join(base, *parts, "__init__.py")
            if self.is_file(init):
                return init
        return None

    def read(self, path: str) -> str:
        rel = self.relpath(path)
        text = self.reads[rel] = self.text(rel)
        if text is not None:
            return text
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Undecodable(str(exc)) from exc
        except OSError as exc:
            raise _Unresolvable(str(exc)) from exc

    def relpath(self, path: str) -> str:
        if path.startswith(self.root + os.sep):
            return path[len(self.root) + 1 :].replace(os.sep, "/")
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def run(self) -> ClosureResult:
        result = ClosureResult()
        present = {os.path.join(self.root, p) for p in self.files}
        excluded: dict[str, tuple[str, Span | None]] = {}  # file -> (importer relpath, import span)
        for rel in (p for p in self.files if p.endswith(".py")):
            origin = os.path.join(self.root, rel)
            walker = _Walker(self, origin)
            try:
                walker.walk(self.read(origin), os.path.dirname(origin), origin, True)
            except RecursionError:  # an import chain deeper than Python's stack: the build crashes too
                result.error = f"Build failed: {_TOO_DEEP}"
                result.findings.append(Finding("FL471", rel, walker.top or Span(0, 0, 0, 0), result.error))
                return result
            except _Unresolvable as exc:
                endpoint = self._defines_endpoint(rel)
                message = str(exc)
                if endpoint:
                    if isinstance(exc, _Undecodable):
                        message = f"Cannot resolve local imports for endpoint file {origin}: {message}"
                    result.error = message
                    result.findings.append(Finding("FL471", rel, walker.top or Span(0, 0, 0, 0), message))
                    return result
                result.warnings.append(f"Skipping local-module resolution for {origin}: {message}")
                result.findings.append(Finding("FL472", rel, walker.top or _error_line(message), result.warnings[-1]))
                continue
            result.warnings += walker.warnings
            result.findings += [
                Finding("FL473", self.relpath(o), span, w)
                for (o, span), w in zip(walker.dynamic, walker.warnings, strict=False)
            ]
            for path, span in walker.files.items():
                if path not in present:
                    excluded.setdefault(path, (rel, span))
        if excluded:
            ordered = sorted(excluded, key=lambda p: self.relpath(p).split("/"))
            listing = "\n".join(f"  {self.relpath(p)} (imported by {excluded[p][0]})" for p in ordered)
            result.error = (
                "Shipped code imports local modules that the build ignore rules (.gitignore or built-in defaults) "
                f"exclude:\n{listing}\n\nShipping them would silently override a deliberate exclusion, and omitting "
                "them would break the worker with ModuleNotFoundError. Remove the matching ignore pattern or stop "
                "importing these modules from shipped code."
            )
            by_import: dict[tuple[str, Span | None], list[str]] = {}
            for p in ordered:
                by_import.setdefault(excluded[p], []).append(self.relpath(p))
            for (rel, span), paths in by_import.items():
                result.findings.append(Finding("FL470", rel, span or Span(0, 0, 0, 0), result.error, paths))
        return result

    def _defines_endpoint(self, rel: str) -> bool:
        text = self.reads[rel] = self.text(rel)
        return text is not None and parse(text).endpoint

    def still_valid(self, text) -> bool:
        """Whether a new run would read the same imports from every file this run read."""
        for rel, old in self.reads.items():
            new = text(rel)
            if new is not old and new != old and (new is None or old is None or parse(new) != parse(old)):
                return False
        return True


def _error_line(message: str) -> Span:
    """The line a syntax-error message names (`…, line N)`), else the top of the file."""
    tail = message.rsplit("line ", 1)
    if len(tail) == 2 and tail[1].rstrip(")").isdigit():
        line = int(tail[1].rstrip(")")) - 1
        return Span(line, 0, line, 0)
    return Span(0, 0, 0, 0)
