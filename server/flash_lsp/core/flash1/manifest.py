"""`ManifestBuilder.build` of runpod-flash 1.x (docs/flash1.md, "The manifest"): resources keyed
by name with the builder's key order, its validation errors with their exact texts, client-mode
entries and the reconciled Python version. The result is the dict `json.dumps(indent=2)` writes.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..manifest import manifest_document
from ..module_exec import UNKNOWN
from ..profiles import Profile
from .api import DEFAULT_PYTHON_VERSION, SUPPORTED_PYTHON_VERSIONS
from .deployment import deployment_fields
from .deployment_ast import ast_era_fields, live_image, release_config
from .imports import Imports
from .scanner import Function, Scan
from .values import CodeValue, ConfigValue

_RESERVED = ("/execute", "/ping")
_PROVISIONABLE = (
    "ServerlessResource",
    "LiveServerless",
    "CpuLiveServerless",
    "LoadBalancerSlsResource",
    "LiveLoadBalancer",
    "CpuLiveLoadBalancer",
)


@dataclass
class Built:
    manifest: dict | None
    error: str | None = None  # the ValueError that stops the build
    uncertain: dict[str, list[str]] = field(default_factory=dict)  # resource → fields we could not predict
    dropped: dict[str, str] = field(default_factory=dict)  # resource → why its deployment fields are missing


def build_manifest(
    project_name: str,
    scan: Scan,
    imports: Imports,
    profile: Profile,
    env: Mapping[str, str],
    generated_at: str,
    python_override: str | None = None,
    dotenv: Mapping[str, str] | None = None,
    local_python: str = DEFAULT_PYTHON_VERSION,
) -> Built:
    dotenv = dotenv or {}
    built = Built(None)
    groups: dict[Any, list[Function]] = {}
    for fn in scan.functions:
        groups.setdefault(fn.resource, []).append(fn)
    try:
        resources, registry, routes = _resources(groups, scan, imports, profile, env, built, dotenv, local_python)
        if profile.has("client_mode"):
            _add_clients(resources, scan, imports, env, built)
        # before 1.16 every target is 3.12 and nothing is reconciled
        version = (
            _reconcile(resources, python_override) if profile.has("python_version_option") else DEFAULT_PYTHON_VERSION
        )
    except ValueError as exc:
        built.error = str(exc)
        return built
    versions = profile.has("python_versions")
    for name, resource in list(resources.items()) if versions else ():
        if profile.has("python_version_option"):  # 1.16+: last
            resource["target_python_version"] = version
        else:  # 1.8–1.15: right after `makes_remote_calls`, before the deployment fields
            keys = list(resource)
            at = keys.index("makes_remote_calls") + 1
            items = [*resource.items()]
            resources[name] = dict([*items[:at], ("target_python_version", version), *items[at:]])
    # 1.8–1.11.0 write the build interpreter's version at the top, 1.11.1+ the reconciled target version
    top_version = (version if profile.has("fixed_python_default") else local_python) if versions else None
    built.manifest = manifest_document(generated_at, project_name, resources, registry, routes, top_version)
    return built


def _resources(
    groups: dict,
    scan: Scan,
    imports: Imports,
    profile: Profile,
    env: Mapping[str, str],
    built: Built,
    dotenv: Mapping[str, str],
    local_python: str,
):
    if profile.has("multi_file_check"):
        for name, fns in groups.items():
            files = sorted({f"{imports.build_dir}/{f.relpath}" for f in fns})
            if len(files) > 1:
                raise ValueError(
                    f"endpoint '{name}' is defined in multiple files: {', '.join(files)}. each endpoint name must be unique across the project."
                )
    resources: dict[str, dict] = {}
    registry: dict[str, Any] = {}
    routes: dict[str, dict] = {}
    for name, fns in sorted(groups.items(), key=lambda kv: kv[0]):
        first = fns[0]
        lb = first.is_load_balanced
        resource_routes = _routes(name, fns) if lb else {}
        functions = [
            {
                "name": f.name,
                "module": f.module,
                "is_async": f.is_async,
                "is_class": f.is_class,
                **({"class_methods": list(f.class_methods)} if f.is_class and f.class_methods else {}),
                **({"http_method": f.http_method, "http_path": f.http_path} if lb else {}),
            }
            for f in fns
        ]
        if profile.has("import_scan"):
            namespace = scan.modules.get(first.relpath, {})
            deployment = _deployment(name, first, namespace, imports, profile, env, built, local_python)
        else:
            deployment, reason = ast_era_fields(first, imports, env, dotenv, profile, local_python)
            if reason:
                built.dropped[name] = reason
        entry = {
            "resource_type": first.resource_type,
            "file_path": first.relpath,
            "local_path_prefix": "/" + first.relpath[:-3],
            "module_path": first.module,
            "functions": functions,
            "is_load_balanced": lb,
            "is_live_resource": first.is_live_resource,
            "config_variable": first.config_variable,
            "makes_remote_calls": any(f.calls for f in fns),
            **deployment,
        }
        if lb:
            entry.pop("max_concurrency", None)
        else:
            entry["handler_file"] = f"handler_{name}.py"
        resources[name] = entry
        if resource_routes:
            routes[name] = resource_routes
        for f in fns:
            if f.name in registry:
                raise ValueError(
                    f"Duplicate function name '{f.name}' found in resources '{registry[f.name]}' and '{name}'"
                )
            registry[f.name] = name
    return resources, registry, routes


def _routes(name: str, fns: list[Function]) -> dict:
    routes: dict[str, str] = {}
    for f in fns:
        if not f.http_method or not f.http_path:
            raise ValueError(
                f"{f.resource_type} endpoint '{name}' requires method and path for function '{f.name}'. Got method={f.http_method}, path={f.http_path}"
            )
        key = f"{f.http_method} {f.http_path}"
        if key in routes:
            raise ValueError(
                f"Duplicate route '{key}' in resource '{name}': both '{routes[key]}' and '{f.name}' are mapped to the same route"
            )
        routes[key] = f.name
        if f.http_path in _RESERVED:
            raise ValueError(
                f"Function '{f.name}' cannot use reserved path '{f.http_path}'. Reserved paths: {', '.join(_RESERVED)}"
            )
    return routes


def _deployment(
    name, first: Function, namespace: dict, imports: Imports, profile: Profile, env, built: Built, local_python: str
) -> dict:
    """`_extract_deployment_config`: the builder imports the first function's file again, as a
    module named after the file stem with only its directory on `sys.path`, and reads the config
    variable, else the attribute named after the function, which must be the decorated one."""
    reason = _reimport_fails(first.relpath, imports)
    if not reason and not (first.config_variable and first.config_variable in namespace):
        target = namespace.get(first.name)
        if not isinstance(target, CodeValue) or target.remote is None:
            reason = f"the module attribute '{first.name}' is not the decorated function, and no config variable names the endpoint"
    if reason:
        built.dropped[name] = reason
        return {}
    out: dict[str, Any] = {}
    concurrency = first.max_concurrency
    if profile.has("max_concurrency") and isinstance(concurrency, int) and concurrency > 1:
        out["max_concurrency"] = concurrency
    elif concurrency is UNKNOWN:
        built.uncertain.setdefault(name, []).append("max_concurrency")
    fields, uncertain = _fields(first.config, env, imports, profile)
    kw = first.config.kwargs
    if not profile.has("fixed_python_default") and "imageName" in fields and not kw.get("imageName"):
        # 1.11.0: a CPU image without `python_version` has the build interpreter's, as in the AST era
        fields = {
            **fields,
            "imageName": live_image(first.config.type_name, kw.get("python_version"), env, profile, local_python),
        }
    out.update(fields)
    if uncertain:
        built.uncertain.setdefault(name, []).extend(uncertain)
    return out


def _fields(config, env: Mapping[str, str], imports: Imports, profile) -> tuple[dict, list[str]]:
    """`deployment_fields` of the config as the profile's release builds it, kept per config object
    and environment for as long as the scan that made the config is reused (a keystroke in a body
    leaves every config as it was; a scan is never reused across profiles)."""
    env_key = tuple(env.items())
    memo = imports.deployment_memo
    hit = memo.get(id(config))
    if hit is None or hit[0] is not config or hit[1] != env_key:
        hit = memo[id(config)] = (config, env_key, *deployment_fields(release_config(config, profile), env))
    return hit[2], hit[3]


def _reimport_fails(relpath: str, imports: Imports) -> str | None:
    """Why the builder's second import of `relpath` fails (None: it succeeds)."""
    tree = imports.source(relpath).tree
    if tree is None:
        return "the file does not parse"
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level and "/" in relpath:
            return "relative imports fail when the builder imports the file again by its stem"
    return None


def _add_clients(resources: dict, scan: Scan, imports: Imports, env, built: Built) -> None:
    for name in sorted(scan.clients):
        if name in resources:
            raise ValueError(
                f"endpoint '{name}' is defined as both a client-mode Endpoint(image=...) and a decorated resource. each endpoint name must be unique across the project."
            )
        client = scan.clients[name]
        deployment: dict[str, Any] = {}
        resource_type = "Endpoint"
        if not _reimport_fails(client.relpath, imports):
            from .endpoint import Raised, build_config

            ep = client.endpoint
            concurrency = ep.kwargs["max_concurrency"]
            if isinstance(concurrency, int) and concurrency > 1:
                deployment["max_concurrency"] = concurrency
            try:
                config: ConfigValue = build_config(ep, ep.span)
            except Raised as raised:
                built.dropped[name] = raised.message
            else:
                fields, uncertain = deployment_fields(config, env)
                deployment.update(fields)
                if uncertain:
                    built.uncertain[name] = uncertain
                if config.type_name in _PROVISIONABLE:
                    resource_type = config.type_name
        resources[name] = {
            "resource_type": resource_type,
            "file_path": client.relpath,
            "local_path_prefix": "/" + client.relpath[:-3],
            "module_path": client.module,
            "functions": [],
            "is_load_balanced": False,
            "is_live_resource": True,
            "config_variable": client.variable,
            "makes_remote_calls": False,
            "client_mode": True,
            **deployment,
        }


def _reconcile(resources: dict, override: str | None) -> str:
    declared = {n: r["python_version"] for n, r in resources.items() if r.get("python_version")}
    distinct = set(declared.values())
    if override:
        if override not in SUPPORTED_PYTHON_VERSIONS:
            raise ValueError(
                f"Python {override} is not supported. Supported versions: {', '.join(SUPPORTED_PYTHON_VERSIONS)}"
            )
        conflicting = sorted((n, v) for n, v in declared.items() if v != override)
        if conflicting:
            details = ", ".join(f"{n}={v}" for n, v in conflicting)
            raise ValueError(
                f"python_version override '{override}' conflicts with resource declarations: {details}. Either remove the override or align all resources to '{override}'."
            )
        return override
    if len(distinct) > 1:
        details = ", ".join(f"{n}={v}" for n, v in sorted(declared.items()))
        raise ValueError(
            f"Flash apps require one python_version across all resources (found {sorted(distinct)}): {details}. "
            f"Set python_version to the same value on every resource, or omit it to use the default ({DEFAULT_PYTHON_VERSION})."
        )
    return next(iter(distinct)) if distinct else DEFAULT_PYTHON_VERSION
