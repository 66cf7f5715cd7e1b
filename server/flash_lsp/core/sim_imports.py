"""Imports in the import simulation: Flash's package, the modelled standard library, installed
packages, and project modules the build process finds on the `sys.path` entries earlier code
added (docs/tetra-build.md, "One process")."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from typing import Any

from . import flash_api
from .build_process import MAX_IMPORT_NESTING, BuildProcess
from .sim_builtins import STDLIB_MODULES, STDLIB_VALUES
from .sim_expressions import ExpressionEvaluator, api_ref
from .sim_values import UNKNOWN, ProjectModule, Ref, _Raised

STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}


class ImportSimulator(ExpressionEvaluator):
    """`import` and `from … import` statements; the statement simulator builds on it."""

    importable: Callable[[str], bool]
    process: BuildProcess | None
    future_annotations: bool

    def child(self, lines: list[str], relpath: str) -> ImportSimulator:
        """A simulator for a project module this one imports, in the same process."""
        raise NotImplementedError

    def block(self, body: list[ast.stmt], scope: dict) -> None:
        raise NotImplementedError

    def _Import(self, node: ast.Import, scope: dict) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            value = self.import_module(alias.name, node)
            if alias.asname:
                scope[alias.asname] = value
            else:
                scope[top] = self.import_module(top, node)

    def _ImportFrom(self, node: ast.ImportFrom, scope: dict) -> None:
        if node.level:
            self.fail("relative_import", "attempted relative import with no known parent package", node)
        module = node.module or ""
        if module == "__future__" and any(a.name == "annotations" for a in node.names):
            self.future_annotations = True
        source = self.import_module(module, node)
        for alias in node.names:
            if alias.name == "*":
                if isinstance(source, Ref) and source.kind == "module":
                    for name in flash_api.PACKAGE_EXPORTS:
                        scope[name] = api_ref(name)
                elif isinstance(source, ProjectModule):
                    scope.update({k: v for k, v in source.bindings.items() if not k.startswith("_")})
                continue
            target = alias.asname or alias.name
            if isinstance(source, Ref) and source.kind == "module":
                scope[target] = api_ref(alias.name)
            elif isinstance(source, ProjectModule):
                scope[target] = self.project_member(source, alias.name, node)
            else:
                scope[target] = STDLIB_VALUES.get(f"{module}.{alias.name}", UNKNOWN)

    def import_module(self, dotted: str, node: ast.AST) -> Any:
        """The module `import dotted` finds (Flash's package, a modelled stdlib module, a project
        module the build process can import, or UNKNOWN), failing as the import would."""
        top = dotted.split(".")[0]
        if top == self.package:
            return Ref("module", dotted)
        if top in STDLIB or self.importable(top):
            return Ref("stdlib", dotted) if dotted in STDLIB_MODULES else UNKNOWN
        if self.process is not None:
            found = self.project_module(dotted, node)
            if found is not None:
                return found
            if self.process.unknown_path:
                self.unknowns.append((f"whether '{dotted}' is importable (sys.path changed)", self.span(node)))
                return UNKNOWN
        self.fail("import", f"No module named '{top}'", node)

    def project_module(self, dotted: str, node: ast.AST) -> Any:
        """Import `dotted` and its parents from the process's `sys.path` entries; None if absent."""
        process = self.process
        parts = dotted.split(".")
        parent = None
        for index in range(1, len(parts) + 1):
            name = ".".join(parts[:index])
            module = process.modules.get(name)
            if module is None:
                relpath = process.find(name)
                if relpath is None:
                    if parent is None:
                        return None
                    self.fail("import", f"No module named '{name}'", node)
                module = self.run_module(name, relpath, node)
                if module is UNKNOWN:
                    return UNKNOWN
            if parent is not None:
                parent.bindings.setdefault(parts[index - 1], module)
            parent = module
        return parent

    def run_module(self, name: str, relpath: str, node: ast.AST) -> Any:
        """Execute a project module in the build process (it stays in `sys.modules`)."""
        process = self.process
        parsed = process.source(relpath)
        if parsed is None or process.nesting >= MAX_IMPORT_NESTING:
            self.unknowns.append((f"the import of {relpath}", self.span(node)))
            return UNKNOWN
        tree, lines = parsed
        sub = self.child(lines, relpath)
        sub.steps = self.steps
        module = ProjectModule(name, relpath, sub.globals)
        process.modules[name] = module
        process.nesting += 1
        try:
            sub.block(tree.body, sub.globals)
        except _Raised as raised:
            del process.modules[name]
            inner = raised.failure
            self.fail(inner.kind, f"{inner.message} (in {relpath}, line {inner.span.line + 1})", node)
        finally:
            process.nesting -= 1
            self.steps = sub.steps
        return module

    def project_member(self, module: ProjectModule, name: str, node: ast.AST) -> Any:
        if name in module.bindings:
            return module.bindings[name]
        submodule = (
            self.project_module(f"{module.name}.{name}", node) if module.relpath.endswith("__init__.py") else None
        )
        if submodule is None:
            self.fail("import", f"cannot import name '{name}' from '{module.name}' ({module.relpath})", node)
        return submodule

    def add_path(self, how: str, args: list, node: ast.AST) -> None:
        if self.process is None:
            return
        if (how == "insert" and len(args) != 2) or (how == "append" and len(args) != 1):
            return
        self.process.add_path(args[-1], first=how == "insert" and args[0] == 0)
