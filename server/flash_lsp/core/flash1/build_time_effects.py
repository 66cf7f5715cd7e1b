"""What a module-level call does when the builder imports the module: side effects that run during
the build (network, subprocesses, file changes: a warning on the line) and calls that may add module
globals the simulation cannot see (docs/flash1.md, "Discovery by import")."""

from __future__ import annotations

import ast
from collections.abc import Mapping

SIDE_EFFECT_MODULES = {
    "requests": "a network request",
    "httpx": "a network request",
    "urllib": "a network request",
    "urllib3": "a network request",
    "aiohttp": "a network request",
    "socket": "a network connection",
    "subprocess": "a subprocess",
    "shutil": "file changes",
    "boto3": "a cloud API call",
}
_SIDE_EFFECT_CALLS = {
    "os.system": "a subprocess",
    "os.remove": "file changes",
    "os.makedirs": "file changes",
    "os.mkdir": "file changes",
}
_NAMESPACE_CHANGERS = ("globals", "exec", "eval", "vars", "locals", "setattr", "__import__")


def side_effect(node: ast.Call, module_aliases: Mapping[str, str]) -> str | None:
    """What the call does at build time, with the call as written (None: nothing we know of)."""
    dotted = _dotted(node.func)
    if not dotted:
        return None
    root, _, rest = dotted.partition(".")
    module = module_aliases.get(root)
    full = f"{module}.{rest}" if module and rest else module or dotted
    top = full.split(".")[0]
    what = _SIDE_EFFECT_CALLS.get(full) or (SIDE_EFFECT_MODULES.get(top) if module else None)
    if what is None and dotted == "open" and _writes(node):
        what = "file changes"
    return f"{what} ({dotted}(...))" if what is not None else None


def may_inject_names(call: ast.Call, scope: dict, defs: dict[str, ast.AST]) -> bool:
    """Whether a module-level call may add module globals we cannot see: `globals()`, `exec`,
    `setattr`…, anything handed `__name__`/`globals()`/`sys.modules`, or a function of this
    module whose body uses those."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in _NAMESPACE_CHANGERS and func.id not in scope:
        return True
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        for node in ast.walk(arg):
            if isinstance(node, ast.Name) and node.id in ("__name__", "globals", "vars"):
                return True
            if isinstance(node, ast.Attribute) and node.attr == "modules":
                return True
    body = defs.get(func.id) if isinstance(func, ast.Name) else None
    if body is not None:
        return any(
            (isinstance(n, ast.Name) and n.id in _NAMESPACE_CHANGERS)
            or (isinstance(n, ast.Attribute) and n.attr == "modules")
            or isinstance(n, ast.Global)
            for n in ast.walk(body)
        )
    return False


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _writes(node: ast.Call) -> bool:
    mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax+")
