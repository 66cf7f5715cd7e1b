// Protocol tracing on request only. vscode-languageclient traces the LSP messages when its trace
// channel's log level is Trace, and then reads `flash.trace.server` for the verbosity. The
// 'Flash LSP' log channel follows VS Code's log level (Info by default), so it never fills with
// messages; when `flash.trace.server` is not "off", the messages go to a separate channel whose
// level is Trace.
import * as vscode from 'vscode';
import { SECTION } from './settings';

export const TRACE_SETTING = `${SECTION}.trace.server`;
export const TRACE_CHANNEL = 'Flash LSP Trace';

/** Whether `flash.trace.server` asks for tracing. */
export function traceRequested(value: unknown): boolean {
  return value === 'messages' || value === 'verbose';
}

/** A log channel that shows every line it is given (its level is Trace), over a plain channel. */
export function traceChannel(channel: vscode.OutputChannel): vscode.LogOutputChannel {
  const levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  const line = (tag: string) => (message: string | Error, ...args: any[]) =>
    channel.appendLine(`[${tag}] ${message instanceof Error ? message.message : message}${args.length ? ' ' + args.map(String).join(' ') : ''}`);
  return {
    name: channel.name,
    logLevel: vscode.LogLevel.Trace,
    onDidChangeLogLevel: levelChanged.event,
    append: (value) => channel.append(value),
    appendLine: (value) => channel.appendLine(value),
    replace: (value) => channel.replace(value),
    clear: () => channel.clear(),
    show: (a?: any, b?: any) => channel.show(a, b),
    hide: () => channel.hide(),
    dispose: () => {
      levelChanged.dispose();
      channel.dispose();
    },
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warning'),
    error: line('error'),
  };
}

/** The trace channel when `flash.trace.server` asks for one, else undefined (no tracing). */
export function createTraceChannel(): vscode.LogOutputChannel | undefined {
  const value = vscode.workspace.getConfiguration().get(TRACE_SETTING);
  return traceRequested(value) ? traceChannel(vscode.window.createOutputChannel(TRACE_CHANNEL)) : undefined;
}
