"""Grouping and the predicted `flash_manifest.json` (`docs/tetra-build.md`, "Manifest").

Resources are processed in sorted name order and validated exactly where the builder raises, so a
predicted build error carries the builder's own message. The mothership entry (0.22+) is appended
last, as the builder does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .discovery import DiscoveredFunction
from .profiles import Profile
from .summary import FastAPIApp, MothershipDecl

MOTHERSHIP_FILES = ("main.py", "app.py", "server.py")
_NO_FIELDS: dict = {}  # shared, never mutated


@dataclass(frozen=True)
class BuildError:
    """A `ValueError` the builder raises: the build prints `Error: <message>` and exits 1."""

    kind: str  # lb_route_missing | duplicate_route | reserved_path | duplicate_function | unserialisable | mothership_name
    message: str
    resource: Any = None
    functions: tuple[str, ...] = ()


class UnhashableName(TypeError):
    """`name=` of mothership.py is a list or dict literal: the builder fails with this TypeError."""


@dataclass(frozen=True)
class MothershipInfo:
    """What the builder's mothership detection finds in the shipped files."""

    key: str
    explicit: bool
    type_name: str
    main_file: str
    app_variable: str
    workers_min: Any
    workers_max: Any
    renamed: bool  # the name collided with a @remote resource → "mothership-entrypoint"
    decl: MothershipDecl | None = None
    app: FastAPIApp | None = None
    app_path: str | None = None


@dataclass
class ManifestResult:
    manifest: dict | None  # None when the builder raises before returning one
    error: BuildError | None = None
    mothership: MothershipInfo | None = None
    warnings: list[str] = field(default_factory=list)


def now_timestamp() -> str:
    """`generated_at` as the builder writes it."""
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def group(functions: list[DiscoveredFunction]) -> dict[Any, list[DiscoveredFunction]]:
    """Functions by resource key, in discovery order."""
    groups: dict[Any, list[DiscoveredFunction]] = {}
    for fn in functions:
        groups.setdefault(fn.resource, []).append(fn)
    return groups


def build_manifest(
    project_name: str,
    functions: list[DiscoveredFunction],
    profile: Profile,
    deployment_fields: Callable[[Any, str | None], dict],
    mothership: Callable[[set], MothershipInfo | None],
    generated_at: str,
    memo: dict | None = None,
) -> ManifestResult:
    """Replicate `ManifestBuilder.build()`; `deployment_fields(resource, config_variable)` and
    `mothership(existing_keys)` supply the parts that depend on other files. `memo` keeps resource
    entries across calls, reused when built from the same function objects and deployment
    fields (entries are never mutated); entries this call does not use are dropped."""
    used: dict = {}
    groups = group(functions)
    try:
        ordered = sorted(groups.items())
    except TypeError as exc:
        return ManifestResult(None, BuildError("unserialisable", str(exc)))
    resources: dict[Any, dict] = {}
    registry: dict[str, Any] = {}
    routes: dict[Any, dict] = {}
    for name, fns in ordered:
        first = fns[0]
        is_lb = first.is_load_balanced
        resource_routes: dict[str, str] = {}
        if is_lb:
            error = _check_routes(name, first.resource_type, fns, resource_routes, profile)
            if error:
                return ManifestResult(None, error)
        fields = deployment_fields(name, first.config_variable) if profile.deployment_fields else _NO_FIELDS
        key = (name, tuple(map(id, fns)), id(fields))
        cached = memo.get(key) if memo is not None else None
        if cached is None:  # (the functions and fields are kept with the entry so their ids stay theirs)
            entry = {
                "resource_type": first.resource_type,
                "handler_file": f"handler_{name}.py",
                "functions": [_function_entry(f, is_lb) for f in fns],
                "is_load_balanced": is_lb,
                "is_live_resource": first.is_live_resource,
                "config_variable": first.config_variable,
                **fields,
            }
            cached = (fns, fields, entry)
        used[key] = cached
        resources[name] = cached[2]
        if resource_routes:
            routes[name] = resource_routes
        for f in fns:
            if f.name in registry:
                return ManifestResult(
                    None,
                    BuildError(
                        "duplicate_function",
                        f"Duplicate function name '{f.name}' found in resources '{registry[f.name]}' and '{name}'",
                        name,
                        (f.name,),
                    ),
                )
            registry[f.name] = name
    if memo is not None:
        memo.clear()
        memo.update(used)
    try:
        info = mothership(set(resources)) if profile.mothership else None
    except UnhashableName as exc:
        return ManifestResult(None, BuildError("mothership_name", str(exc)))
    if info is not None:
        resources[info.key] = _mothership_entry(info)
    return ManifestResult(manifest_document(generated_at, project_name, resources, registry, routes), None, info)


def manifest_document(
    generated_at: str, project_name: str, resources: dict, registry: dict, routes: dict, python_version: Any = None
) -> dict:
    """The manifest's top level in the build's key order: `python_version` (runpod-flash 1.8+) only
    when given, `routes` only when there are any."""
    manifest: dict[str, Any] = {"version": "1.0"}
    if python_version is not None:
        manifest["python_version"] = python_version
    manifest |= {
        "generated_at": generated_at,
        "project_name": project_name,
        "resources": resources,
        "function_registry": registry,
    }
    if routes:
        manifest["routes"] = routes
    return manifest


def _check_routes(name, resource_type, fns, resource_routes: dict, profile: Profile) -> BuildError | None:
    for f in fns:
        if not f.http_method or not f.http_path:
            return BuildError(
                "lb_route_missing",
                f"{resource_type} endpoint '{name}' requires method and path for function "
                f"'{f.name}'. Got method={f.http_method}, path={f.http_path}",
                name,
                (f.name,),
            )
        key = f"{f.http_method} {f.http_path}"
        if key in resource_routes:
            return BuildError(
                "duplicate_route",
                f"Duplicate route '{key}' in resource '{name}': both '{resource_routes[key]}' and "
                f"'{f.name}' are mapped to the same route",
                name,
                (resource_routes[key], f.name),
            )
        resource_routes[key] = f.name
        if f.http_path in profile.reserved_paths:
            return BuildError(
                "reserved_path",
                f"Function '{f.name}' cannot use reserved path '{f.http_path}'. "
                f"Reserved paths: {', '.join(profile.reserved_paths)}",
                name,
                (f.name,),
            )
    return None


def _function_entry(f: DiscoveredFunction, resource_is_lb: bool) -> dict:
    entry = {
        "name": f.name,
        "module": f.module,
        "is_async": f.is_async,
        "is_class": f.is_class,
        "is_load_balanced": f.is_load_balanced,
        "is_live_resource": f.is_live_resource,
        "config_variable": f.config_variable,
    }
    if resource_is_lb:
        entry["http_method"] = f.http_method
        entry["http_path"] = f.http_path
    return entry


def _mothership_entry(info: MothershipInfo) -> dict:
    entry = {
        "resource_type": info.type_name,
        "handler_file": "handler_mothership.py",
        "functions": [],
        "is_load_balanced": True,
        "is_live_resource": True,
        "is_mothership": True,
    }
    if info.explicit:
        entry["is_explicit"] = True
    entry["main_file"] = info.main_file
    entry["app_variable"] = info.app_variable
    lb_gpu = info.explicit and info.type_name == "LiveLoadBalancer"
    entry["imageName"] = "runpod/tetra-rp-lb:latest" if lb_gpu else "runpod/tetra-rp-lb-cpu:latest"
    entry["workersMin"] = info.workers_min
    entry["workersMax"] = info.workers_max
    return entry


def detect_mothership(
    existing: set,
    explicit: MothershipDecl | None,
    apps: list[tuple[str, FastAPIApp | None]],
) -> MothershipInfo | None:
    """Explicit `mothership.py` first, else a FastAPI app with routes in main/app/server.py.

    `apps` lists, for each of `MOTHERSHIP_FILES` that is shipped and parses, its first FastAPI app.
    """
    found = next(((path, app) for path, app in apps if app is not None), (None, None))
    app_path, app = found
    if explicit is not None:
        name = explicit.kwargs.get("name", "mothership")
        try:
            renamed = name in existing
        except TypeError as exc:  # a list or dict literal: the builder's `name in resources` raises too
            raise UnhashableName(str(exc)) from None
        return MothershipInfo(
            key="mothership-entrypoint" if renamed else name,
            explicit=True,
            type_name=explicit.type_name,
            main_file=app_path.rsplit("/", 1)[-1] if app else "main.py",
            app_variable=app.variable if app else "app",
            workers_min=explicit.kwargs.get("workersMin", 1),
            workers_max=explicit.kwargs.get("workersMax", 3),
            renamed=renamed,
            decl=explicit,
            app=app,
            app_path=app_path,
        )
    if app is None or not app.has_routes:
        return None
    renamed = "mothership" in existing
    return MothershipInfo(
        key="mothership-entrypoint" if renamed else "mothership",
        explicit=False,
        type_name="CpuLiveLoadBalancer",
        main_file=app_path.rsplit("/", 1)[-1],
        app_variable=app.variable,
        workers_min=1,
        workers_max=3,
        renamed=renamed,
        app=app,
        app_path=app_path,
    )


_JSON_SCALARS = (str, int, float, bool, type(None))


def unserialisable(manifest: dict) -> str | None:
    """The error `json.dumps` would raise for this manifest, without encoding it.

    Only user-written constants can be odd: a `name=` used as a key, `method=`/`path=`, the
    mothership's literal keywords and template values. Everything else is built by us."""
    for key, resource in manifest.get("resources", {}).items():
        if not isinstance(key, _JSON_SCALARS):
            return f"keys must be str, int, float, bool or None, not {type(key).__name__}"
        for fn in resource.get("functions", ()):
            for value in (fn.get("http_method"), fn.get("http_path")):
                if not isinstance(value, _JSON_SCALARS):
                    return f"Object of type {type(value).__name__} is not JSON serializable"
        for name, value in resource.items():
            if name == "functions":
                continue
            for leaf in value.values() if isinstance(value, dict) else (value,):
                if not isinstance(leaf, _JSON_SCALARS):
                    return f"Object of type {type(leaf).__name__} is not JSON serializable"
    return None


def manifest_entries(model) -> dict:
    """Manifest entry per resource name: the `resources` map, or for runpod 2.0 (a list per App)
    the entries of every App's manifest."""
    prediction = model.__dict__.get("runpod2")
    if prediction is not None:
        return {r["name"]: r for a in prediction.artifacts if a.manifest for r in a.manifest["resources"]}
    return (model.manifest or {}).get("resources", {})


def dump_manifest(manifest: dict) -> str:
    """The manifest text exactly as written: `json.dumps(indent=2)`, no trailing newline."""
    return json.dumps(manifest, indent=2)
