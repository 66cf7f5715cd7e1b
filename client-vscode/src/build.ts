// Build / Package / Cancel Build / Clean: workspace/executeCommand of the server's flash.* commands,
// the server's work-done progress shown as a cancellable notification, `flash build` output in the
// "Flash" output channel, and the package report opened as a Markdown preview.
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { FlashClient } from './client';
import { BuildFinishedParams, ManifestRequest, ProjectArg, ServerCommand, ServerCommands } from './protocol';
import { commandArg, contextProject, PreviewProvider, projectKey, projectName } from './preview';

export const PaletteCommands = {
  build: 'flash.buildProject',
  package: 'flash.packageProject',
  cancelBuild: 'flash.cancelBuildProject',
  clean: 'flash.cleanProject',
} as const;

/** Server commands that change files on disk and run the user's code: refused in Restricted Mode. */
export const NEEDS_TRUST: ReadonlySet<string> = new Set([ServerCommands.build, ServerCommands.package, ServerCommands.clean]);

export const RESTRICTED_MESSAGE =
  'Flash: builds are disabled in Restricted Mode: `flash build` runs code from this workspace. Trust the workspace to build, package or clean.';

/** Whether a server progress should be a (cancellable) notification rather than a status-bar spinner. */
export function isProminentProgress(begin: WorkDoneProgressBegin): boolean {
  return begin.cancellable === true || /\b(build|packag|clean)/i.test(begin.title);
}

function verb(command: string): string {
  switch (command) {
    case ServerCommands.build:
      return 'build';
    case ServerCommands.package:
      return 'package';
    case ServerCommands.clean:
      return 'clean';
    case ServerCommands.cancelBuild:
      return 'cancel';
    default:
      return command;
  }
}

export class BuildController implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private lastCommand = new Map<string, string>();
  /** Projects with a build or package running (their output is in the channel; no second header). */
  private running = new Set<string>();

  constructor(
    private readonly flash: FlashClient,
    private readonly previews: PreviewProvider,
    private readonly pickProject: () => Promise<string | undefined>,
  ) {
    this.output = vscode.window.createOutputChannel('Flash');
    flash.interceptCommand = (command, args) =>
      [ServerCommands.build, ServerCommands.package, ServerCommands.clean, ServerCommands.cancelBuild].includes(command as any)
        ? this.run(command as ServerCommand, commandArg<ProjectArg>(args))
        : undefined;
    this.disposables.push(
      this.output,
      flash.onBuildOutput((p) => this.output.appendLine(p.line)),
      flash.onBuildFinished((p) => void this.finished(p)),
      flash.onDidStart((client) => this.installProgressHandler(client)),
      vscode.commands.registerCommand(PaletteCommands.build, (...a: unknown[]) => this.run(ServerCommands.build, commandArg<ProjectArg>(a))),
      vscode.commands.registerCommand(PaletteCommands.package, (...a: unknown[]) => this.run(ServerCommands.package, commandArg<ProjectArg>(a))),
      vscode.commands.registerCommand(PaletteCommands.cancelBuild, (...a: unknown[]) => this.run(ServerCommands.cancelBuild, commandArg<ProjectArg>(a))),
      vscode.commands.registerCommand(PaletteCommands.clean, (...a: unknown[]) => this.run(ServerCommands.clean, commandArg<ProjectArg>(a))),
    );
  }

  /** The project a command applies to: argument, active editor, else a pick among known projects. */
  async project(arg: ProjectArg | undefined): Promise<string | undefined> {
    const where = contextProject(arg);
    if (where.project) return where.project;
    if (where.uri) {
      const m = await this.flash.request(ManifestRequest.type, { uri: where.uri });
      if (m?.project) return m.project;
    }
    return this.pickProject();
  }

  /** Runs a server command for a project (palette, CodeLens via middleware, tree context menu). */
  async run(command: ServerCommand, arg?: ProjectArg): Promise<unknown> {
    if (NEEDS_TRUST.has(command) && !vscode.workspace.isTrusted) {
      const choice = await vscode.window.showWarningMessage(RESTRICTED_MESSAGE, 'Manage Workspace Trust');
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    const project = await this.project(arg);
    if (!project) {
      void vscode.window.showWarningMessage('Flash: no Flash project found (open a file of the project first).');
      return undefined;
    }
    const key = projectKey(project);
    // a second build of a running project is refused by the server: its header stays out of the output
    const fresh = (command === ServerCommands.build || command === ServerCommands.package) && !this.running.has(key);
    if (fresh) {
      this.running.add(key);
      this.output.appendLine(`── flash ${verb(command)}: ${projectName(project)} (${new Date().toLocaleTimeString()}) ──`);
      this.output.show(true);
      this.lastCommand.set(key, command);
    }
    try {
      const result = await this.flash.requestOrThrow(ExecuteCommandRequest.type, { command, arguments: [{ project }] });
      if (fresh && (result as { started?: boolean } | undefined)?.started !== true) this.running.delete(key);
      if (command === ServerCommands.clean) void vscode.window.showInformationMessage(`Flash: cleaned ${projectName(project)}.`);
      return result;
    } catch (e: any) {
      if (fresh) this.running.delete(key);
      const message = `Flash ${verb(command)} failed: ${e?.message ?? e}`;
      this.output.appendLine(message);
      void vscode.window.showErrorMessage(message, 'Show Output').then((c) => c && this.output.show());
      return undefined;
    }
  }

  private async finished(p: BuildFinishedParams): Promise<void> {
    this.running.delete(projectKey(p.project));
    const name = projectName(p.project);
    const what = p.report || p.reportMarkdown ? 'package' : verb(this.lastCommand.get(projectKey(p.project)) ?? ServerCommands.build);
    if (p.cancelled) {
      const removed = p.removed?.length ? ` Removed the unfinished ${p.removed.join(', ')}.` : '';
      this.output.appendLine(`── ${what} cancelled ──${removed ? ` (${removed.trim()})` : ''}`);
      void vscode.window.showInformationMessage(`Flash: ${what} of ${name} cancelled.${removed}`);
    } else if (p.exitCode === 0) {
      this.output.appendLine(`── ${what} finished ──`);
      void vscode.window.showInformationMessage(`Flash: ${what} of ${name} finished.`);
    } else {
      this.output.appendLine(`── ${what} failed (exit code ${p.exitCode ?? '?'}) ──`);
      // the only pop-up for a failed build (the server leaves it to clients that show the build output)
      const message = p.summary ? `Flash: ${p.summary}.` : `Flash: ${what} of ${name} failed (exit code ${p.exitCode ?? '?'}).`;
      void vscode.window.showErrorMessage(message, 'Show Output').then((c) => c && this.output.show());
    }
    if (p.reportMarkdown) {
      const uri = this.previews.setReport(p.project, p.reportMarkdown);
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    }
  }

  /** Opens the package report: the last `Flash: Package` report, else one predicted from flash/bundleSize. */
  async showReport(arg?: ProjectArg): Promise<void> {
    const project = await this.project(arg);
    if (!project) return;
    await vscode.commands.executeCommand('markdown.showPreview', this.previews.reportUri(project));
  }

  /** Shows the server's work-done progress for builds as a cancellable notification whose Cancel
   *  sends window/workDoneProgress/cancel; other progress (indexing) stays a status-bar spinner. */
  private installProgressHandler(client: LanguageClient): void {
    const d = client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      let resolve: (() => void) | undefined;
      let ended = false;
      let last: WorkDoneProgressBegin | WorkDoneProgressReport | undefined;
      let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
      let reported = 0;
      const report = (v: WorkDoneProgressBegin | WorkDoneProgressReport) => {
        last = v;
        if (!progress) return;
        const increment = typeof v.percentage === 'number' ? Math.max(0, Math.min(100, v.percentage) - reported) : undefined;
        if (increment) reported += increment;
        progress.report({ message: v.message, increment });
      };
      const sub = client.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === 'begin') {
          const location = isProminentProgress(value) ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
          void vscode.window.withProgress(
            { location, title: value.title, cancellable: value.cancellable === true },
            (p, cancel) =>
              new Promise<void>((res) => {
                if (ended) return res();
                progress = p;
                resolve = res;
                cancel.onCancellationRequested(() => {
                  void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
                  this.output.appendLine('── cancel requested ──');
                });
                report(last ?? value);
              }),
          );
        } else if (value.kind === 'report') report(value);
        else {
          ended = true;
          sub.dispose();
          resolve?.();
        }
      });
      this.disposables.push(sub);
    });
    this.disposables.push(d);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
