// Status bar: predicted archive size against the limit (flash/bundleSize), coloured when above 80 %
// or over the limit, and the indexing state (flash/indexStatus). Click: the package report.
import * as vscode from 'vscode';
import type { FlashClient } from './client';
import { BundleSizeRequest, BundleSizeResult, IndexStatusParams, ProjectParams } from './protocol';
import { parsePreviewUri } from './preview';
import { contributorLines, formatBytes } from './tree';

export const SHOW_REPORT_COMMAND = 'flash.showPackageReport';
export const WARN_FRACTION = 0.8;

export type SizeLevel = 'ok' | 'warning' | 'over' | 'unknown';

export function sizeLevel(size: BundleSizeResult): SizeLevel {
  if (size.archive_bytes === null || size.archive_bytes === undefined || !size.limit_bytes) return 'unknown';
  if (size.over_limit ?? size.archive_bytes > size.limit_bytes) return 'over';
  if (size.archive_bytes / size.limit_bytes > WARN_FRACTION) return 'warning';
  return 'ok';
}

/** Status bar text for a size estimate and the indexing state. */
export function statusText(size: BundleSizeResult | undefined, index: IndexStatusParams | undefined): string {
  if (index?.state === 'searching') {
    return `$(sync~spin) Flash: looking for projects${index.done ? ` (${index.done.toLocaleString('en-US')} seen)` : ''}`;
  }
  if (index?.state === 'indexing') {
    const n = index.total ? ` ${index.done ?? 0}/${index.total}` : '';
    return `$(sync~spin) Flash: indexing${n}`;
  }
  if (!size) return '$(zap) Flash';
  // a shipped .venv can take a minute to compress: how far, and the figure so far (a lower bound)
  if (size.sizing) return `$(sync~spin) Flash: ≥ ${formatBytes(size.sizing.partial_bytes)} · sizing ${size.sizing.part} ${size.sizing.percentage} %`;
  const icon = size.state === 'updating' ? '$(sync~spin)' : size.state === 'error' ? '$(warning)' : '$(package)';
  if (size.dependencies?.state === 'fails') return '$(error) Flash: build fails (pip)';
  if (size.archive_bytes === null || size.archive_bytes === undefined) return `${icon} Flash: size unknown`;
  return `${icon} ${formatBytes(size.archive_bytes)} / ${formatBytes(size.limit_bytes)}`;
}

export function statusTooltip(size: BundleSizeResult | undefined, project: string | undefined): string {
  if (!size) return 'Flash LSP';
  const lines = [`**Flash: predicted archive size**${project ? ` — ${project.replace(/^.*\//, '')}` : ''}`, ''];
  if (size.archive_bytes !== null && size.archive_bytes !== undefined) {
    const pct = size.limit_bytes ? ` (${((100 * size.archive_bytes) / size.limit_bytes).toFixed(1)} % of the limit)` : '';
    lines.push(`${formatBytes(size.archive_bytes)} of ${formatBytes(size.limit_bytes)}${pct}`);
  } else if (!size.sizing) lines.push('The size cannot be predicted (the dependencies do not resolve).');
  if (size.dependencies?.state === 'fails') lines.push('', `\`flash build\` fails: Failed to install dependencies (${size.dependencies.reason})`);
  const contributors = contributorLines(size.contributors);
  if (contributors.length) lines.push('', ...contributors.map((l) => `- ${l}`));
  if (size.sizing) {
    const { part, percentage, partial_bytes } = size.sizing;
    lines.push('', `Sizing the project files: ${percentage} % read (now ${part}); at least ${formatBytes(partial_bytes)} so far.`);
  }
  lines.push('', `Estimate: ${size.confidence_text ?? size.confidence}${size.state === 'error' ? ' (the last resolution failed)' : ''}`);
  const top = [...(size.packages ?? [])].sort((a, b) => b.archive_bytes - a.archive_bytes).slice(0, 5);
  if (top.length) {
    lines.push('', 'Largest packages:');
    for (const p of top) lines.push(`- ${p.name}: ${formatBytes(p.archive_bytes)}`);
  }
  lines.push('', 'Click for the package report.');
  return lines.join('\n');
}

/** Markdown report from a size estimate (used until a `Flash: Package` run produces the real one). */
export function renderSizeReport(size: BundleSizeResult | undefined | null, project: string): string {
  const name = project.replace(/\/+$/, '').replace(/^.*\//, '');
  const out = [`# Flash package report (predicted): ${name}`, ''];
  if (!size) {
    out.push('No size estimate is available (is `flash.size.enable` off, or the server not running?).');
    return out.join('\n') + '\n';
  }
  if (size.archive_bytes !== null && size.archive_bytes !== undefined) {
    const level = sizeLevel(size);
    out.push(`Predicted archive: **${formatBytes(size.archive_bytes)}** of the ${formatBytes(size.limit_bytes)} limit` +
      (level === 'over' ? ' — **over the limit**' : level === 'warning' ? ' — above 80 % of the limit' : '') + '.');
  } else out.push('The archive size cannot be predicted: the dependencies do not resolve.');
  out.push('', `How this is known: ${size.confidence_text ?? size.confidence}${size.python_version ? `; Python ${size.python_version}` : ''}.`, '');
  const packages = [...(size.packages ?? [])].sort((a, b) => b.archive_bytes - a.archive_bytes);
  if (packages.length) {
    out.push('| package | archive size | required by |', '|---|---:|---|');
    for (const p of packages.slice(0, 25)) out.push(`| ${p.name} | ${formatBytes(p.archive_bytes)} | ${(p.required_by ?? []).join(', ')} |`);
    out.push('');
  }
  if (size.project_bytes !== undefined) out.push(`Project files and generated handlers: ${formatBytes(size.project_bytes)}.`, '');
  for (const h of size.hints ?? []) out.push(`- ${h.severity}: ${h.message}`);
  for (const p of size.problems ?? []) if (p.message) out.push(`- problem: ${p.message}`);
  out.push('', 'Run **Flash: Package** for the report of the real archive.');
  return out.join('\n') + '\n';
}

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private size: BundleSizeResult | undefined;
  private index: IndexStatusParams | undefined;
  private where: ProjectParams | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll = 0;

  constructor(
    private readonly flash: FlashClient,
    private readonly knownProjects: () => string[],
  ) {
    this.item = vscode.window.createStatusBarItem('flash.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Flash';
    this.disposables.push(
      this.item,
      flash.onDidStart(() => {
        this.render();
        this.schedule(0);
      }),
      flash.onIndexStatus((s) => {
        this.index = s;
        this.render();
        if (s.state === 'ready') this.schedule(0);
      }),
      flash.onModelChanged(() => this.schedule(500)),
      flash.onBundleSizeChanged(() => this.schedule(0)),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(100)),
    );
  }

  /** The project the item describes: the active Python file's, else the last, else the first known. */
  private target(): ProjectParams | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (uri) {
      const preview = parsePreviewUri(uri);
      if (preview) return { project: preview.project };
      if (uri.scheme === 'file' && vscode.window.activeTextEditor?.document.languageId === 'python') return { uri: uri.toString() };
    }
    if (this.where) return this.where;
    const first = this.knownProjects()[0] ?? this.index?.projects?.[0];
    return first ? { project: first } : undefined;
  }

  schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  async refresh(): Promise<void> {
    const where = this.target();
    if (!where) return this.render();
    const size = await this.flash.request(BundleSizeRequest.type, where);
    if (size === undefined) return this.render(); // server not running / request failed: keep the last size
    this.where = where;
    this.size = size ?? undefined;
    this.render();
    // the estimate is resolved in the background: look again while it says "updating"
    if (size?.state === 'updating' && this.poll < 60) {
      this.poll++;
      this.schedule(2000);
    } else this.poll = 0;
  }

  /** The project URI (or document URI) the item currently describes. */
  get current(): string | undefined {
    return this.where?.project ?? this.where?.uri;
  }

  get lastSize(): BundleSizeResult | undefined {
    return this.size;
  }

  private render(): void {
    this.item.text = statusText(this.size, this.index);
    const md = new vscode.MarkdownString(statusTooltip(this.size, this.size?.project ?? this.current));
    this.item.tooltip = md;
    const level = this.size ? sizeLevel(this.size) : 'unknown';
    this.item.backgroundColor =
      level === 'over' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.item.command = { command: SHOW_REPORT_COMMAND, title: 'Show Package Report', arguments: this.current ? [{ project: this.current }] : [] };
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
