// Read-only previews of what `flash build` will generate, as virtual documents:
//   flash-preview:/<project name>/flash_manifest.json?kind=manifest&project=<project uri>
//   flash-preview:/<project name>/handler_<resource>.py?kind=handler&project=…&resource=<resource>
//   flash-preview:/<project name>/<path>?kind=handler&project=…&resource=…&path=<path>  (one of the
//     endpoint's generated files: the mothership has handler_mothership.py and handlers/handler_mothership.py)
//   flash-preview:/<project name>/package-report.md?kind=report&project=…&run=<id>   (a package run's report)
//   flash-preview:/<project name>/package-report-predicted.md?kind=report&project=…  (before any run)
// Every package run's report has its own URI: VS Code's Markdown preview of a virtual document can
// keep showing what it rendered first, so a new run never reuses the URI of an earlier report.
// The file name's extension gives the language (JSON / Python / Markdown). Content comes from
// flash/manifest and flash/handler (rendered by the server from the unsaved buffers) and is
// refreshed on flash/modelChanged.
import * as vscode from 'vscode';
import { ClientCommands, HandlerPreviewArg, HandlerRequest, ManifestRequest, ProjectArg } from './protocol';
import type { RequestType } from 'vscode-languageclient';

export const SCHEME = 'flash-preview';

export type PreviewKind = 'manifest' | 'handler' | 'report';

export interface PreviewTarget {
  kind: PreviewKind;
  /** Project root URI as the server names it. */
  project: string;
  resource?: string;
  /** One of the endpoint's generated files (flash/endpoints handlerFiles); absent: its handler. */
  path?: string;
  /** A package run's report (absent: the report predicted from the size estimate). */
  run?: string;
}

/** Comparable form of a project URI or path: decoded path, no trailing slash. */
export function projectKey(project: string): string {
  let s = project;
  if (s.startsWith('file://')) s = s.slice('file://'.length);
  try {
    s = decodeURIComponent(s);
  } catch {
    /* keep */
  }
  return s.replace(/\/+$/, '');
}

export function projectName(project: string): string {
  const key = projectKey(project);
  return key.slice(key.lastIndexOf('/') + 1) || 'project';
}

export function previewFileName(target: PreviewTarget): string {
  switch (target.kind) {
    case 'manifest':
      return 'flash_manifest.json';
    case 'handler':
      return target.path ?? `handler_${target.resource}.py`;
    case 'report':
      return target.run ? 'package-report.md' : 'package-report-predicted.md';
  }
}

/** URI components of a preview; `toUri` wraps them in a vscode.Uri. */
export function previewUriParts(target: PreviewTarget): { scheme: string; path: string; query: string } {
  const query = new URLSearchParams({ kind: target.kind, project: target.project });
  if (target.resource !== undefined) query.set('resource', target.resource);
  if (target.path !== undefined) query.set('path', target.path);
  if (target.run !== undefined) query.set('run', target.run);
  return { scheme: SCHEME, path: `/${projectName(target.project)}/${previewFileName(target)}`, query: query.toString() };
}

export function previewUri(target: PreviewTarget): vscode.Uri {
  return vscode.Uri.from(previewUriParts(target));
}

export function parsePreviewUri(uri: { scheme: string; query: string }): PreviewTarget | undefined {
  if (uri.scheme !== SCHEME) return undefined;
  const q = new URLSearchParams(uri.query);
  const kind = q.get('kind') as PreviewKind | null;
  const project = q.get('project');
  if (!kind || !project || !['manifest', 'handler', 'report'].includes(kind)) return undefined;
  const resource = q.get('resource') ?? undefined;
  if (kind === 'handler' && !resource) return undefined;
  const run = q.get('run') ?? undefined;
  const path = q.get('path') ?? undefined;
  return { kind, project, resource, ...(path === undefined ? {} : { path }), ...(run === undefined ? {} : { run }) };
}

/** What the provider needs from the language client (mocked in tests). */
export interface PreviewSource {
  request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R | undefined>;
}

export function renderManifest(result: { text: string | null; succeeds: boolean | null; errors: string[]; project: string } | null | undefined): string {
  if (result === undefined) return '// Flash LSP: the server is not running (see "Flash: Show Output").\n';
  if (result === null) return '// Flash LSP: no Flash project here.\n';
  if (result.text !== null) return result.text;
  const lines = [`// flash build writes no flash_manifest.json for ${projectName(result.project)}:`];
  for (const e of result.errors) lines.push(`//   ${e}`);
  return lines.join('\n') + '\n';
}

export function renderHandler(
  result: { text: string | null; path: string } | null | undefined,
  resource: string,
  projectErrors: string[] = [],
): string {
  if (result === undefined) return '# Flash LSP: the server is not running (see "Flash: Show Output").\n';
  if (result === null) return `# Flash LSP: no endpoint named ${resource} in this project.\n`;
  if (result.text !== null) return result.text;
  const lines = [`# flash build would not write ${result.path}.`];
  for (const e of projectErrors) lines.push(`#   ${e}`);
  return lines.join('\n') + '\n';
}

export class PreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly reports = new Map<string, { run: string; markdown: string }>(); // project key → last run
  private runs = 0;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: PreviewSource,
    /** Markdown for a project's package report when no package run has produced one. */
    private readonly fallbackReport: (project: string) => Promise<string> = async () => 'No package report yet: run "Flash: Package".',
    private readonly openDocuments: () => readonly { uri: vscode.Uri }[] = () => vscode.workspace.textDocuments,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = parsePreviewUri(uri);
    if (!target) return '';
    switch (target.kind) {
      case 'manifest':
        return renderManifest(await this.source.request(ManifestRequest.type, { project: target.project }));
      case 'handler': {
        const params = { project: target.project, resource: target.resource!, ...(target.path ? { path: target.path } : {}) };
        const result = await this.source.request(HandlerRequest.type, params);
        return renderHandler(result, target.resource!);
      }
      case 'report': {
        if (target.run === undefined) return this.fallbackReport(target.project);
        const last = this.reports.get(projectKey(target.project));
        if (last?.run === target.run) return last.markdown;
        return '# Flash package report\n\nA newer **Flash: Package** run replaced this report: use **Flash: Show Package Report**.\n';
      }
    }
  }

  /** Stores the Markdown report of a package run (flash/buildFinished.reportMarkdown); its URI. */
  setReport(project: string, markdown: string): vscode.Uri {
    const run = `${Date.now()}-${++this.runs}`;
    this.reports.set(projectKey(project), { run, markdown });
    return previewUri({ kind: 'report', project, run });
  }

  /** The report to show for a project: its last package run's, else the predicted one. */
  reportUri(project: string): vscode.Uri {
    return previewUri({ kind: 'report', project, run: this.reports.get(projectKey(project))?.run });
  }

  /** Open previews of `project` (all open previews when project is undefined). */
  openPreviews(project?: string): vscode.Uri[] {
    const key = project === undefined ? undefined : projectKey(project);
    return this.openDocuments()
      .map((d) => d.uri)
      .filter((u) => {
        const t = parsePreviewUri(u);
        return t !== undefined && t.kind !== 'report' && (key === undefined || projectKey(t.project) === key);
      });
  }

  /** flash/modelChanged: re-render the project's open previews (coalesced for 100 ms). */
  modelChanged(project: string): void {
    for (const uri of this.openPreviews(project)) this.pending.add(uri.toString());
    if (!this.pending.size || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const uris = [...this.pending];
      this.pending.clear();
      for (const u of uris) this._onDidChange.fire(vscode.Uri.parse(u));
    }, 100);
  }

  refreshAll(): void {
    for (const uri of this.openPreviews()) this._onDidChange.fire(uri);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this._onDidChange.dispose();
  }
}

/** Command arguments arrive as an object (CodeLens, palette) or as [object] (command: links). */
export function commandArg<T>(args: unknown[]): T | undefined {
  const first = args[0];
  if (Array.isArray(first)) return first[0] as T;
  return (first ?? undefined) as T | undefined;
}

export async function openPreview(uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
}

/** The URI identifying "this project" for a command: argument, active preview, active editor. */
export function contextProject(arg: ProjectArg | undefined): { project?: string; uri?: string } {
  if (arg?.project) return { project: arg.project };
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active) {
    const t = parsePreviewUri(active);
    if (t) return { project: t.project };
    if (active.scheme === 'file' || active.scheme === 'untitled') return { uri: active.toString() };
  }
  return {};
}

export function registerPreviewCommands(
  provider: PreviewProvider,
  source: PreviewSource,
  pickProject: () => Promise<string | undefined>,
  pickResource: (project: string) => Promise<{ resource: string; path?: string } | undefined>,
): vscode.Disposable[] {
  const manifest = vscode.commands.registerCommand(ClientCommands.showManifestPreview, async (...args: unknown[]) => {
    let where = contextProject(commandArg<ProjectArg>(args));
    if (!where.project && !where.uri) {
      const picked = await pickProject();
      if (!picked) return;
      where = { project: picked };
    }
    const result = await source.request(ManifestRequest.type, where);
    if (!result) {
      void vscode.window.showWarningMessage(
        result === null ? 'Flash: this file is not part of a Flash project.' : 'Flash: the language server is not running (see "Flash: Show Output").',
      );
      return;
    }
    await openPreview(previewUri({ kind: 'manifest', project: result.project }));
  });
  const handler = vscode.commands.registerCommand(ClientCommands.showHandlerPreview, async (...args: unknown[]) => {
    const arg = commandArg<HandlerPreviewArg>(args);
    let where = contextProject(arg);
    let project = where.project;
    if (!project) {
      const m = where.uri ? await source.request(ManifestRequest.type, where) : undefined;
      project = m?.project ?? (await pickProject());
    }
    if (!project) return;
    const picked = arg?.resource ? { resource: arg.resource, path: arg.path } : await pickResource(project);
    if (!picked) return;
    await openPreview(previewUri({ kind: 'handler', project, resource: picked.resource, ...(picked.path ? { path: picked.path } : {}) }));
  });
  return [manifest, handler];
}
