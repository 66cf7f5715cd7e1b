"""Call sites: calling an old endpoint function ran it remotely; in runpod 2.0 that is `.remote(...)`.

`await f(x)` → `await f.remote.aio(x)` and `f(x)` → `f.remote(x)` for every name bound to a function
that became `@app.queue` (defined here or imported from a migrated module). Calls on client-mode
endpoints (`ep.run(...)`, `ep.runsync(...)`, …) take different arguments in 2.0 and are reported.
"""

from __future__ import annotations

import libcst as cst

from .notes import note
from .scan import dotted

CLIENT_CALLS = frozenset({"run", "runsync", "run_sync", "status", "cancel", "stream", "health", "purge_queue"})


def _bound(rewrite, targets: set[tuple[str, str]]) -> set[str]:
    """Module-level names of this module bound to one of `targets` ((module, name) pairs)."""
    here = {name for mod, name in targets if mod == rewrite.module_name}
    return here | {local for local, target in rewrite.scan.project_imports.items() if target in targets}


def _imported(node: cst.ImportFrom, targets) -> set[str]:
    """Local names an import statement (anywhere) binds to one of `targets` ((module, name) pairs)."""
    module = dotted(node.module) if node.module is not None and not node.relative else None
    if not module or isinstance(node.names, cst.ImportStar):
        return set()
    return {
        alias.asname.name.value if alias.asname else dotted(alias.name)
        for alias in node.names
        if (module, dotted(alias.name)) in targets
    }


class ClientCallNotes(cst.CSTVisitor):
    """FL956 at every call of a client-mode endpoint method (run on the original module, for positions)."""

    def __init__(self, rewrite):
        self.rw = rewrite
        self.stubs = rewrite.ctx.stubs
        self.names = _bound(rewrite, set(self.stubs))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        """`from clients import vllm` inside a function binds a stub too."""
        self.names |= _imported(node, set(self.stubs))
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in self.names
            and func.attr.value in CLIENT_CALLS
        ):
            self.rw.notes.append(
                note(
                    "FL956",
                    self.rw.path,
                    self.rw.where(node),
                    f"`{func.value.value}.{func.attr.value}(...)` called a client-mode endpoint; the runpod 2.0 stub "
                    f"takes keyword arguments: `{func.value.value}.remote(**payload)` (or `.spawn`, `.job`)",
                )
            )
        return True


class CallSites(cst.CSTTransformer):
    def __init__(self, rewrite):
        self.queues = rewrite.ctx.queue_functions
        self.queue_names = _bound(rewrite, self.queues)
        self.awaited: set[int] = set()
        self.in_decorator = 0

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        """`from prep import preprocess` inside a function binds a queue function too."""
        self.queue_names |= _imported(node, self.queues)
        return False

    def visit_Decorator(self, node: cst.Decorator) -> bool:
        self.in_decorator += 1
        return True

    def leave_Decorator(self, original, updated):
        self.in_decorator -= 1
        return updated

    def visit_Await(self, node: cst.Await) -> bool:
        if isinstance(node.expression, cst.Call):
            self.awaited.add(id(node.expression))
        return True

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.in_decorator or not (isinstance(updated.func, cst.Name) and updated.func.value in self.queue_names):
            return updated
        remote = cst.Attribute(updated.func, cst.Name("remote"))
        if id(original) in self.awaited:
            return updated.with_changes(func=cst.Attribute(remote, cst.Name("aio")))
        return updated.with_changes(func=remote)
