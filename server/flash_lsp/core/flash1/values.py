"""The objects the simulated 1.x import produces: enum members, `Endpoint`s, resource configs,
decorated functions and classes, modules. Plain data; the behaviour lives in `endpoint.py` and
`simulate.py`. Identity matters (the scanner compares objects by `id`), so none defines equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Span
from .api import ENUMS


@dataclass(frozen=True)
class Member:
    """An enum member of the 1.x API (`GpuGroup.ADA_24`)."""

    enum: str
    member: str

    @property
    def value(self) -> str:
        return ENUMS[self.enum][self.member]


@dataclass(eq=False)
class ConfigValue:
    """A resource config instance: a legacy class called directly, or what an `Endpoint` builds."""

    type_name: str
    kwargs: dict
    span: Span
    name: Any = None  # after validation (trailing "-fb" removed)


@dataclass(eq=False)
class EndpointValue:
    """An `Endpoint(...)` instance, with the state its methods change."""

    kwargs: dict
    span: Span
    name: Any = None
    routes: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, function)
    qb_target: Any = None
    config: ConfigValue | None = None  # the cached `_build_resource_config()`
    pydantic: str = "2.12"  # major.minor of the build interpreter's pydantic (named in its errors)

    @property
    def is_client(self) -> bool:
        return self.kwargs.get("image") is not None or self.kwargs.get("id") is not None

    @property
    def is_cpu(self) -> bool:
        return self.kwargs.get("cpu") is not None


@dataclass(eq=False)
class TemplateValue:
    """`PodTemplate(...)`."""

    kwargs: dict


@dataclass(eq=False)
class VolumeValue:
    """`NetworkVolume(...)`."""

    kwargs: dict


@dataclass
class RemoteConfig:
    """What `__remote_config__` holds: the resource config and the routing of one target."""

    resource: Any  # ConfigValue (or UNKNOWN)
    method: Any = None
    path: Any = None
    local: Any = False
    max_concurrency: Any = 1
    endpoint: EndpointValue | None = None  # the Endpoint that decorated it, if any


@dataclass(eq=False)
class CodeValue:
    """A function or class defined at module level (decorated or not)."""

    name: str
    relpath: str
    span: Span
    is_class: bool
    is_async: bool  # the unwrapped function's own `async`; for a class: any public async method
    class_methods: tuple[str, ...] = ()
    remote: RemoteConfig | None = None
    wrapped: bool = False  # replaced by `remote()`'s async stub (functions only)
    decorator_span: Span | None = None


@dataclass(eq=False)
class ModuleValue:
    """A project module as imported during the scan (its final namespace)."""

    name: str
    relpath: str | None
    bindings: dict[str, Any]
    opaque: bool = False  # it may hold names we cannot see (`from <unknown> import *`, `globals()`)


@dataclass(frozen=True)
class BoundMethod:
    """`ep.get` and friends before they are called."""

    endpoint: EndpointValue
    method: str


@dataclass(frozen=True)
class RouteDecorator:
    """`ep.post("/x")`: applying it registers the route."""

    endpoint: EndpointValue
    method: str
    path: str
    span: Span


@dataclass(frozen=True)
class RemoteDecorator:
    """`remote(config, ...)` before it is applied."""

    config: RemoteConfig
