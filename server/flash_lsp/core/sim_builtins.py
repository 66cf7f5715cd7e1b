"""The builtins and standard-library functions the import simulation evaluates on known values
(docs/tetra-build.md, "Computed configs"): conversions, `min`/`max`, `dict(...)`, `os.getenv`,
`os.environ`, `os.path` and `sys.path`. Anything else is UNKNOWN."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from .limits import MAX_ITEMS
from .sim_values import PLAIN, UNKNOWN, DictMethod, Ref, same

# dotted names of the standard library the simulation knows, as `import`/attribute access yields them
STDLIB_VALUES: dict[str, Any] = {
    **{name: Ref("exit", name) for name in ("sys.exit", "os._exit", "os.abort")},
    "os.environ": Ref("environ", "os.environ"),
    "os.getenv": Ref("env_get", "os.getenv"),
    "os.path": Ref("stdlib", "os.path"),
    "sys.path": Ref("sys_path", "sys.path"),
    "sys.path.insert": Ref("sys_path_add", "insert"),
    "sys.path.append": Ref("sys_path_add", "append"),
    **{
        f"os.path.{name}": Ref("path_fn", name)
        for name in ("join", "dirname", "abspath", "realpath", "normpath", "basename")
    },
}
STDLIB_MODULES = frozenset({"sys", "os", "os.path"})
BUILTIN_VALUES: dict[str, Any] = {
    **{name: Ref("exit", name) for name in ("exit", "quit")},
    **{
        name: Ref("builtin", name)
        for name in ("int", "float", "str", "bool", "min", "max", "dict", "list", "tuple", "len")
    },
}
_PATH_FUNCTIONS = {
    "join": posixpath.join,
    "dirname": posixpath.dirname,
    "abspath": posixpath.normpath,
    "realpath": posixpath.normpath,
    "normpath": posixpath.normpath,
    "basename": posixpath.basename,
}


_CONVERSIONS = {"int": int, "float": float, "str": str, "bool": bool}


class BuiltinError(Exception):
    """The exception a builtin raises on these (known) arguments: (failure kind, message)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def call_builtin(name: str, args: list, kwargs: dict) -> Any:
    """`name(*args, **kwargs)` for known arguments; UNKNOWN when any matters and is unknown."""
    if name == "dict":
        return _dict(args, kwargs)
    if kwargs or any(not _known(a) for a in args):
        return UNKNOWN
    if name == "int" and len(args) == 1:
        value = args[0]
        if isinstance(value, str) and len(value) > 4_000:
            return UNKNOWN  # beyond the interpreter's limit on digits
    if name in _CONVERSIONS and len(args) == 1 and isinstance(args[0], (int, float, bool, str)):
        try:
            return _CONVERSIONS[name](args[0])
        except (ValueError, OverflowError) as exc:
            raise BuiltinError("value", str(exc)) from None
    if name in ("min", "max") and args:
        items = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        if not items or not all(isinstance(i, (int, float)) for i in items):
            return UNKNOWN
        return min(items) if name == "min" else max(items)
    if name in ("list", "tuple") and len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(args[0]) if name == "list" else tuple(args[0])
    if name == "len" and len(args) == 1 and isinstance(args[0], (str, list, tuple, dict)):
        return len(args[0])
    return UNKNOWN


def _dict(args: list, kwargs: dict) -> Any:
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        return UNKNOWN
    merged = dict(args[0]) if args else {}
    merged.update(kwargs)
    return merged if len(merged) <= MAX_ITEMS else UNKNOWN


def _known(value: Any) -> bool:
    return value is not UNKNOWN and isinstance(value, PLAIN)


def env_get(env: Mapping[str, str] | None, args: list, kwargs: dict) -> Any:
    """`os.getenv(key, default=None)` / `os.environ.get(key, default)` in the build's environment."""
    if env is None or not args or len(args) > 2 or set(kwargs) - {"default"}:
        return UNKNOWN
    key = args[0]
    default = args[1] if len(args) == 2 else kwargs.get("default")
    if not isinstance(key, str):
        return UNKNOWN
    return env[key] if key in env else default


def env_item(env: Mapping[str, str] | None, key: Any) -> Any:
    """`os.environ[key]`, raising KeyError as Python does for an unset variable."""
    if env is None or not isinstance(key, str):
        return UNKNOWN
    if key not in env:
        raise BuiltinError("key", f"KeyError: {key!r}")
    return env[key]


def path_call(name: str, args: list) -> Any:
    if not args or not all(isinstance(a, str) for a in args):
        return UNKNOWN
    if name != "join" and len(args) != 1:
        return UNKNOWN
    return _PATH_FUNCTIONS[name](*args)


def dict_method(method: DictMethod, args: list, kwargs: dict) -> Any:
    """`mapping.get(key[, default])` and `mapping.copy()` of a known dict."""
    if method.name == "copy":
        return dict(method.mapping) if not args and not kwargs else UNKNOWN
    if kwargs or not 1 <= len(args) <= 2 or not same(args[0], args[0]) or isinstance(args[0], (list, dict)):
        return UNKNOWN
    return method.mapping.get(args[0], args[1] if len(args) == 2 else None)
