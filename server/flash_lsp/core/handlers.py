"""Predicted handler files (`docs/tetra-build.md`, "Handler files") and how their generation ends.

The build writes LB handlers first, then QB handlers, then `handlers/handler_mothership.py`, each
in manifest order. An unwritable file name stops generation there with a warning (the build goes
on); a handler that does not compile is a hard error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .handler_templates import LB_HANDLER, MOTHERSHIP_HANDLER, QB_HANDLER
from .profiles import Profile

NAME_MAX = 255


@dataclass
class HandlerResult:
    files: dict[str, str] = field(default_factory=dict)  # relpath → text, in write order
    warning: str | None = None  # "Handler generation failed: …" (non-fatal)
    error: str | None = None  # "Handler has syntax errors: …" (fatal)
    failed_resource: object = None  # the resource whose handler the warning or error is about
    valid: set = field(default_factory=set)  # resources whose handler was written and compiles
    log_warnings: list[str] = field(default_factory=list)  # what the generators log as warnings, in order


def render_qb(resource_name, functions: list[dict], timestamp: str) -> str:
    return QB_HANDLER.format(
        resource_name=resource_name,
        timestamp=timestamp,
        imports=_imports(functions, lb=False),
        registry=_qb_registry(functions),
    )


def render_lb(resource_name, resource: dict, timestamp: str, profile: Profile) -> str:
    functions = resource.get("functions", [])
    return LB_HANDLER[profile.lb_template].format(
        resource_name=resource_name,
        timestamp=timestamp,
        imports=_imports(functions, lb=True),
        registry=_route_registry(functions),
        include_execute=str(resource.get("is_live_resource", False)),
    )


def render_mothership(main_file: str, app_variable: str) -> str:
    return MOTHERSHIP_HANDLER.format(main_module=main_file.replace(".py", ""), app_variable=app_variable)


def _imports(functions: list[dict], lb: bool) -> str:
    if not functions:
        return "# No functions to import"
    lines = ["import importlib"] if lb else []
    lines += [
        f"{f['name']} = importlib.import_module('{f['module']}').{f['name']}"
        for f in functions
        if f.get("module") and f.get("name")
    ]
    return "\n".join(lines) if lines else "# No functions to import"


def _qb_registry(functions: list[dict]) -> str:
    if not functions:
        return "    # No functions registered"
    return "\n".join(f'    "{f["name"]}": {f["name"]},' for f in functions)


def _route_registry(functions: list[dict]) -> str:
    if not functions:
        return "    # No functions registered"
    lines = [
        f'    ("{f.get("http_method")}", "{f.get("http_path")}"): {f["name"]},'
        for f in functions
        if f.get("name") and f.get("http_method") and f.get("http_path")
    ]
    return "\n".join(lines) if lines else "    # No routes registered"


def generate_handlers(manifest: dict, profile: Profile, build_dir: Path, memo: dict | None = None) -> HandlerResult:
    """Render every handler the build writes and predict where generation stops. `memo` keeps
    rendered texts (and their syntax check) by their inputs across calls; entries not used
    by this call are dropped."""
    result = HandlerResult()
    used: dict = {}
    resources = manifest.get("resources", {})
    if not resources:
        return result
    timestamp = manifest.get("generated_at", "")
    lb = [(n, r) for n, r in resources.items() if r.get("is_load_balanced", False)]
    qb = [(n, r) for n, r in resources.items() if not r.get("is_load_balanced", False)]
    for name, resource in lb + qb:
        relpath = f"handler_{name}.py"
        if "\0" in relpath:  # write_text raises ValueError, which the build treats as fatal
            result.error = "embedded null byte"
            break
        problem = unwritable_reason(relpath, build_dir)
        if problem:
            result.warning = f"Handler generation failed: {problem}"
            break
        key = _memo_key(name, resource, timestamp, profile)
        cached = memo.get(key) if memo is not None else None
        if cached is None:
            if resource.get("is_load_balanced", False):
                text = render_lb(name, resource, timestamp, profile)
            else:
                text = render_qb(name, resource.get("functions", []), timestamp)
            risky = can_break_syntax(template_values(name, resource.get("functions", [])))
            cached = (text, handler_syntax_error(text, build_dir / relpath) if risky else None)
        used[key] = cached
        text, syntax = cached
        result.files[relpath] = text
        if not syntax:
            result.valid.add(name)
        if syntax:
            result.error = f"Handler has syntax errors: {syntax}"
            break
    else:
        _mothership_handlers(resources, profile, result)
    if memo is not None:
        memo.clear()
        memo.update(used)
    return result


def _mothership_handlers(resources: dict, profile: Profile, result: HandlerResult) -> None:
    if profile.mothership:
        for resource in resources.values():
            if resource.get("is_mothership", False):
                text = render_mothership(resource.get("main_file", "main.py"), resource.get("app_variable", "app"))
                result.files["handlers/handler_mothership.py"] = text


def _memo_key(name, resource: dict, timestamp: str, profile: Profile) -> tuple:
    fns = tuple(
        (f.get("name"), f.get("module"), f.get("http_method"), f.get("http_path"))
        for f in resource.get("functions", [])
    )
    return (
        name,
        fns,
        resource.get("is_load_balanced", False),
        resource.get("is_live_resource", False),
        timestamp,
        profile.name,
    )


def unwritable_reason(relpath: str, build_dir: Path) -> str | None:
    """Why `build_dir / relpath` cannot be written, in the words the build prints."""
    if "/" in relpath:
        return f"[Errno 2] No such file or directory: '{build_dir / relpath}'"
    if len(relpath) > NAME_MAX // 4 and len(relpath.encode("utf-8", errors="surrogateescape")) > NAME_MAX:
        return f"[Errno 36] File name too long: '{build_dir / relpath}'"
    return None


_UNSAFE = frozenset("\"'\\\n\r\x00")


def can_break_syntax(values) -> bool:
    """Whether any value substituted into a template could make it invalid Python: the templates
    put names in string literals and docstrings, so only quotes, backslashes, line breaks and
    NUL can; compiling is needed only then."""
    return any(not isinstance(v, str) or not _UNSAFE.isdisjoint(v) for v in values)


def template_values(resource_name, functions: list[dict]) -> list:
    values = [str(resource_name)]
    for f in functions:
        values += [f.get("module") or "", f.get("http_method") or "", f.get("http_path") or ""]
    return values


def handler_syntax_error(text: str, path: Path) -> str | None:
    try:
        compile(text, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        return str(exc)
    except ValueError as exc:
        return str(exc)
    return None
