import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as vscode from 'vscode';
import { traceChannel, traceRequested } from '../src/trace';
import type { BundleSizeResult } from '../src/protocol';
import { renderSizeReport, statusTooltip } from '../src/status';

describe('protocol tracing', () => {
  test('only when flash.trace.server asks for it', () => {
    assert.equal(traceRequested('off'), false);
    assert.equal(traceRequested(undefined), false);
    assert.equal(traceRequested('messages'), true);
    assert.equal(traceRequested('verbose'), true);
  });
  test('the trace channel is at Trace level and writes every line it gets', () => {
    const lines: string[] = [];
    const plain = { name: 'Flash LSP Trace', appendLine: (l: string) => lines.push(l), dispose() {} } as unknown as vscode.OutputChannel;
    const channel = traceChannel(plain);
    assert.equal(channel.logLevel, vscode.LogLevel.Trace);
    channel.trace('Sending request initialize');
    channel.error(new Error('boom'));
    assert.deepEqual(lines, ['[trace] Sending request initialize', '[error] boom']);
  });
});

describe('size wording', () => {
  const size: BundleSizeResult = {
    project: 'file:///w/hello', archive_bytes: 3 * 1048576, limit_bytes: 500 * 1048576, state: 'ready', confidence: 'cached',
    confidence_text: 'from the last pip resolution', packages: [], endpoints: [],
  };
  test('tooltip and report say how the size is known in plain words', () => {
    for (const text of [statusTooltip(size, 'file:///w/hello'), renderSizeReport(size, 'file:///w/hello')]) {
      assert.match(text, /from the last pip resolution/);
      assert.doesNotMatch(text, /authoritative|confidence/i);
    }
  });
});
