// "Flash Endpoints" tree: project → endpoint (type, GPU/CPU, LB/QB, predicted size) → functions.
// Built from the flash/endpoints result; refreshed on flash/modelChanged; click reveals the code.
import * as vscode from 'vscode';
import type { FlashClient } from './client';
import { ClientCommands, Endpoint, EndpointFunction, EndpointsProject, EndpointsRequest, EndpointsResult, Location } from './protocol';

export type NodeKind = 'project' | 'endpoint' | 'function' | 'error' | 'message';

/** Editor-independent tree node (unit-tested); toTreeItem() maps it to VS Code. */
export interface FlashNode {
  kind: NodeKind;
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  location?: Location;
  project?: string;
  resource?: string;
  children: FlashNode[];
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${(bytes / 1073741824).toFixed(2)} GB`;
}

/** One line per directory that makes up most of the archive: "99.0 MB of it is .venv/ (shipped: add it to .flashignore)". */
export function contributorLines(contributors: readonly { path: string; bytes: number; advice?: string }[] | undefined): string[] {
  return (contributors ?? []).map((c) => `${formatBytes(c.bytes)} of it is ${c.path}${c.advice ? ` (${c.advice})` : ''}`);
}

export function endpointDescription(ep: Endpoint): string {
  const parts = [ep.resourceType, ep.compute, ep.loadBalanced ? 'LB' : 'QB'];
  if (ep.live) parts.push('live');
  if (ep.mothership) parts.push('mothership');
  const size = formatBytes(ep.sizeBytes);
  if (size) parts.push(size);
  return parts.join(' · ');
}

function functionNode(project: EndpointsProject, ep: Endpoint, fn: EndpointFunction): FlashNode {
  const kind = fn.kind === 'class' ? 'class' : fn.kind === 'async' ? 'async def' : 'def';
  return {
    kind: 'function',
    id: `${project.uri}#${ep.name}#${fn.module ?? ''}.${fn.name}`,
    label: fn.name,
    description: fn.route ?? kind,
    tooltip: [`${kind} ${fn.name}`, fn.module ? `module ${fn.module}` : '', fn.route ? `route ${fn.route}` : ''].filter(Boolean).join('\n'),
    icon: fn.kind === 'class' ? 'symbol-class' : 'symbol-function',
    location: fn.location,
    project: project.uri,
    resource: ep.name,
    children: [],
  };
}

function endpointNode(project: EndpointsProject, ep: Endpoint): FlashNode {
  const size = formatBytes(ep.sizeBytes);
  return {
    kind: 'endpoint',
    id: `${project.uri}#${ep.name}`,
    label: ep.name,
    description: endpointDescription(ep),
    tooltip: [
      `${ep.name}: ${ep.resourceType}`,
      `${ep.compute}, ${ep.loadBalanced ? 'load-balanced (LB)' : 'queue-based (QB)'}${ep.live ? ', live' : ''}`,
      `handler: ${ep.handlerFile}`,
      // the archive is the status bar's figure; an endpoint's own figure is what it needs alone
      formatBytes(project.archiveBytes) ? `predicted archive (all endpoints): ${formatBytes(project.archiveBytes)}` : '',
      ...contributorLines(project.sizeContributors),
      size ? `this endpoint alone: ${size} (its packages, the project files and tar overhead)` : '',
      `${ep.functions.length} function(s)`,
    ].filter(Boolean).join('\n'),
    icon: ep.mothership ? 'home' : ep.compute === 'GPU' ? 'circuit-board' : 'server',
    location: ep.location ?? ep.functions[0]?.location,
    project: project.uri,
    resource: ep.name,
    children: ep.functions.map((fn) => functionNode(project, ep, fn)),
  };
}

/** How the build ends, for the project's description: nothing when it succeeds; null `succeeds`
 * means pip's verdict on the requirements is not known yet, or, with `uncertain` steps, that a
 * request at import decides it. */
function outcomeWords(project: EndpointsProject): string {
  if (project.succeeds === null) return project.uncertain?.length ? ' · build outcome uncertain' : ' · build outcome unknown';
  return project.succeeds ? '' : ' · build fails';
}

/** The tree for a flash/endpoints result. */
export function buildTree(result: EndpointsResult | null | undefined): FlashNode[] {
  const projects = result?.projects ?? [];
  return projects.map((project) => {
    const errors: FlashNode[] = project.errors.map((message, i) => ({
      kind: 'error',
      id: `${project.uri}#error${i}`,
      label: message,
      tooltip: message,
      icon: 'error',
      project: project.uri,
      children: [],
    }));
    const endpoints = project.endpoints.map((ep) => endpointNode(project, ep));
    const functions = project.endpoints.reduce((n, ep) => n + ep.functions.length, 0);
    return {
      kind: 'project',
      id: project.uri,
      label: project.name,
      description: `${project.profile} · ${endpoints.length} endpoint(s) · ${functions} function(s)${outcomeWords(project)}`,
      tooltip: [
        project.uri,
        `profile ${project.profile}`,
        formatBytes(project.archiveBytes) ? `predicted archive: ${formatBytes(project.archiveBytes)}` : '',
        ...contributorLines(project.sizeContributors),
        project.succeeds === false ? `the build would fail:\n${project.errors.join('\n')}` : '',
        project.succeeds === null ? (project.warnings ?? []).filter((w) => /^(Unknown|Uncertain): /.test(w)).join('\n') : '',
      ].filter(Boolean).join('\n'),
      icon: project.succeeds ? 'rocket' : project.succeeds === null ? 'question' : 'warning',
      project: project.uri,
      children: [...errors, ...endpoints],
    };
  });
}

export const REVEAL_COMMAND = 'flash.revealLocation';

export function toTreeItem(node: FlashNode): vscode.TreeItem {
  const state = node.children.length
    ? node.kind === 'project'
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Expanded
    : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(node.label, state);
  item.id = node.id;
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.iconPath = new vscode.ThemeIcon(node.icon, node.kind === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  item.contextValue = node.kind;
  if (node.location) {
    item.command = { command: REVEAL_COMMAND, title: 'Reveal', arguments: [node.location] };
  } else if (node.kind === 'endpoint' && node.project && node.resource) {
    // nothing to reveal (the mothership, which has no code of its own): its generated handler
    item.command = { command: ClientCommands.showHandlerPreview, title: 'Show Handler Preview', arguments: [{ project: node.project, resource: node.resource }] };
  } else if (node.kind === 'project' && node.project) {
    item.command = { command: ClientCommands.showManifestPreview, title: 'Show Manifest Preview', arguments: [{ project: node.project }] };
  }
  return item;
}

export class EndpointsTree implements vscode.TreeDataProvider<FlashNode>, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<FlashNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChange.event;
  private roots: FlashNode[] = [];
  private result: EndpointsResult | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private loaded = false;
  private indexed = false; // the server has finished looking for projects (flash/indexStatus ready)

  constructor(private readonly flash: FlashClient) {
    this.disposables.push(
      this._onDidChange,
      flash.onModelChanged(() => this.scheduleRefresh()),
      flash.onBundleSizeChanged(() => this.scheduleRefresh()), // sizes in descriptions and tooltips
      flash.onDidStart(() => this.scheduleRefresh(0)),
      flash.onIndexStatus((s) => {
        const indexed = s.state === 'ready';
        if (indexed !== this.indexed) {
          this.indexed = indexed;
          this.scheduleRefresh(indexed ? 200 : 0);
        }
      }),
    );
  }

  /** The last flash/endpoints result (used to pick a project for commands). */
  get projects(): EndpointsProject[] {
    return this.result?.projects ?? [];
  }

  scheduleRefresh(delay = 200): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  async refresh(): Promise<void> {
    const result = await this.flash.request(EndpointsRequest.type, null);
    this.loaded = true;
    if (result === undefined) return;
    this.result = result ?? { projects: [] };
    this.roots = buildTree(this.result);
    this._onDidChange.fire(undefined);
  }

  getTreeItem(node: FlashNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  getChildren(node?: FlashNode): FlashNode[] {
    if (node) return node.children;
    if (!this.loaded && !this.flash.running) return [];
    if (!this.roots.length && this.loaded && !this.indexed) {
      return [{ kind: 'message', id: 'searching', label: 'Looking for Flash projects…', description: '', icon: 'loading~spin', children: [] }];
    }
    if (!this.roots.length && this.loaded) {
      return [{ kind: 'message', id: 'empty', label: 'No Flash project found', description: 'main.py with @remote functions', icon: 'info', children: [] }];
    }
    return this.roots;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Opens a server location (URI + LSP range) in an editor. */
export async function revealLocation(location: Location): Promise<void> {
  const uri = vscode.Uri.parse(location.uri);
  const r = location.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { selection: range, preview: true });
}
