// Flash: Migrate Project to runpod 2.0. The server's `flash.migrateProject` plans the edit
// (`apply: false`); VS Code applies it as a refactoring: its change annotation needs confirmation, so
// the Refactor Preview opens first, and the files it changed are saved once applied. Then a build with
// the real `rp` is offered (docs/migration.md, "In the editor").
import * as vscode from 'vscode';
import { ExecuteCommandRequest, WorkspaceEdit } from 'vscode-languageclient/node';
import { PaletteCommands } from './build';
import { FlashClient } from './client';
import { ProjectArg } from './protocol';
import { commandArg, projectName } from './preview';

export const MIGRATE_COMMAND = 'flash.migrateProject';
export const BUILD_WITH_RP = 'Build with rp';

/** The server's answer to `flash.migrateProject` with `apply: false`. */
interface MigrationPlan {
  applied: boolean;
  reason?: 'no-project' | 'unparsable' | 'nothing-to-do' | 'not-applied';
  message?: string;
  edit?: WorkspaceEdit;
  files?: string[];
}

export class MigrationController {
  constructor(
    private readonly flash: FlashClient,
    private readonly resolveProject: (arg: ProjectArg | undefined) => Promise<string | undefined>,
  ) {
    // the palette entry and the code action's command both reach the server command: run it here
    const previous = flash.interceptCommand;
    flash.interceptCommand = (command, args) =>
      command === MIGRATE_COMMAND ? this.run(commandArg<ProjectArg>(args)) : previous?.(command, args);
  }

  /** Plans, previews and applies the migration of a project; true when it was applied. */
  async run(arg?: ProjectArg): Promise<boolean> {
    const project = await this.resolveProject(arg);
    if (!project) {
      void vscode.window.showWarningMessage('Flash: no Flash project found (open a file of the project first).');
      return false;
    }
    let plan: MigrationPlan | undefined;
    try {
      const params = { command: MIGRATE_COMMAND, arguments: [{ project, apply: false }] };
      plan = (await this.flash.requestOrThrow(ExecuteCommandRequest.type, params)) as MigrationPlan | undefined;
    } catch (e: any) {
      void vscode.window.showErrorMessage(`Flash: migration failed: ${e?.message ?? e}`);
      return false;
    }
    const client = this.flash.client;
    if (!plan?.edit || !client) {
      // "unparsable" was shown by the server already
      if (plan?.reason === 'nothing-to-do') void vscode.window.showInformationMessage(plan.message ?? 'Flash: nothing to migrate.');
      else if (plan?.reason !== 'unparsable') void vscode.window.showWarningMessage(plan?.message ?? 'Flash: the server planned no migration.');
      return false;
    }
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(plan.edit);
    if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: true }))) {
      void vscode.window.showInformationMessage(`Flash: the migration of ${projectName(project)} was not applied.`);
      return false;
    }
    await saveChanged(edit);
    const files = plan.files?.length ?? edit.size;
    const choice = await vscode.window.showInformationMessage(
      `Flash: migrated ${projectName(project)} to runpod 2.0 (${files} file${files === 1 ? '' : 's'}).`,
      BUILD_WITH_RP,
    );
    if (choice === BUILD_WITH_RP) await vscode.commands.executeCommand(PaletteCommands.build, { project });
    return true;
  }
}

/** Saves the documents the edit changed that are still dirty (VS Code saves a refactoring of more
 *  than one file itself when `files.refactoring.autoSave` is on). */
async function saveChanged(edit: vscode.WorkspaceEdit): Promise<void> {
  const changed = new Set(edit.entries().map(([uri]) => uri.toString()));
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && changed.has(d.uri.toString()));
  await Promise.all(dirty.map((d) => d.save()));
}
