"""The simulated import scan redone for the files whose module-level code changed, reusing every
other file's import (docs/flash1.md, "Incremental scan").

A file's import is redone alone when it is self-contained in the scan's order: before and after
the edit it imports no project module that was not already loaded by an earlier file, changes no
`sys.path`, and no other file imports it. Then no other file's import can see the difference, and
the scan is the same as a full one. Anything else returns None, and the caller scans everything.
"""

from __future__ import annotations

from .imports import Imports
from .scanner import FileRun, Scan, add_run, refresh_cross_calls, run_file
from .values import ModuleValue


def rescan(
    previous: Scan,
    imports: Imports,
    scanned: list[str],
    changed: set[str],
    client_mode: bool,
    features: frozenset[str] | None = None,
) -> Scan | None:
    """The scan after `changed` files were edited, or None when a full scan is needed (`features`:
    the profile's release switches, as for `scan`)."""
    if previous.error is not None or len(previous.runs) != len(scanned):
        return None  # the previous scan stopped early: later files have no recorded import
    index = {run.relpath: i for i, run in enumerate(previous.runs)}
    runs = list(previous.runs)
    for relpath in changed:
        i = index.get(relpath)
        if i is None or runs[i].changes_state or relpath in previous.imported:
            return None
        run = _rerun(imports, previous, i, relpath, features)
        if run is None:
            return None
        runs[i] = run
    result = Scan(runs=runs, loaded_at=previous.loaded_at, imported=previous.imported, bound_at=previous.bound_at)
    seen: set[str] = set()
    for run in runs:
        if not add_run(result, run, client_mode, imports.build_dir, seen):
            return result
    refresh_cross_calls(result.functions, imports)
    return result


def _rerun(imports: Imports, previous: Scan, i: int, relpath: str, features: frozenset[str] | None) -> FileRun | None:
    """Import `relpath` again with `sys.modules` and `sys.path` as the scan had them at its turn."""
    saved = imports.modules, imports.roots, imports.opaque_path
    roots, opaque = previous.runs[i].state_before
    imports.modules = _modules_at(previous, imports.modules, i)
    imports.roots, imports.opaque_path = list(roots), opaque
    old_effects = imports.side_effects.pop(relpath, None)
    try:
        run = run_file(imports, relpath, features)
    finally:
        imports.modules, imports.roots, imports.opaque_path = saved
    if run.changes_state:  # it now imports a module no earlier file loaded: the full scan decides
        if old_effects is not None:
            imports.side_effects[relpath] = old_effects
        return None
    return run


def _modules_at(previous: Scan, modules: dict[str, ModuleValue], i: int) -> dict[str, ModuleValue]:
    """The project modules loaded before run `i`; packages lose the attributes set later."""
    out = {}
    for name, module in modules.items():
        if previous.loaded_at.get(name, -1) >= i:
            continue
        later = [key for key in module.bindings if previous.bound_at.get((name, key), -1) >= i]
        if later:
            kept = {k: v for k, v in module.bindings.items() if k not in later}
            module = ModuleValue(module.name, module.relpath, kept, module.opaque)
        out[name] = module
    return out
