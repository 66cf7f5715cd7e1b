"""Migration to runpod 2.0 in the editor (docs/migration.md, "In the editor").

* code actions on an endpoint (its decorator, config or route): migrate its file;
* the command `flash.migrateProject` (argument `{project: <root or file URI>, apply?: bool}`): migrate
  the whole project; it asks the client to apply the edit (`workspace/applyEdit`), or with `apply:
  false` returns the edit for the client to apply itself (VS Code: as a refactoring, whose files are
  saved after the preview);
* info diagnostics (source `flash-lsp migrate`) on settings the migration cannot carry over, as
  `flash.migration.notes` says (auto: once the project's profile is runpod 2.0), planned again only
  when an open text changed or the project's change set (`Project.watch_changes`: edits and the
  file-watch events) names a file the plan reads.

Every edit carries one change annotation with `needsConfirmation: true`, so VS Code shows the refactor
preview before anything is written. Open documents are migrated from their editor text.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from lsprotocol.converters import get_converter

from ...core.project import ALL_FILES, Project
from ...core.rules.catalogue import MIGRATE
from ...migrate import Migration, migrate_project
from ...migrate.project import SKIP_DIRS
from ..convert import path_of, uri_of

if TYPE_CHECKING:
    from ..server import FlashLanguageServer
    from ..session import ProjectState

log = logging.getLogger(__name__)
COMMAND = "flash.migrateProject"
converter = get_converter()
KIND = types.CodeActionKind.RefactorRewrite
ANNOTATION = "flash-lsp.migrate"
OLD_PACKAGES = ("runpod_flash", "tetra_rp")


def open_texts(ls: FlashLanguageServer, root: Path) -> dict[str, str]:
    """Project-relative path -> editor text of the open documents under `root`."""
    out = {}
    for uri, doc in ls.workspace.text_documents.items():
        path = path_of(uri)
        if path is not None and path.suffix == ".py" and path.resolve().is_relative_to(root):
            out[path.resolve().relative_to(root).as_posix()] = doc.source
    return out


def plan(ls: FlashLanguageServer, root: Path, only: set[str] | None = None) -> Migration:
    return migrate_project(root, only=only, overlay=open_texts(ls, root))


def workspace_edit(ls: FlashLanguageServer, migration: Migration) -> types.WorkspaceEdit:
    """The migration as document changes, all under one annotation that needs confirmation."""
    changes: list = []
    for rel in sorted(migration.changes):
        uri = uri_of(migration.root / rel)
        new = migration.changes[rel]
        old = migration.originals.get(rel)
        if old is None:
            changes.append(
                types.CreateFile(
                    uri=uri, options=types.CreateFileOptions(ignore_if_exists=True), annotation_id=ANNOTATION
                )
            )
            old = ""
        doc = ls.workspace.text_documents.get(uri)
        lines = old.split("\n")
        whole = types.Range(types.Position(0, 0), types.Position(len(lines) - 1, len(lines[-1])))
        edit = types.AnnotatedTextEdit(range=whole, new_text=new, annotation_id=ANNOTATION)
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=doc.version if doc else None)
        changes.append(types.TextDocumentEdit(text_document=identifier, edits=[edit]))
    annotation = types.ChangeAnnotation(
        label="Migrate to runpod 2.0",
        needs_confirmation=True,
        description=f"{len(migration.changes)} file(s); {len(migration.notes)} note(s) on settings and calls",
    )
    return types.WorkspaceEdit(document_changes=changes, change_annotations={ANNOTATION: annotation})


def _uses_old_api(ls: FlashLanguageServer, uri: str) -> bool:
    doc = ls.workspace.text_documents.get(uri)
    return doc is not None and any(p in doc.source for p in OLD_PACKAGES)


def code_actions(ls: FlashLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Actions for the endpoint under the cursor: migrate this file, migrate the project."""
    uri = params.text_document.uri
    state = ls.session.state_for(uri)
    if state is None or not _uses_old_api(ls, uri):
        return []
    rel = state.relpath(path_of(uri).resolve())
    migration = plan(ls, state.root, only={rel})
    line = params.range.start.line
    near = sorted(
        (r for r in migration.resources.get(rel, []) if _near(r, line)), key=lambda r: r.lines[1] - r.lines[0]
    )
    names = [r.name for r in near]  # the innermost declaration first (an api class spans its routes)
    if rel not in migration.changes or not names:
        return []
    title = f"Migrate '{names[0]}' to runpod 2.0 (rewrites {rel})"
    actions = [types.CodeAction(title=title, kind=KIND, edit=workspace_edit(ls, migration))]
    actions.append(
        types.CodeAction(
            title="Migrate the whole project to runpod 2.0…",
            kind=KIND,
            command=types.Command(
                title="Migrate project to runpod 2.0", command=COMMAND, arguments=[{"project": uri_of(state.root)}]
            ),
        )
    )
    return actions


def _near(resource, line: int) -> bool:
    return resource.lines[0] <= line <= resource.lines[1]


def register(server: FlashLanguageServer) -> None:
    session = server.session

    @server.command(COMMAND)
    async def migrate_project_command(ls, *args):
        options = args[0] if args and isinstance(args[0], dict) else {}
        target = options.get("project")
        path = path_of(target) if target else None
        state = session.state_for(target) if path is not None else None
        if state is None:
            return {"applied": False, "reason": "no-project", "message": "pass {project: <root or file URI>}"}
        migration = plan(ls, state.root)
        if migration.blocked:
            message = f"Flash: not migrating: {', '.join(migration.blocked)} use the old API but do not parse."
            ls.show(message, types.MessageType.Warning)
            return {"applied": False, "reason": "unparsable", "message": message}
        if not migration.changes:
            return {"applied": False, "reason": "nothing-to-do", "message": "Flash: nothing to migrate."}
        edit = workspace_edit(ls, migration)
        if options.get("apply") is False:
            return {
                "applied": False,
                "reason": "not-applied",
                "edit": converter.unstructure(edit),
                "files": sorted(migration.changes),
                "skipped": migration.skipped,
            }
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="Migrate to runpod 2.0")
        )
        return {
            "applied": bool(result and result.applied),
            "files": sorted(migration.changes),
            "skipped": migration.skipped,
        }

    async def refresh(state: ProjectState, overlay: dict[str, str], generation: int) -> None:
        try:
            loop = asyncio.get_running_loop()
            basis, key = await loop.run_in_executor(session.executor, stale, state, overlay)
            if key is None:
                return  # nothing the plan reads changed since these notes were planned
            migration = await loop.run_in_executor(
                session.executor, lambda: migrate_project(state.root, overlay=overlay)
            )
            if generations.get(state.root) != generation:
                return  # a newer analysis planned the migration again: these notes are stale
            basis.texts = key
            session.set_external(state, MIGRATE, migration.notes)
        except Exception:  # a migration problem must never break the analysis loop
            log.exception("migration notes of %s failed", state.root)

    def wanted(state: ProjectState) -> bool:
        mode = session.settings.migration_notes
        old_api_open = any(_uses_old_api(server, uri) for uri in server.workspace.text_documents)
        return old_api_open and (mode == "on" or (mode == "auto" and state.project.profile.family == "runpod2"))

    def on_model(state: ProjectState) -> None:
        """After each analysis (on the event loop): plan the migration off the loop, then publish its notes."""
        if state.alone is not None:  # a file analysed alone is no project to migrate (nothing around it is read)
            return
        generation = generations[state.root] = generations.get(state.root, 0) + 1
        if not wanted(state):
            bases.pop(state.root, None)
            if state.found.get(MIGRATE):
                session.set_external(state, MIGRATE, [])
            return
        task = asyncio.get_running_loop().create_task(refresh(state, open_texts(server, state.root), generation))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    tasks: set[asyncio.Task] = set()
    generations: dict = {}  # project root → the number of the latest planning (older results are dropped)
    bases: dict[Path, PlanBasis] = {}  # project root → what its published notes were planned from

    def stale(state: ProjectState, overlay: dict[str, str]) -> tuple[PlanBasis, tuple | None]:
        """On the analysis thread: the project's basis, and None when its published plan still holds."""
        basis = bases.get(state.root)
        if basis is None or basis.project is not state.project:  # a new project: plan again
            basis = bases[state.root] = PlanBasis(state.project)
        return basis, basis.stale(overlay)

    session.listeners.append(on_model)


class PlanBasis:
    """What one project's published notes were planned from: the open texts, and the change set of
    the project (the files edited or reported changed since). Checking it reads no file."""

    def __init__(self, project: Project):
        self.project = project
        self.changes = project.watch_changes()
        self.texts: tuple | None = None  # the open texts' key of the published plan (None: none yet)

    def stale(self, overlay: dict[str, str]) -> tuple | None:
        """None while the published plan still holds; else the open texts' key a new plan is for."""
        if any(map(_read_by_plan, self.changes)):
            self.texts = None
        self.changes.clear()
        key = tuple(sorted((rel, hash(text)) for rel, text in overlay.items()))
        return None if key == self.texts else key


def _read_by_plan(rel: str) -> bool:
    """Whether the migration reads this project file (`migrate.project.python_files` and requirements)."""
    if rel in (ALL_FILES, "requirements.txt"):
        return True
    return rel.endswith(".py") and not SKIP_DIRS.intersection(rel.split("/")[:-1])
