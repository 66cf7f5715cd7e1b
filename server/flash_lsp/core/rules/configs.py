"""Rules about how `@remote` configs resolve (FL101–FL107)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config_uses import distinct_configs
from ..imports import module_file
from ..model import Diagnostic, Related, Severity
from ..profiles import RESOURCE_CLASSES
from . import per_file
from .catalogue import CATALOGUE

if TYPE_CHECKING:
    from ..discovery import DiscoveredFunction
    from ..project import Project, ProjectModel

FALLBACK = (
    "lands in an endpoint keyed '{key}' (the variable name) with resource_type LiveServerless and no deployment fields"
)


def check(model: ProjectModel, project: Project) -> Iterator[Diagnostic]:
    for fn in model.functions:
        ref = fn.decl.config
        if ref.kind == "name":
            yield from _named(fn, model)
        elif ref.kind == "inline":
            yield _inline(fn)
    for relpath, summary in model.summaries.items():
        if summary.configs:
            yield from per_file(project, "config-names", relpath, summary, lambda: _config_names(relpath, summary))  # noqa: B023 - called before the loop moves on
    yield from _merged(model)


def _named(fn: DiscoveredFunction, model: ProjectModel) -> Iterator[Diagnostic]:
    summary = model.summaries[fn.relpath]
    name = fn.decl.config.text
    span = fn.decl.config.span
    binding = summary.bindings.get(name)
    if binding is None:
        where = "is only assigned inside a function" if fn.resolution == "module" else "is not defined"
        consequence = (
            f"The build still creates an endpoint '{fn.resource}' for it, but the worker fails with "
            f"NameError when it imports {fn.relpath}."
        )
        yield CATALOGUE["FL101"].at(fn.relpath, span, f"'{name}' {where} in {fn.relpath}. {consequence}")
        return
    if fn.resolution == "fallback":
        yield from _unrecognised(fn, name, binding, model)
    elif fn.decl.parent == "" and binding.span.line > fn.decl.decorator_span.line:
        yield CATALOGUE["FL102"].at(
            fn.relpath,
            span,
            f"'{name}' is assigned on line {binding.span.line + 1}, after this decorator: the build accepts it, "
            f"but importing {fn.relpath} raises NameError (in the worker, and when the build reads the "
            f"deployment fields).",
            (Related(fn.relpath, binding.span, f"'{name}' is assigned here"),),
        )


def _unrecognised(fn: DiscoveredFunction, name: str, binding, model: ProjectModel) -> Iterator[Diagnostic]:
    summary = model.summaries[fn.relpath]
    span = fn.decl.config.span
    key = fn.resource
    if binding.kind == "import":
        target = module_file(binding.detail, fn.relpath, model.files.files)
        related: tuple[Related, ...] = ()
        detail = ""
        if target:
            assign = next(
                (
                    a
                    for a in model.summaries.get(target, summary).configs
                    if a.variable == (binding.imported_name or name)
                ),
                None,
            )
            if assign is not None:
                real = assign.name_value if assign.name_value else assign.variable
                detail = f" The config in {target} says name={real!r}, {assign.type_name}."
                related = (Related(target, assign.span, f"{assign.variable} = {assign.type_name}(name={real!r}, …)"),)
        yield CATALOGUE["FL104"].at(
            fn.relpath,
            span,
            f"'{name}' is imported from {binding.detail}: the build does not follow imports, so '{fn.name}' "
            + FALLBACK.format(key=key)
            + f".{detail} Define the config in this module, or give it name={name!r}.",
            related,
        )
        return
    if binding.kind == "annassign":
        reason = "annotated assignments (`x: T = T(...)`) are not registered by the build's scanner"
    elif binding.kind == "unpack":
        reason = "tuple/attribute assignments are not registered by the build's scanner"
    elif binding.kind == "assign" and binding.detail:
        alias = next((real for alias, real, _ in summary.class_aliases if alias == binding.detail), None)
        if alias:
            reason = f"'{binding.detail}' is an alias of {alias}; the build only recognises the class by its own name"
        elif binding.detail not in RESOURCE_CLASSES:
            reason = f"'{binding.detail}' is not one of the resource classes ({', '.join(RESOURCE_CLASSES)})"
        else:
            reason = "the build did not register this assignment"
    else:
        reason = f"'{name}' is not assigned from a resource class call"
    yield CATALOGUE["FL103"].at(
        fn.relpath,
        span,
        f"{reason}, so '{fn.name}' " + FALLBACK.format(key=key) + ".",
        (Related(fn.relpath, binding.span, f"'{name}' is bound here"),),
    )


def _inline(fn: DiscoveredFunction) -> Diagnostic:
    ref = fn.decl.config
    message = f"Inline config: the build lists endpoint '{fn.resource}' as resource_type '{fn.resource_type}'"
    if ref.inline_type != fn.resource_type:
        message += f" although this is a {ref.inline_type}"
    if not fn.config_variable:
        message += ", with no deployment fields"
    return CATALOGUE["FL105"].at(fn.relpath, ref.span, message + ". Assign the config to a module-level variable.")


def _config_names(relpath: str, summary) -> Iterator[Diagnostic]:
    """Configs of this file whose resource key will be the variable name."""
    for assign in summary.configs:
        if assign.name_span is None and assign.star_kwargs:  # a name= inside the `**` mapping still validates
            yield CATALOGUE["FL106"].at(
                relpath,
                assign.call_span,
                f"{assign.type_name} has no literal name= (a name passed through ** satisfies validation, but "
                f"the build's scanner does not read it): the build keys this endpoint as '{assign.variable}' "
                f"(the variable name).",
            )
        elif assign.name_span is None:
            yield replace(
                CATALOGUE["FL106"].at(
                    relpath,
                    assign.call_span,
                    f"{assign.type_name} has no name=: the build keys this endpoint as '{assign.variable}' "
                    f"(the variable name), and the config fails validation (name is required).",
                ),
                severity=Severity.ERROR,
            )
        elif not isinstance(assign.name_value, str) or not assign.name_value:
            yield CATALOGUE["FL106"].at(
                relpath,
                assign.name_span,
                f"name= is not a non-empty string literal: the build keys this endpoint as "
                f"'{assign.variable}' (the variable name), not by this value.",
            )


def _symlinked_copies(root: Path, paths: list[str]) -> str:
    """Sentences naming the paths that are symlinks to another of `paths` (the build copies a link
    as a file of its own, so one config is scanned twice)."""
    real = {p: os.path.realpath(root / p) for p in paths}
    real_root = os.path.realpath(root)
    notes = []
    for path in paths:
        target = next((o for o in paths if o != path and real[o] == real[path] == os.path.join(real_root, o)), None)
        if target is not None:
            notes.append(
                f" {path} is a symlink to {target}: the build copies it as a second module, so its config counts twice."
            )
    return "".join(notes)


def _merged(model: ProjectModel) -> Iterator[Diagnostic]:
    for name, assigns in model.discovery.registry.assignments.items():
        configs = distinct_configs(assigns)
        if len(configs) < 2:
            continue
        last_path, last = assigns[-1]
        links = _symlinked_copies(model.root, sorted({p for p, _ in configs}))
        for path, assign in configs:
            others = tuple(
                Related(p, a.span, f"{a.variable} = {a.type_name}(name={name!r})")
                for p, a in configs
                if a is not assign
            )
            yield CATALOGUE["FL107"].at(
                path,
                assign.name_span or assign.span,
                f"{len(configs)} configs use name={name!r}: the build merges their functions into one endpoint "
                f"and takes its type from the last one scanned ({last.type_name} in {last_path}).{links}",
                others,
            )
