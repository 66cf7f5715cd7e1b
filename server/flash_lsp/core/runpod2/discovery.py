"""App discovery as `rp flash deploy --build-only` does it, simulated (docs/runpod2.md,
"Discovery"): every `.py` outside the skip list, in sorted path order, is "imported"; module-level
statements are walked with static values, so `runpod.App(...)`, the `@app.queue/api/task`
decorators, route markers and project imports behave as the SDK makes them behave. A failing file
rolls back its Apps and is a warning; Apps are then deduplicated by name, first one kept.
Nothing is imported or executed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Span
from . import sdk
from .module_run import ModuleRun, Raised
from .values import (
    AppObj,
)


@dataclass
class Failure:
    relpath: str  # the file discovery was importing
    kind: str
    message: str  # the SDK's warning line: "importing <abs path> failed: <exception>"
    origin: str  # the file whose code raised
    span: Span


@dataclass
class Discovered:
    files: list[str]
    registry: list[AppObj]  # every App still registered at the end, creation order
    apps: list[AppObj]  # deduplicated by name, first kept: the artifacts, in build order
    failures: list[Failure] = field(default_factory=list)
    shadowed: list[tuple[AppObj, AppObj]] = field(default_factory=list)  # (kept, dropped)
    unknown: list[tuple[str, str, Span]] = field(default_factory=list)  # (relpath, what, span)
    namespaces: dict[str, dict] = field(default_factory=dict)  # relpath -> last namespace
    executed: list[str] = field(default_factory=list)  # files imported without error (bytecode written)


def python_files(paths: list[str]) -> list[str]:
    """The files discovery imports: sorted as `Path` objects sort, none under a skipped directory."""
    files = [p for p in paths if p.endswith(".py") and not any(part in sdk.SKIP_DIRS for part in p.split("/"))]
    return sorted(files, key=lambda p: p.split("/"))


def discover(
    root: str, all_py: list[str], parse: Callable[[str], tuple], importable: Callable[[str], bool]
) -> Discovered:
    """`parse(relpath)` gives (tree or None, lines, syntax error text or None)."""
    sim = Simulator(root, set(all_py), parse, importable)
    files = python_files(all_py)
    failures: list[Failure] = []
    for relpath in files:
        registered, modules, executed = list(sim.registry), dict(sim.modules), len(sim.executed)
        try:
            sim.import_discovery(relpath)
        except Raised as exc:
            sim.registry[:] = registered
            sim.modules = modules
            del sim.executed[executed:]  # rolled back, their cached bytecode deleted
            failures.append(
                Failure(relpath, exc.kind, f"importing {root}/{relpath} failed: {exc.message}", exc.relpath, exc.span)
            )
            continue
        for app in sim.registry:
            if app.source_file is None:
                app.source_file = relpath
    by_name: dict[str, AppObj] = {}
    shadowed = []
    for app in sim.registry:
        kept = by_name.setdefault(app.name, app)
        if kept is not app:
            shadowed.append((kept, app))
    return Discovered(
        files, list(sim.registry), list(by_name.values()), failures, shadowed, sim.unknown, sim.namespaces, sim.executed
    )


class Simulator:
    def __init__(self, root: str, py_files: set[str], parse, importable):
        self.root, self.py_files, self.parse, self.importable = root, py_files, parse, importable
        self.modules: dict[str, dict] = {}  # project modules by import name (sys.modules)
        self.registry: list[AppObj] = []
        self.unknown: list[tuple[str, str, Span]] = []
        self.namespaces: dict[str, dict] = {}
        self.executed: list[str] = []

    # -- module names and files ------------------------------------------------------------
    def _is_package(self, directory: str) -> bool:
        return (f"{directory}/__init__.py" if directory else "__init__.py") in self.py_files

    def import_discovery(self, relpath: str) -> None:
        parts = relpath.split("/")
        names = [] if parts[-1] == "__init__.py" else [parts[-1][:-3]]
        depth = len(parts) - 1
        while depth > 0 and self._is_package("/".join(parts[:depth])):
            names.insert(0, parts[depth - 1])
            depth -= 1
        if depth == len(parts) - 1:  # not inside a package: a fresh module under a generated name
            self.execute(relpath, f"_runpod_discovered_{parts[-1][:-3]}", fresh=True)
        else:
            self.import_name(".".join(names), relpath, Span(0, 0, 0, 0))

    def _file_for(self, name: str) -> str | None:
        base = name.replace(".", "/")
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            if candidate in self.py_files:
                return candidate
        return None

    def _is_namespace_dir(self, name: str) -> bool:
        prefix = name.replace(".", "/") + "/"
        return any(p.startswith(prefix) for p in self.py_files)

    def import_name(self, name: str, importer: str, span: Span) -> dict | None:
        """`import name` from the project (namespace) or installed (None); raises when missing."""
        if name == "runpod" or name.startswith("runpod."):
            return None
        if name in self.modules:
            return self.modules[name]
        head = name.split(".")[0]
        if self._file_for(head) is None and not self._is_namespace_dir(head):
            if self.importable(head):
                return None
            raise Raised("ModuleNotFoundError", f"No module named '{name}'", importer, span)
        parent = None
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            sub = ".".join(parts[:i])
            if sub in self.modules:
                parent = self.modules[sub]
                continue
            relpath = self._file_for(sub)
            if relpath is None:
                if not self._is_namespace_dir(sub):
                    raise Raised("ModuleNotFoundError", f"No module named '{sub}'", importer, span)
                parent = self.modules[sub] = {"__name__": sub}
                continue
            parent = self.execute(relpath, sub)
        return parent

    def execute(self, relpath: str, module: str, fresh: bool = False) -> dict:
        tree, lines, error = self.parse(relpath)
        if error is not None:
            raise Raised("SyntaxError", error[0], relpath, error[1])
        ns: dict = {"__name__": module}
        if not fresh:
            self.modules[module] = ns  # registered before its code runs, as importlib does
        package = module if relpath.endswith("__init__.py") else module.rpartition(".")[0]
        try:
            ModuleRun(self, relpath, ns, package, lines).run(tree.body)
        except Raised:
            self.modules.pop(module, None)
            raise
        self.namespaces[relpath] = ns
        self.executed.append(relpath)
        return ns
