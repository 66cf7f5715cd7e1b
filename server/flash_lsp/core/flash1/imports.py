"""The import state of one simulated 1.x scan: the process's `sys.modules` for project modules
(docs/flash1.md, "Discovery by import"). The scanner imports every file in one process, so a
module imported normally by an earlier file stays loaded; parent directories of scanned files are
empty synthetic packages; the build dir is first on `sys.path`, so project modules shadow
installed ones. Installed modules are never simulated: importing them only has to succeed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model import Span
from ..module_exec import STDLIB, UNKNOWN, Failure, _Raised
from .endpoint import Raised
from .simulate import _MISSING, Simulator
from .values import ModuleValue

_THREAD_EXITS = ("SystemExit", "KeyboardInterrupt")
_MAX_DEPTH = 40


@dataclass(frozen=True)
class Source:
    """A project file ready to simulate: its AST and lines, or the `SyntaxError` text."""

    tree: ast.Module | None
    lines: list[str]
    error: str | None = None  # "SyntaxError: invalid syntax (w.py, line 3)" etc.
    error_span: Span = Span(0, 0, 0, 0)
    plain: bool = False  # `lines` are the parser's lines (no line break but \n and \r\n in the text)


class Imports:
    """`sys.modules` and `sys.path` as the scan sees them."""

    def __init__(
        self,
        build_dir: str,
        py_files: set[str],
        scanned: list[str],
        source: Callable[[str], Source],
        installed: Callable[[str], bool],
        pydantic: str,
        endpoint_parameters: frozenset[str] | None = None,
    ):
        self.build_dir = build_dir
        self.endpoint_parameters = endpoint_parameters  # what the release's Endpoint accepts (None: all)
        self.py_files = py_files
        self.source = source
        self._installed = installed
        self.pydantic = pydantic
        self.dirs = {f[:i] for f in py_files for i in _slashes(f)}
        self.modules: dict[str, ModuleValue] = {}
        self.side_effects: dict[str, list] = {}  # relpath → side effects of its first execution
        self.cross_calls: dict[str, tuple] = {}  # relpath → (tree, key, calls) memo of the cross-call analysis
        self.deployment_memo: dict[int, tuple] = {}  # id(config) → (config, env, fields, uncertain)
        self.loading: list[str] = []  # modules whose import is under way (circular imports see them partial)
        self.executed: list[str] = []  # relpaths imported by module code (not by the scanner itself)
        # relpath → (project file, 0-based line) of each import its last execution made, loaded or not
        self.reached: dict[str, list[tuple[str, int]]] = {}
        self.bound: list[tuple[str, str]] = []  # (package, name): submodules set as package attributes
        self.roots: list[str] = [""]  # sys.path entries inside the build dir, as relative prefixes
        self.opaque_path = False  # a sys.path entry outside the build dir: its modules are unknown
        for relpath in scanned:  # each parent directory, outermost first
            for i in _slashes(relpath):
                name = relpath[:i].replace("/", ".")
                if name not in self.modules:
                    self.modules[name] = ModuleValue(name, None, {})

    def state(self) -> tuple:
        """What one file's import can leave for the next ones: modules loaded, `sys.path`."""
        return len(self.executed), len(self.bound), tuple(self.roots), self.opaque_path

    def installed(self, top: str) -> bool:
        return top in STDLIB or self._installed(top) or self.opaque_path

    def add_path(self, path: str, first: bool) -> None:
        """`sys.path.insert(0, path)` / `sys.path.append(path)` by module-level code."""
        prefix = self.build_dir.rstrip("/") + "/"
        if path.rstrip("/") == self.build_dir.rstrip("/"):
            relative = ""
        elif path.startswith(prefix):
            relative = path[len(prefix) :].strip("/")
        else:
            self.opaque_path = True
            return
        if relative not in self.roots:
            self.roots.insert(0, relative) if first else self.roots.append(relative)

    @staticmethod
    def absolute(module: str, level: int, current: str) -> str | None:
        """The absolute name of `from <.module> import ...` inside `current` (None: no parent)."""
        if not level:
            return module
        package = current.rsplit(".", 1)[0] if "." in current else ""
        parts = package.split(".") if package else []
        if not parts or level - 1 > len(parts) - 1:
            return None
        base = parts[: len(parts) - (level - 1)]
        return ".".join([*base, module] if module else base)

    def partially_initialized(self, module: ModuleValue) -> bool:
        return module.name in self.loading

    def location(self, module: ModuleValue) -> str:
        return f"{self.build_dir}/{module.relpath}" if module.relpath else ""

    def load(self, dotted: str, importer: Any, line: int = -1) -> ModuleValue | None:
        """`import dotted` (parents first) by `importer` at `line`: the project module, or None for
        an installed or standard-library module. Raises `Raised` as the real import would."""
        parts = dotted.split(".")
        parent: ModuleValue | None = None
        for i in range(len(parts)):
            name = ".".join(parts[: i + 1])
            if parts[0] in STDLIB or parts[0] == "__main__":
                return None  # the flash process has (or may have) the standard module loaded: unknown
            module = self.modules.get(name)
            if module is None:
                relpath = self._find(name)
                if relpath is None:
                    if parent is None and self.installed(parts[0]):
                        return None
                    raise Raised("ModuleNotFoundError", f"No module named '{name}'")
                self._reach(importer, relpath, line)
                module = self._execute(name, relpath, importer)
                if module is None:
                    return None
            elif module.relpath is not None:
                self._reach(importer, module.relpath, line)
            if parent is not None:
                if parts[i] not in parent.bindings:
                    parent.bindings[parts[i]] = module
                    self.bound.append((parent.name, parts[i]))
            parent = module
        return parent

    def attribute(self, module: ModuleValue, name: str, importer: Any, line: int = -1) -> Any:
        """`module.name`, or `from module import name` (which also tries a submodule)."""
        if name in module.bindings:
            return module.bindings[name]
        if self._is_package(module) and self._find(f"{module.name}.{name}") is not None:
            return self.load(f"{module.name}.{name}", importer, line)
        return UNKNOWN if module.opaque else _MISSING

    def run(self, name: str, relpath: str, fresh: bool = False) -> tuple[ModuleValue | None, Failure | None, Any]:
        """Execute `relpath` as module `name`; with `fresh` (the scanner's own import) the module
        is registered only while it runs and the previous entry is restored afterwards."""
        previous = self.modules.get(name)
        module = ModuleValue(name, relpath, {})
        self.modules[name] = module
        self.reached[relpath] = []
        source = self.source(relpath)
        simulator = None
        try:
            if source.tree is None:
                exc_type, _, message = (source.error or "SyntaxError: ").partition(": ")
                return None, Failure(exc_type, message, source.error_span), None
            simulator = Simulator(name, relpath, source.lines, self)
            module.bindings = simulator.globals
            try:
                simulator.block(source.tree.body, simulator.globals)
            except _Raised as raised:
                if fresh and raised.failure.kind in _THREAD_EXITS:
                    # The import runs in a thread: SystemExit ends the thread, not the build, and
                    # the module counts as loaded with what it bound so far.
                    simulator.side_effects.append(
                        (
                            f"an interpreter exit ({raised.failure.message}) that ends this import early",
                            raised.failure.span,
                        )
                    )
                    return module, None, simulator
                return None, raised.failure, simulator
            return module, None, simulator
        finally:
            if simulator is not None:
                module.opaque = simulator.opaque
                self.side_effects.setdefault(relpath, simulator.side_effects)
            if fresh:
                self._restore(name, previous)

    def _restore(self, name: str, previous: ModuleValue | None) -> None:
        if previous is not None:
            self.modules[name] = previous
        else:
            self.modules.pop(name, None)

    def _execute(self, name: str, relpath: str, importer: Any) -> ModuleValue | None:
        self.executed.append(relpath)
        if relpath.endswith("/"):  # a directory without __init__.py: a namespace package
            module = ModuleValue(name, None, {})
            self.modules[name] = module
            return module
        if len(self.loading) >= _MAX_DEPTH:  # deeper chains of imports are not followed: unknown
            return None
        self.loading.append(name)
        try:
            module, failure, _ = self.run(name, relpath)
        finally:
            self.loading.pop()
        if failure is not None:
            self.modules.pop(name, None)
            raise Raised(failure.kind, failure.message)
        return module

    def _reach(self, importer: Any, relpath: str, line: int) -> None:
        """Record that `importer`'s code imports the project file `relpath` at `line`."""
        if not relpath.endswith("/") and getattr(importer, "relpath", None) in self.reached:
            self.reached[importer.relpath].append((relpath, line))

    def _find(self, dotted: str) -> str | None:
        """The shipped file (or `dir/` for a namespace package) that `dotted` names, if any."""
        for root in self.roots if "." not in dotted else [""]:
            path = (f"{root}/" if root else "") + dotted.replace(".", "/")
            if f"{path}.py" in self.py_files:
                return f"{path}.py"
            if f"{path}/__init__.py" in self.py_files:
                return f"{path}/__init__.py"
            if path in self.dirs:
                return f"{path}/"
        return None

    def _is_package(self, module: ModuleValue) -> bool:
        return module.relpath is None or module.relpath.endswith("__init__.py")


def _slashes(relpath: str) -> list[int]:
    """The positions of the `/` in `relpath`: `relpath[:i]` are its parent directories."""
    found, i = [], relpath.find("/")
    while i >= 0:
        found.append(i)
        i = relpath.find("/", i + 1)
    return found
