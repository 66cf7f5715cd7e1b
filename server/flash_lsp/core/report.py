"""Human-readable and JSON summaries of a project model (used by the CLI and the server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .manifest import group, manifest_entries

if TYPE_CHECKING:
    from .project import ProjectModel


def endpoints(model: ProjectModel) -> list[dict]:
    """One entry per predicted resource: key, type, flags, functions and their locations."""
    resources = manifest_entries(model)
    out = []
    for key, fns in sorted(group(model.functions).items(), key=lambda kv: str(kv[0])):
        first = fns[0]
        entry = resources.get(key, {})
        out.append(
            {
                "name": str(key),
                "resource_type": first.resource_type,
                "is_load_balanced": first.is_load_balanced,
                "is_live_resource": first.is_live_resource,
                "config_variable": first.config_variable,
                "handler_file": _output_file(model, key),
                "deployment": {k: v for k, v in entry.items() if k in DEPLOYMENT_KEYS},
                "functions": [
                    {
                        "name": f.name,
                        "module": f.module,
                        "path": f.relpath,
                        "line": f.decl.span.line,
                        "kind": f.decl.kind,
                        **({"route": f"{f.http_method} {f.http_path}"} if first.is_load_balanced else {}),
                    }
                    for f in fns
                ],
            }
        )
    mothership = model.manifest_result.mothership if model.manifest_result else None
    if mothership is not None and model.manifest is not None:
        out.append(
            {
                "name": mothership.key,
                "resource_type": mothership.type_name,
                "is_load_balanced": True,
                "is_live_resource": True,
                "config_variable": None,
                "handler_file": "handler_mothership.py",
                "mothership": {
                    "explicit": mothership.explicit,
                    "app": f"{mothership.main_file}:{mothership.app_variable}",
                },
                "deployment": {},
                "functions": [],
            }
        )
    return out


def _output_file(model: ProjectModel, key) -> str:
    """The generated file serving a resource: its handler, or (runpod 2.0) its App's artifact."""
    prediction = model.__dict__.get("runpod2")
    if prediction is None:
        return f"handler_{key}.py"
    return next((a.name for a in prediction.artifacts if key in a.app.resources), "")


DEPLOYMENT_KEYS = ("imageName", "templateId", "gpuIds", "workersMin", "workersMax", "template")


def render_check_text(model: ProjectModel, profile_reason: str = "") -> str:
    """Diagnostics, then a header naming the profile in force (and why), then the endpoints."""
    lines = []
    for d in sorted(model.diagnostics, key=lambda d: (d.path, d.span.line, d.span.col, d.code)):
        where = f"{d.path or '.'}:{d.span.line + 1}:{d.span.col + 1}"
        lines.append(f"{where}: {d.code} {d.severity.name.lower()} {d.message}")
    if lines:
        lines.append("")
    eps = endpoints(model)
    release = f", as {model.profile.release}" if model.profile.release else ""
    why = f"; {profile_reason}" if profile_reason else ""
    lines.append(
        f"{model.project_name} — profile {model.profile.name} ({model.profile.label}{release}{why}) — {len(eps)} endpoint(s), {len(model.functions)} function(s)"
    )
    for ep in eps:
        kind = "LB" if ep["is_load_balanced"] else "QB"
        live = " live" if ep["is_live_resource"] else ""
        lines.append(f"  {ep['name']:<28} {ep['resource_type']:<26} {kind}{live}  → {ep['handler_file']}")
        for fn in ep["functions"]:
            route = f"  {fn['route']}" if "route" in fn else ""
            lines.append(f"      {fn['name']:<24} {fn['path']}:{fn['line'] + 1}{route}")
        if ep.get("mothership"):
            lines.append(f"      serves {ep['mothership']['app']}")
    outcome = model.outcome
    lines.append("")
    build = "rp flash deploy --build-only" if model.profile.family == "runpod2" else "flash build"
    counts = f"{len(model.files.files)} files, {len(model.requirements.installed)} requirement(s)"
    if outcome.succeeds is None and outcome.uncertain:  # a request at import decides it
        lines.append(f"{build}: uncertain ({counts})")
    elif outcome.succeeds is None:  # the analysis finds nothing wrong, but pip's verdict is unknown
        lines.append(f"{build}: unknown ({counts})")
    elif outcome.succeeds:
        lines.append(f"{build}: succeeds ({counts})")
    else:
        lines.append(f"{build}: FAILS — " + "; ".join(outcome.errors))
    lines += [f"  {w}" for w in outcome.warnings]
    return "\n".join(lines)
