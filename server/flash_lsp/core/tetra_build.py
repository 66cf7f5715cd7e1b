"""The tetra-rp build predicted for one `Project`: discovery, the manifest builder with its
deployment fields, handlers, requirements and the outcome (docs/architecture.md)."""

from __future__ import annotations

import ast
from typing import Any

from . import deps as deps_mod
from .build_process import BuildProcess
from .deployment import Deployment, deployment_fields
from .discovery import Discovery, discover
from .environment import dotenv_search_dirs, read_dotenv_text
from .files import FileTree
from .handlers import HandlerResult, generate_handlers
from .manifest import (
    _NO_FIELDS,
    MOTHERSHIP_FILES,
    BuildError,
    ManifestResult,
    build_manifest,
    detect_mothership,
    now_timestamp,
    unserialisable,
)
from .project import BuildAborted, BuildOutcome, Project, ProjectModel, checked_model


def predict(project: Project, generated_at: str | None = None, rule_overrides: dict | None = None) -> ProjectModel:
    """The whole tetra-rp build for the project's current contents."""
    tree = project.files()
    summaries = project._editor_summaries(project._scanned(tree))
    discovery = discover(list(summaries.items()), project.profile, project._last_discovery)
    project._last_discovery = discovery
    timestamp = generated_at or now_timestamp()
    outcome = BuildOutcome()
    has_main = _check_main(project, outcome)
    deployments: dict[Any, Deployment] = {}
    manifest_result, manifest, handlers = None, None, HandlerResult()
    if has_main and (discovery.functions or project.profile.manifest_without_functions):
        manifest_result, manifest, handlers = _outputs(
            project, discovery, set(tree.files), timestamp, outcome, deployments
        )
    elif has_main:
        outcome.warnings.append(project.profile.no_resources_message)
    requirements = _requirements(project, tree)
    _check_requirements(project, requirements, outcome, has_main)
    return checked_model(
        project,
        rule_overrides,
        files=tree,
        summaries=summaries,
        discovery=discovery,
        manifest=manifest,
        manifest_result=manifest_result,
        deployments=deployments,
        handlers=handlers,
        requirements=requirements,
        outcome=outcome,
        generated_at=timestamp,
        has_main=has_main,
    )


def _check_main(project: Project, outcome: BuildOutcome) -> bool:
    """`validate_project_structure`: main.py must exist; a warning when it lacks FastAPI."""
    if not project.exists("main.py"):
        outcome.succeeds = False
        outcome.errors += [f"main.py not found in {project.root}", "Not a valid Flash project"]
        return False
    if "FastAPI" not in (project.text("main.py") or ""):
        outcome.warnings.append("Warning: main.py does not appear to have a FastAPI app")
    return True


def _outputs(
    project: Project, discovery: Discovery, shipped: set[str], timestamp: str, outcome: BuildOutcome, deployments: dict
):
    """The manifest builder and the handler generators: (result, manifest, handlers)."""
    first_by_variable: dict = {}
    for fn in discovery.functions:
        first_by_variable.setdefault(fn.config_variable, fn)
    types = discovery.registry.types
    env = _build_env(project)  # once per analysis: finding `.env` walks up from the package
    project._deployments, project._deployments_used = project._deployments_used, {}
    process = _build_process(project, shipped)
    try:
        result = build_manifest(
            project.root.name,
            discovery.functions,
            project.profile,
            lambda name, var: _deployment(project, name, var, first_by_variable, types, deployments, env, process),
            lambda existing: _mothership(project, existing, shipped),
            timestamp,
            project._manifest_memo,
        )
    except BuildAborted as aborted:
        outcome.succeeds = False
        outcome.errors.append(str(aborted))
        return None, None, HandlerResult()
    manifest = _settle_manifest(project, result, outcome)
    if manifest is None:
        return result, None, HandlerResult()
    handlers = generate_handlers(manifest, project.profile, project.root / ".flash" / ".build", project.handler_memo)
    if handlers.error:  # the manifest is already written when a handler fails
        outcome.succeeds = False
        outcome.errors.append(handlers.error)
    elif handlers.warning:
        outcome.warnings.append(f"Warning: {handlers.warning}")
    if not manifest.get("resources") and outcome.succeeds:
        outcome.warnings.append(project.profile.no_resources_message)
    return result, manifest, handlers


def _check_requirements(
    project: Project, requirements: deps_mod.Requirements, outcome: BuildOutcome, has_main: bool
) -> None:
    """The exclusion warning and pip's rejection of a verbatim requirement line."""
    outcome.warnings += requirements.warnings
    if requirements.unmatched_exclusions:
        outcome.warnings.append(
            f"Warning: No packages matched exclusions: {', '.join(requirements.unmatched_exclusions)}"
        )
    rejected = [r for r in requirements.installed if deps_mod.pip_rejects(r.text)]
    if outcome.succeeds and has_main and rejected:
        outcome.succeeds = False
        outcome.errors.append("Failed to install dependencies")
        outcome.warnings.append(f"pip install failed: {deps_mod.pip_rejects(rejected[0].text)}")


def _settle_manifest(project: Project, result: ManifestResult, outcome: BuildOutcome) -> dict | None:
    error: BuildError | None = result.error
    if error is None:
        problem = unserialisable(result.manifest)
        if problem:
            outcome.warnings.append(f"Warning: Handler generation failed: {problem}")
            return None
        return result.manifest
    if error.kind == "unserialisable":
        outcome.warnings.append(f"Warning: Handler generation failed: {error.message}")
    else:
        outcome.succeeds = False
        outcome.errors.append(error.message)
    return None


def _build_process(project: Project, shipped: set[str]) -> BuildProcess:
    """The build process the config modules are imported in, one after the other."""

    def source(relpath: str):
        summary = project.summary(relpath)
        if summary.tree is not None:
            return summary.tree, summary.lines
        text = project.text(relpath)
        try:
            return (ast.parse(text), text.splitlines()) if text is not None else None
        except (SyntaxError, ValueError):
            return None

    return BuildProcess(str(project.root / ".flash" / ".build"), frozenset(shipped), source)


def _deployment(
    project: Project,
    resource,
    variable: str | None,
    first_by_variable: dict,
    types: dict,
    out: dict,
    build_env: tuple[dict[str, str], int],
    process: BuildProcess,
) -> dict:
    """The builder executes the file of the first discovered function whose config variable
    has this name (whatever its resource) and reads that variable there, all in one process."""
    first = first_by_variable.get(variable) if variable else None
    if first is None:
        return _NO_FIELDS
    summary = project.summary(first.relpath)
    if not (summary.parsed and (summary.configs or summary.remotes)):
        return _NO_FIELDS
    env, env_key = build_env
    try:
        alone = process.pristine()
        exec_key, executed = project.executed(first.relpath, env, env_key, process)
        after_others = env_key if alone else object()  # (a result that depends on earlier modules is not memoised)
        key = (first.relpath, exec_key, variable, types.get(resource, ""), after_others)
        dep = project._deployments.get(key)
        if dep is None:
            dep = deployment_fields(types.get(resource, ""), variable, first.relpath, executed, project.profile, env)
            project._deployments[key] = dep
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
        key, executed = (first.relpath, id(summary), variable), None
        dep = Deployment({}, first.relpath, analysis_error=f"{type(exc).__name__}: {exc}")
    project._deployments_used[key] = dep
    out[resource] = dep
    failure = executed.failure if executed is not None else None
    if failure is not None and failure.kind == "exit":
        raise BuildAborted(failure.message)
    return dep.fields


def _build_env(project: Project) -> tuple[dict[str, str], int]:
    """The build's environment variables as far as images go (the `.env` that importing tetra_rp
    loads, then the real environment) and a key for them; read once per content of that `.env`."""
    text = _dotenv_text(project)
    if project._env_cache is None or project._env_cache[0] != text:
        env = {**read_dotenv_text(text or ""), **project.env_vars}
        project._env_cache = (text, env, hash(tuple(sorted(env.items()))))
    return project._env_cache[1], project._env_cache[2]


def _dotenv_text(project: Project) -> str | None:
    """The first `.env` above the build interpreter's tetra_rp package: the project's own only when
    that environment lives inside the project; one outside the project only when the environment may
    be read there (a trusted workspace; docs/tetra-build.md)."""
    for directory in dotenv_search_dirs(project.environment):
        if directory == project.root:
            if project.exists(".env"):
                return project.text(".env")
        elif not project.environment.reads_outside and not directory.is_relative_to(project.root):
            continue
        elif (directory / ".env").is_file():
            try:
                return (directory / ".env").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
    return None


def _mothership(project: Project, existing: set, shipped: set[str]):
    explicit = None
    if "mothership.py" in shipped:
        summary = project.summary("mothership.py")
        explicit = summary.mothership if summary.parsed else None
    apps = []
    for name in MOTHERSHIP_FILES:
        if name in shipped:
            summary = project.summary(name)
            if summary.parsed:
                apps.append((name, summary.fastapi_app))
    return detect_mothership(existing, explicit, apps)


def _requirements(project: Project, tree: FileTree) -> deps_mod.Requirements:
    text, error = None, None
    if project.exists("requirements.txt"):
        text = project.text("requirements.txt")
        if text is None:
            error = "could not read it as UTF-8 text"
    workers = [(p, project.summary(p)) for p in tree.scan_order if p.startswith("workers/") and p.endswith(".py")]
    return deps_mod.collect(text, workers, project.exclusions, error)
