// Minimal stand-in for the `vscode` module in unit tests (esbuild aliases `vscode` to this file).
// Only what the tested modules touch at import time or in the tested functions.
import { URL } from 'node:url';

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  static file(p: string): Uri {
    return new Uri('file', '', p, '', '');
  }
  static parse(s: string): Uri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
    if (!m) throw new Error(`bad uri ${s}`);
    return new Uri(m[1], m[2] ?? '', decodeURIComponent(m[3] ?? ''), decodeURIComponent(m[4] ?? ''), m[5] ?? '');
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    const enc = (s: string) => encodeURIComponent(s).replace(/%2F/g, '/');
    return `${this.scheme}:${this.authority || this.scheme === 'file' ? '//' + this.authority : ''}${enc(this.path)}${this.query ? '?' + encodeURIComponent(this.query) : ''}`;
  }
  with(c: Partial<{ scheme: string; path: string; query: string }>): Uri {
    return new Uri(c.scheme ?? this.scheme, this.authority, c.path ?? this.path, c.query ?? this.query, this.fragment);
  }
}
void URL;

export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly fired: T[] = [];
  event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    this.fired.push(e);
    this.listeners.forEach((l) => l(e));
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(readonly label: string, readonly collapsibleState?: TreeItemCollapsibleState) {}
}
export class MarkdownString {
  constructor(readonly value = '') {}
}
export class Range {
  constructor(readonly startLine: number, readonly startCharacter: number, readonly endLine: number, readonly endCharacter: number) {}
}
export enum ViewColumn { Active = -1, Beside = -2 }
export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }
export enum LogLevel { Off = 0, Trace = 1, Debug = 2, Info = 3, Warning = 4, Error = 5 }

export const workspace = {
  textDocuments: [] as { uri: Uri }[],
  isTrusted: true,
  getConfiguration: () => ({ get: () => undefined }),
};
export const window = { activeTextEditor: undefined as unknown };
export const commands = { executeCommand: async () => undefined, registerCommand: () => ({ dispose() {} }) };
export const extensions = { getExtension: () => undefined };
