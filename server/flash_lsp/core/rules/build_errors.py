"""The build's hard errors and handler-generation failures, all of them at once (FL301–FL307, FL406–FL409).

The real build stops at the first error; the editor shows every one, each where it can be fixed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..handlers import can_break_syntax, handler_syntax_error, render_lb, render_qb, template_values, unwritable_reason
from ..manifest import group
from ..model import Diagnostic, Related, Span
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..discovery import DiscoveredFunction
    from ..project import Project, ProjectModel


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    if not model.has_main:
        yield CATALOGUE["FL307"].at(
            "main.py",
            Span(0, 0, 0, 0),
            f"main.py not found in {model.root.name}: `flash build` stops with 'Not a valid Flash project'.",
        )
    groups = group(model.functions)
    yield from _duplicate_names(model.functions)
    for name, fns in groups.items():
        if fns[0].is_load_balanced:
            yield from _routes(name, fns, model)
        yield from _handler_file(name, fns, model)
    yield from _deployments(model)
    yield from _mothership(model)


def _duplicate_names(functions: list[DiscoveredFunction]) -> Iterator[Diagnostic]:
    by_name: dict[str, list[DiscoveredFunction]] = {}
    for fn in functions:
        by_name.setdefault(fn.name, []).append(fn)
    for name, fns in by_name.items():
        if len(fns) < 2:
            continue
        for fn in fns:
            others = [o for o in fns if o is not fn]
            yield CATALOGUE["FL301"].at(
                fn.relpath,
                fn.decl.span,
                f"Duplicate function name '{name}' found in resources "
                + " and ".join(repr(str(f.resource)) for f in fns)
                + ": `flash build` fails. Every @remote function needs a unique name.",
                tuple(Related(o.relpath, o.decl.span, f"'{name}' in '{o.resource}'") for o in others),
            )


def _routes(name, fns: list[DiscoveredFunction], model: ProjectModel) -> Iterator[Diagnostic]:
    seen: dict[str, DiscoveredFunction] = {}
    for fn in fns:
        decl = fn.decl
        if not fn.http_method or not fn.http_path:
            yield CATALOGUE["FL304"].at(
                fn.relpath,
                decl.decorator_span,
                f"{fn.resource_type} endpoint '{name}' requires method and path for function '{fn.name}'. "
                f"Got method={fn.http_method}, path={fn.http_path}: `flash build` fails.",
            )
            continue
        key = f"{fn.http_method} {fn.http_path}"
        if key in seen:
            first = seen[key]
            yield CATALOGUE["FL302"].at(
                fn.relpath,
                decl.path.span or decl.decorator_span,
                f"Duplicate route '{key}' in resource '{name}': both '{first.name}' and '{fn.name}' are mapped "
                f"to it: `flash build` fails.",
                (
                    Related(
                        first.relpath, first.decl.path.span or first.decl.decorator_span, f"'{first.name}' has {key}"
                    ),
                ),
            )
        else:
            seen[key] = fn
        if fn.http_path in model.profile.reserved_paths:
            yield CATALOGUE["FL303"].at(
                fn.relpath,
                decl.path.span or decl.decorator_span,
                f"'{fn.http_path}' is reserved (reserved paths: {', '.join(model.profile.reserved_paths)}): "
                f"`flash build` fails.",
            )


def _handler_file(name, fns: list[DiscoveredFunction], model: ProjectModel) -> Iterator[Diagnostic]:
    if name in model.handlers.valid:  # generated and compiled already
        return
    relpath = f"handler_{name}.py"
    build_dir = model.build_dir
    problem = "embedded null byte" if "\0" in relpath else unwritable_reason(relpath, build_dir)
    if problem:
        path, span = _name_location(name, fns, model)
        yield CATALOGUE["FL306"].at(
            path,
            span,
            f"The build cannot write {relpath!s} ({problem}): it warns 'Handler generation failed' and writes "
            f"no further handler files, yet still ships the archive.",
        )
        return
    first = fns[0]
    entries = [
        {"name": f.name, "module": f.module, "http_method": f.http_method, "http_path": f.http_path} for f in fns
    ]
    if not can_break_syntax(template_values(name, entries)):
        return
    path, span = _name_location(name, fns, model)
    if first.is_load_balanced:
        text = render_lb(name, {"functions": entries, "is_live_resource": first.is_live_resource}, "", model.profile)
    else:
        text = render_qb(name, entries, "")
    error = handler_syntax_error(text, build_dir / relpath)
    if error:
        yield CATALOGUE["FL305"].at(
            path,
            span,
            f"The generated {relpath} is not valid Python ({error}): `flash build` fails with "
            f"'Handler has syntax errors'. Avoid quotes and backslashes in names and paths.",
        )


def _name_location(name, fns: list[DiscoveredFunction], model: ProjectModel) -> tuple[str, Span]:
    assigns = model.discovery.registry.assignments.get(name)
    if assigns:
        path, assign = assigns[-1]
        return path, assign.name_span or assign.span
    fn = fns[0]
    return fn.relpath, fn.decl.config.span or fn.decl.decorator_span


def _deployments(model: ProjectModel) -> Iterator[Diagnostic]:
    for resource, dep in model.deployments.items():
        if dep.failure_kind == "exit":
            yield CATALOGUE["FL410"].at(
                dep.source,
                dep.failure_span or Span(0, 0, 0, 0),
                f"When `flash build` imports {dep.source} to read '{resource}', this ends the build process "
                f"({dep.omitted_because}): no manifest, no handlers, no archive.",
            )
        elif dep.omitted_because and dep.source:
            span = dep.failure_span or Span(0, 0, 0, 0)
            missing = _missing_module(dep.omitted_because) if dep.failure_kind == "import" else None
            ours = missing is None or _is_project_module(missing, model)
            advice = _import_failure_advice(dep.failure_kind, missing, ours)
            yield CATALOGUE["FL406"].at(
                dep.source,
                span,
                f"When the build imports {dep.source} to read '{resource}' it fails ({dep.omitted_because}), so the "
                f"manifest entry gets no imageName, gpuIds, workersMin/workersMax or template. {advice}",
                project_module=ours,
            )
        if dep.uncertain:
            assigns = model.discovery.registry.assignments.get(resource) or []
            path, assign = assigns[-1] if assigns else (dep.source, None)
            fields = ", ".join(dep.uncertain)
            verb, them = ("depends", "it") if len(dep.uncertain) == 1 else ("depend", "them")
            yield CATALOGUE["FL407"].at(
                path or "",
                assign.call_span if assign else Span(0, 0, 0, 0),
                f"'{resource}': {fields} {verb} on values only known when the build runs (the environment, "
                f"or code the analysis does not follow); the preview omits {them}.",
            )


_NO_MODULE = re.compile(r"No module named '([^']+)'")
_ADVICE = {
    "key": "Give the lookup a default (os.environ.get) or set the variable where `flash build` runs.",
    "value": "Make the conversion succeed with the build's environment, or give it a default.",
    "name": "Define the name before it is used at module level.",
}


def _import_failure_advice(kind: str | None, missing: str | None, ours: bool) -> str:
    """What to do about the exception the builder's import raises, by its kind."""
    if kind in ("import", "relative_import"):
        if not ours:
            return f"Install '{missing}' in the environment `flash build` runs in (and list it in requirements.txt)."
        return "Import other project modules inside the function body instead."
    return _ADVICE.get(kind or "", "Move the code that raises into a function, or make it succeed at import.")


def _missing_module(message: str) -> str | None:
    found = _NO_MODULE.search(message)
    return found.group(1).split(".")[0] if found else None


def _is_project_module(top: str, model: ProjectModel) -> bool:
    """A top-level package or module of the project (shipped or not), not a third-party package."""
    root = model.root
    return (
        (root / top).is_dir()
        or (root / f"{top}.py").is_file()
        or any(f == f"{top}.py" or f.startswith(f"{top}/") for f in model.files.files)
    )


def _mothership(model: ProjectModel) -> Iterator[Diagnostic]:
    info = model.manifest_result.mothership if model.manifest_result else None
    if info is not None and info.renamed:
        span = info.decl.span if info.decl else (info.app.span if info.app else Span(0, 0, 0, 0))
        path = "mothership.py" if info.explicit else (info.app_path or "main.py")
        yield CATALOGUE["FL408"].at(
            path,
            span,
            "An @remote endpoint already uses the mothership's name, so the build renames the mothership to "
            "'mothership-entrypoint'.",
        )
    if model.has_main and any(w.startswith("Warning: main.py does not appear") for w in model.outcome.warnings):
        yield CATALOGUE["FL409"].at(
            "main.py", Span(0, 0, 0, 0), "main.py does not appear to have a FastAPI app (the build warns)."
        )
