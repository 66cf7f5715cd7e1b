"""The `rp flash deploy --build-only` run predicted for one `Project` (docs/runpod2.md,
"Pipeline"): discovery, then per App (in discovery order) its requirements, manifest and
artifact, returned as the `ProjectModel` the other families build so that the CLI and the editor
work unchanged. The per-App results are kept on the model as `model.__dict__["runpod2"]`.
"""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import deps as deps_mod
from ..discovery import DiscoveredFunction, Discovery, Registry
from ..handlers import HandlerResult
from ..imports import module_name  # the SDK's `_module_path_for`
from ..manifest import now_timestamp
from ..model import Span
from ..module_exec import execution_key
from ..summary import ConfigRef, Literal, RemoteDecl
from . import sdk
from .discovery import Discovered, discover
from .files import all_python, collect
from .spec import Resource, manifest_entry

if TYPE_CHECKING:
    from ..project import Project, ProjectModel

NO_APP = 'no runpod.App found. define one with:\n\n    from runpod import App\n    app = App("my-app")'


@dataclass
class Artifact:
    """One App's build: `<app>-artifact.tar.gz` with its manifest and requirements."""

    app: object
    name: str
    requirements: list[str]  # the user's, after exclusion, in the order pip gets them
    excluded: list[str]
    runtime: tuple[str, ...]
    manifest: dict | None = None


@dataclass
class Prediction:
    python_version: str
    discovered: Discovered
    artifacts: list[Artifact] = field(default_factory=list)

    def manifest_text(self) -> str | None:
        """Each built artifact's `runpod_manifest.json` (`json.dumps(indent=2)`), one per App,
        separated by a newline; one App gives the file exactly."""
        texts = [json.dumps(a.manifest, indent=2) for a in self.artifacts if a.manifest is not None]
        return "\n".join(texts) if texts else None


def python_version(local: str) -> tuple[str, str | None]:
    """The worker Python: the build interpreter's when it has runtime images, else the default."""
    if local in sdk.SUPPORTED_PYTHONS:
        return local, None
    return (
        sdk.DEFAULT_PYTHON,
        f"local python has no runtime image; building for {sdk.DEFAULT_PYTHON} (override with --python-version)",
    )


def analyze(project: Project, generated_at: str | None = None, rule_overrides: dict | None = None) -> ProjectModel:
    from ..project import BuildOutcome, checked_model

    outcome = BuildOutcome()
    version, warning = python_version(project.environment.python_version)
    if warning:
        outcome.warnings.append(warning)
    discovered = _discover(project)
    prediction = Prediction(version, discovered)
    outcome.warnings += [f.message for f in discovered.failures]
    if not discovered.apps:
        outcome.succeeds = False
        failures = [f.message for f in discovered.failures]
        outcome.errors += (
            ["no runpod.App found; some files failed to import:", *(f"  {m}" for m in failures)]
            if failures
            else NO_APP.split("\n")
        )
    tree = _shipped(project, discovered.executed)
    for app in discovered.apps:
        artifact = _artifact(project, app, version)
        prediction.artifacts.append(artifact)
        error = _too_short(app)
        if error:
            outcome.succeeds = False
            outcome.errors.append(error)
            break
        artifact.manifest = _memo(
            project,
            f"manifest:{app.name}",
            app,
            (version, artifact.excluded),
            lambda: _manifest(app, version, artifact.excluded),  # noqa: B023 - called before the loop moves on
        )
    requirements = deps_mod.Requirements()
    for artifact in prediction.artifacts[:1]:
        requirements.installed = [
            deps_mod.Requirement(r, "requirements.txt", Span(0, 0, 0, 0)) for r in artifact.requirements
        ]
        requirements.collected = list(requirements.installed)
    first = prediction.artifacts[0].manifest if prediction.artifacts else None
    return checked_model(
        project,
        rule_overrides,
        {"runpod2": prediction},
        files=tree,
        summaries={p: project.editor_summary(p) for p in discovered.files if project.text(p) is not None},
        discovery=_memo(project, "discovery", discovered, None, lambda: _discovery(discovered)),
        manifest=first,
        manifest_result=None,
        deployments={},
        handlers=HandlerResult(),
        requirements=requirements,
        outcome=outcome,
        generated_at=generated_at or now_timestamp(),
        has_main=True,
    )


def _shipped(project: Project, executed: list[str]):
    """The shipped files, counting the bytecode discovery's imports leave in `__pycache__/`
    (shipped only where an ignore rule lets `__pycache__` through)."""
    tree = project.files()
    tag = "cpython-" + project.environment.python_version.replace(".", "")
    pycs = tuple(
        sorted(
            {
                f"{p.rpartition('/')[0] + '/' if '/' in p else ''}__pycache__/{p.rpartition('/')[2][:-3]}.{tag}.pyc"
                for p in executed
            }
        )
    )
    if not pycs:
        return tree
    cached = project.__dict__.get("_runpod2_shipped")
    if cached is None or cached[0] is not tree or cached[1] != pycs:
        cached = project.__dict__["_runpod2_shipped"] = (
            tree,
            pycs,
            collect(project.root, project.overrides, generated=pycs),
        )
    return cached[2]


def _discover(project: Project):
    """Discovery, reused while no file's module-level code changed (an edit inside a function
    body keeps every position and value the simulation reads)."""
    environment = project.environment
    files = all_python(project.root, project.overrides)
    key = (tuple((p, _parsed(project, p)[1]) for p in files), environment)
    cached = project.__dict__.get("_runpod2_discovered")
    if cached is not None and cached[0] == key:
        return cached[1]
    importable = lambda name: name in sys.stdlib_module_names or environment.importable(name)  # noqa: E731
    discovered = discover(str(project.root), files, lambda p: _parsed(project, p)[0], importable)
    project.__dict__["_runpod2_discovered"] = (key, discovered)
    return discovered


def _parsed(project: Project, relpath: str):
    """((tree, lines, None) or (None, lines, (SyntaxError text, span)), execution key) of a file."""
    text = project.text(relpath)
    cache = project.__dict__.setdefault("_runpod2_parsed", {})
    hit = cache.get(relpath)
    if hit is not None and hit[0] is text:
        return hit[1]
    result = _parse(relpath, text)
    cache[relpath] = (text, (result, execution_key(result[0], result[1]) if result[0] is not None else result[2][0]))
    return cache[relpath][1]


def _parse(relpath: str, text: str | None):
    if text is None:
        return None, [], ("'utf-8' codec can't decode the file", Span(0, 0, 0, 0))
    lines = text.splitlines()
    try:
        result = (
            compile(text, relpath.rsplit("/", 1)[-1], "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True),
            lines,
            None,
        )
    except SyntaxError as exc:
        line = max((exc.lineno or 1) - 1, 0)
        result = (
            None,
            lines,
            (str(exc), Span(line, max((exc.offset or 1) - 1, 0), line, len(lines[line]) if line < len(lines) else 0)),
        )
    except ValueError as exc:
        result = (None, lines, (str(exc), Span(0, 0, 0, 0)))
    return result


def _requirements_txt(project: Project) -> list[str]:
    text = project.text("requirements.txt") or ""
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith(("#", "-"))]


def _artifact(project: Project, app, version: str) -> Artifact:
    """`collect_requirements` + `split_exclusions`: requirements.txt first, then each resource's
    dependencies, first spec per name; torch & co. left out when every resource is GPU on a
    built-in image; api workers add FastAPI and uvicorn."""
    wanted = _requirements_txt(project)
    for resource in app.resources.values():
        deps = resource.settings.get("dependencies") or []
        wanted += [d for d in deps if isinstance(d, str)]
    unique, seen = [], set()
    for req in wanted:
        if sdk.requirement_name(req) not in seen:
            seen.add(sdk.requirement_name(req))
            unique.append(req)
    auto = all(r.is_gpu and not r.settings.get("image") for r in app.resources.values())
    excluded_names = {sdk.requirement_name(e) for e in project.exclusions} | (
        set(sdk.SIZE_PROHIBITIVE) if auto else set()
    )
    kept = [r for r in unique if sdk.requirement_name(r) not in excluded_names]
    excluded = sorted({sdk.requirement_name(r) for r in unique if sdk.requirement_name(r) in excluded_names})
    runtime = sdk.RUNTIME_REQUIREMENTS + (
        sdk.API_RUNTIME_REQUIREMENTS if any(r.kind == "api" for r in app.resources.values()) else ()
    )
    return Artifact(app, f"{app.name}-artifact.tar.gz", kept, excluded, runtime)


def _too_short(app) -> str | None:
    for resource in app.resources.values():
        if resource.kind in ("queue", "api") and len(resource.name) < 3:
            return (
                f"resource name '{resource.name}' is too short to deploy; "
                "queue and api names must be at least 3 characters"
            )
    return None


def _memo(project: Project, name: str, anchor, extra, compute):
    """`compute()`, reused while `anchor` is the same object (the App or discovery of an unchanged
    discovery) and `extra` is equal."""
    memo = project.__dict__.setdefault("_runpod2_memo", {})
    hit = memo.get(name)
    if hit is None or hit[0] is not anchor or hit[1] != extra:
        hit = memo[name] = (anchor, extra, compute())
    return hit[2]


def _manifest(app, version: str, excluded: list[str]) -> dict:
    manifest = {
        "version": sdk.MANIFEST_VERSION,
        "app": app.name,
        "pythonVersion": version,
        "resources": [manifest_entry(r, module_name(r.relpath)) for r in app.resources.values()],
    }
    if excluded:
        manifest["excludedPackages"] = excluded
    return manifest


def _discovery(discovered: Discovered) -> Discovery:
    functions = [_function(app, r) for app in discovered.apps for r in app.resources.values()]
    failures = {f.relpath: f"{f.kind}: {f.message}" for f in discovered.failures}
    return Discovery(functions, Registry(), discovered.files, failures)


def _function(app, resource: Resource) -> DiscoveredFunction:
    """A resource in the shape the editor's tree, hovers and CodeLens read."""
    node = resource.node
    is_class = isinstance(node, ast.ClassDef)
    kind = "class" if is_class else "async" if isinstance(node, ast.AsyncFunctionDef) else "function"
    span = Span(node.lineno - 1, node.col_offset, node.lineno - 1, node.col_offset + len(node.name))
    decorator = resource.decorator
    decorator_span = Span(
        decorator.lineno - 1,
        decorator.col_offset,
        (decorator.end_lineno or decorator.lineno) - 1,
        decorator.end_col_offset or 0,
    )
    method = resource.routes[0][0] if resource.routes else None
    path = resource.routes[0][1] if resource.routes else None
    decl = RemoteDecl(
        name=node.name,
        kind=kind,
        span=span,
        decorator_span=decorator_span,
        config=ConfigRef("inline", app.name, resource.name, resource.kind),
        method=Literal(method is not None, True, method),
        path=Literal(path is not None, True, path),
        parent="",
    )
    return DiscoveredFunction(
        node.name,
        module_name(resource.relpath),
        resource.relpath,
        resource.name,
        resource.kind,
        kind == "async",
        is_class,
        method,
        path,
        resource.kind == "api",
        True,
        None,
        decl,
        "module",
    )
