"""The handler files runpod-flash 1.x writes into the build directory (docs/flash1.md, "Handler files").

From the manifest dict exactly as the build writes it: every load-balanced resource first, then every
other resource that is not client-mode (1.21), each in manifest order; then
`runpod_flash/runtime/_flash_resource_config.py`. A queue-based handler serves `functions[0]` only.
A file that cannot be written ends generation there with a warning and the build goes on; a
handler that does not parse, or a queue-based resource without functions, stops the build.
"""

from __future__ import annotations

import ast
import keyword
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ..handlers import HandlerResult, can_break_syntax, unwritable_reason
from .resource_config import RELPATH as RESOURCE_CONFIG
from .resource_config import render_resource_config
from .templates_lb import LB_HANDLER_TEMPLATE
from .templates_qb import qb_templates

NEWEST_RELEASE = (1, 21, 0)
DEFAULT_BUILD_DIR = Path(".flash/.build")
_INJECT_FROM = 'runpod.serverless.start({"handler": handler})'


def release_of(profile) -> tuple[int, ...]:
    """The release a 1.x profile models, as a version tuple (the newest 1.x when it names none)."""
    try:
        return Version(getattr(profile, "release", "") or "").release
    except InvalidVersion:
        return NEWEST_RELEASE


def _concurrency(code: str, max_concurrency) -> str:
    return code.replace(
        _INJECT_FROM,
        "runpod.serverless.start({\n"
        '        "handler": handler,\n'
        f'        "concurrency_modifier": lambda current: {max_concurrency},\n'
        "    })",
    )


def render_qb(name, resource: dict, timestamp: str, release: tuple[int, ...], log: list[str]) -> str:
    """A queue-based handler; the generator's log warnings are appended to `log`. Raises
    `ValueError` (the build's hard error) for a resource without functions."""
    functions = resource.get("functions", [])
    if not functions:
        raise ValueError(
            f"Resource '{name}' has no functions. Cannot generate a deployed handler without at least one function."
        )
    func = functions[0]
    module, fname = func.get("module"), func.get("name")
    is_async = func.get("is_async", False)
    values = dict(
        resource_name=name,
        timestamp=timestamp,
        import_statement=f"{fname} = importlib.import_module('{module}').{fname}"
        if module and fname
        else "# No function to import",
    )
    templates = qb_templates(release)
    concurrency = resource.get("max_concurrency", 1) if release >= (1, 13) else 1
    if release >= (1, 13):
        if concurrency > 100:
            log.append(
                f"High max_concurrency={concurrency} for resource '{name}'. Ensure your handler and GPU can "
                "support this level of concurrent execution."
            )
        if concurrency > 1 and not is_async:
            log.append(
                f"max_concurrency={concurrency} set on sync handler '{name}'. Only async handlers benefit from "
                "concurrent execution. Consider making the handler async."
            )
    if func.get("is_class", False):
        methods = func.get("class_methods", [])
        values.update(class_name=fname or "None", methods_dict=repr({m: m for m in methods} if methods else {}))
        kind = "class"
    else:
        values.update(function_name=fname or "None")
        kind = "function"
    if concurrency > 1 and is_async:
        return templates[f"async_{kind}"].format(max_concurrency=concurrency, **values)
    code = templates[kind].format(**values)
    return _concurrency(code, concurrency) if concurrency > 1 else code


def render_lb(name, resource: dict, timestamp: str, log: list[str]) -> str:
    """A load-balanced (FastAPI) handler; functions without method or path are logged and left out."""
    functions = resource.get("functions", [])
    if functions:
        imports = ["import importlib"] + [
            f"{f.get('name')} = importlib.import_module('{f.get('module')}').{f.get('name')}"
            for f in functions
            if f.get("module") and f.get("name")
        ]
        routes = []
        for f in functions:
            fname, method, path = f.get("name"), f.get("http_method"), f.get("http_path")
            if fname and method and path:
                routes.append(f'    ("{method}", "{path}"): {fname},')
            elif fname:
                log.append(f"Function '{fname}' missing http_method or http_path. Skipping.")
        registry = "\n".join(routes) if routes else "    # No routes registered"
    else:
        imports, registry = ["# No functions to import"], "    # No functions registered"
    return LB_HANDLER_TEMPLATE.format(
        resource_name=name,
        timestamp=timestamp,
        imports="\n".join(imports),
        registry=registry,
        include_execute=str(resource.get("is_live_resource", False)),
    )


def _may_not_parse(name, resource: dict) -> bool:
    """Whether substituted values could make the handler invalid Python: names outside string
    literals that are not identifiers, or quotes, backslashes and line breaks inside them."""
    functions = resource.get("functions", [])
    texts = [name] + [f.get(k) or "" for f in functions for k in ("module", "http_method", "http_path")]
    names = [f.get("name") for f in functions if f.get("name")]
    return (
        can_break_syntax(texts)
        or any(not isinstance(n, str) or not n.isidentifier() or keyword.iskeyword(n) for n in names)
        or not isinstance(resource.get("max_concurrency", 1), int)
    )


def _parse_error(text: str, path: Path) -> str | None:
    """The build's error when its `ast.parse` check rejects the handler (a NUL byte is not wrapped)."""
    try:
        ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        return f"Handler has syntax errors: {exc}"
    except ValueError as exc:
        return str(exc)
    return None


def _unwritable(relpath: str, build_dir: Path, shipped_dirs: frozenset[str]) -> str | None:
    parent = relpath.rpartition("/")[0]
    if parent and parent in shipped_dirs and not {".", ".."} & set(parent.split("/")):
        return None  # a shipped directory of that name exists in the build dir
    return unwritable_reason(relpath, build_dir)


def generate(
    manifest: dict, profile, build_dir: Path | None = None, shipped: frozenset[str] | set[str] = frozenset()
) -> HandlerResult:
    """Every file the build generates from `manifest` for `profile`'s release, keyed by its path in
    the build directory, in write order. `build_dir` (absolute, for the build's messages) defaults
    to `.flash/.build`; `shipped` are the project files copied there (their directories exist)."""
    build_dir = DEFAULT_BUILD_DIR if build_dir is None else build_dir
    release = release_of(profile)
    result = HandlerResult()
    resources = manifest.get("resources", {}) or {}
    timestamp = manifest.get("generated_at", "")
    lb = [(n, r) for n, r in resources.items() if r.get("is_load_balanced", False)]
    qb = [
        (n, r)
        for n, r in resources.items()
        if not r.get("is_load_balanced", False) and not (release >= (1, 21) and r.get("client_mode", False))
    ]
    shipped_dirs = frozenset(p.rsplit("/", 1)[0] for p in shipped if "/" in p)
    shipped_dirs |= {d.rsplit("/", i)[0] for d in shipped_dirs for i in range(1, d.count("/") + 1)}
    for name, resource in lb + qb:
        relpath = f"handler_{name}.py"
        try:
            if resource.get("is_load_balanced", False):
                text = render_lb(name, resource, timestamp, result.log_warnings)
            else:
                text = render_qb(name, resource, timestamp, release, result.log_warnings)
            if "\0" in relpath:
                raise ValueError("embedded null byte")  # what writing the file raises
        except ValueError as exc:
            result.error, result.failed_resource = str(exc), name
            break
        except (TypeError, AttributeError, KeyError) as exc:  # the build warns and stops generating
            result.warning, result.failed_resource = f"Handler generation failed: {exc}", name
            break
        problem = _unwritable(relpath, build_dir, shipped_dirs)
        if problem:
            result.warning, result.failed_resource = f"Handler generation failed: {problem}", name
            break
        result.files[relpath] = text
        error = _parse_error(text, build_dir / relpath) if _may_not_parse(name, resource) else None
        if error:
            result.error, result.failed_resource = error, name
            break
        result.valid.add(name)
    if result.error is None:
        result.files[RESOURCE_CONFIG] = render_resource_config(manifest, release)
    return result
