"""The values the import simulation (`module_exec`) computes with, and how a simulated import fails.

Plain Python values (str, int, float, bool, None, list, tuple, dict) stand for themselves; the
classes here stand for Flash objects; `UNKNOWN` for anything the analysis cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import flash_api
from .model import Span


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Ref:
    """A name bound to something known: Flash's API (module, class, enum, `remote`) or a modelled
    part of the standard library and builtins (`os.getenv`, `sys.path.insert`, `min`…)."""

    kind: str  # "module" | "resource_class" | "template_class" | "enum" | "remote" | "stdlib" | "exit" | ...
    name: str


@dataclass(frozen=True)
class EnumMember:
    enum: str
    member: str

    @property
    def value(self) -> str:
        return flash_api.ENUMS[self.enum][self.member]


@dataclass
class TemplateValue:
    kwargs: dict


@dataclass
class ResourceValue:
    type_name: str
    kwargs: dict
    span: Span


@dataclass
class ProjectModule:
    """A project module the simulated process imported (through a `sys.path` entry)."""

    name: str
    relpath: str
    bindings: dict


@dataclass
class DictMethod:
    """`mapping.get` / `mapping.copy` of a known dict, not yet called."""

    name: str
    mapping: dict


@dataclass(frozen=True)
class Failure:
    """The exception importing the module would raise first."""

    kind: str  # "import" | "relative_import" | "name" | "remote" | "validation" | "raise" | "call" | "exit" | "key" | "value"
    message: str
    span: Span


@dataclass
class ExecResult:
    failure: Failure | None
    bindings: dict[str, Any] = field(default_factory=dict)
    unknowns: list[tuple[str, Span]] = field(default_factory=list)  # what made values UNKNOWN
    bounds: list[tuple[str, Span]] = field(default_factory=list)  # analysis bounds exceeded (see limits)


class _Raised(Exception):
    def __init__(self, failure: Failure):
        self.failure = failure


class _OutOfSteps(Exception):
    """The module needs more evaluation steps than `MAX_STEPS`."""


PLAIN = (str, int, float, bool, type(None), list, tuple, dict)


def truth(value: Any) -> bool | None:
    """`bool(value)`, or None when it cannot be known."""
    if value is UNKNOWN:
        return None
    if isinstance(value, PLAIN):
        return bool(value)
    return True  # Flash objects, modules and functions are truthy


def same(a: Any, b: Any) -> bool:
    """Whether two simulated values are certainly equal (plain values compared by value)."""
    if a is b:
        return a is not UNKNOWN
    return isinstance(a, PLAIN) and type(a) is type(b) and _known(a) and _known(b) and a == b


def _known(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_known(v) for v in value)
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    return value is not UNKNOWN and isinstance(value, PLAIN)


def holds(value: Any, target: Any) -> bool:
    """Whether `value` is `target` or contains it (by identity): a mutation of `target` changes it."""
    if value is target:
        return True
    if isinstance(value, (list, tuple)):
        return any(holds(v, target) for v in value)
    if isinstance(value, dict):
        return any(holds(v, target) for v in value.values())
    if isinstance(value, (ResourceValue, TemplateValue)):
        return holds(value.kwargs, target)
    return False
