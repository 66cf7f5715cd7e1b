import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as vscode from 'vscode';
import {
  commandArg, parsePreviewUri, PreviewProvider, PreviewSource, previewUri, previewUriParts, projectKey, renderHandler, renderManifest, SCHEME,
} from '../src/preview';

const P = 'file:///work/my%20proj';

function fakeSource(answers: Record<string, (params: any) => unknown>) {
  const calls: { method: string; params: any }[] = [];
  const source: PreviewSource = {
    request: async (type: any, params: any) => {
      calls.push({ method: type.method, params });
      const f = answers[type.method];
      return (f ? f(params) : undefined) as any;
    },
  };
  return { source, calls };
}

describe('preview URIs', () => {
  test('manifest: JSON file name, project in the query', () => {
    const parts = previewUriParts({ kind: 'manifest', project: P });
    assert.equal(parts.scheme, SCHEME);
    assert.equal(parts.path, '/my proj/flash_manifest.json');
    assert.deepEqual(parsePreviewUri(parts), { kind: 'manifest', project: P, resource: undefined });
  });
  test('handler: Python file name and resource', () => {
    const uri = previewUri({ kind: 'handler', project: P, resource: 'gpu_worker' });
    assert.equal(uri.path, '/my proj/handler_gpu_worker.py');
    assert.deepEqual(parsePreviewUri(uri), { kind: 'handler', project: P, resource: 'gpu_worker' });
  });
  test('handler: one of the endpoint\'s generated files, by its path (the mothership has two)', () => {
    const top = previewUri({ kind: 'handler', project: P, resource: 'mothership', path: 'handler_mothership.py' });
    const app = previewUri({ kind: 'handler', project: P, resource: 'mothership', path: 'handlers/handler_mothership.py' });
    assert.equal(top.path, '/my proj/handler_mothership.py');
    assert.equal(app.path, '/my proj/handlers/handler_mothership.py');
    assert.deepEqual(parsePreviewUri(top), { kind: 'handler', project: P, resource: 'mothership', path: 'handler_mothership.py' });
  });
  test('round trip through the string form', () => {
    const uri = previewUri({ kind: 'handler', project: 'file:///a/b?c&d', resource: 'x&y' });
    assert.deepEqual(parsePreviewUri(vscode.Uri.parse(uri.toString())), { kind: 'handler', project: 'file:///a/b?c&d', resource: 'x&y' });
  });
  test('rejects other schemes and incomplete queries', () => {
    assert.equal(parsePreviewUri({ scheme: 'file', query: 'kind=manifest&project=x' }), undefined);
    assert.equal(parsePreviewUri({ scheme: SCHEME, query: 'kind=handler&project=x' }), undefined);
    assert.equal(parsePreviewUri({ scheme: SCHEME, query: 'kind=nope&project=x' }), undefined);
  });
  test('projectKey compares URIs and paths', () => {
    assert.equal(projectKey('file:///work/my%20proj/'), '/work/my proj');
    assert.equal(projectKey('/work/my proj'), '/work/my proj');
  });
  test('command arguments: object or [object]', () => {
    assert.deepEqual(commandArg([{ project: P }]), { project: P });
    assert.deepEqual(commandArg([[{ project: P }]]), { project: P });
    assert.equal(commandArg([]), undefined);
  });
});

describe('preview provider', () => {
  test('manifest content comes from flash/manifest for the project', async () => {
    const { source, calls } = fakeSource({ 'flash/manifest': () => ({ project: P, profile: 'tetra-0.24', text: '{\n  "version": "1.0"\n}', succeeds: true, errors: [], version: 3 }) });
    const provider = new PreviewProvider(source, undefined, () => []);
    const text = await provider.provideTextDocumentContent(previewUri({ kind: 'manifest', project: P }));
    assert.equal(text, '{\n  "version": "1.0"\n}');
    assert.deepEqual(calls, [{ method: 'flash/manifest', params: { project: P } }]);
  });
  test('handler content comes from flash/handler', async () => {
    const { source, calls } = fakeSource({ 'flash/handler': (p) => ({ project: P, resource: p.resource, path: `handler_${p.resource}.py`, text: '# generated\n' }) });
    const provider = new PreviewProvider(source, undefined, () => []);
    assert.equal(await provider.provideTextDocumentContent(previewUri({ kind: 'handler', project: P, resource: 'gpu' })), '# generated\n');
    assert.deepEqual(calls[0].params, { project: P, resource: 'gpu' });
  });
  test('a handler preview with a path asks flash/handler for that file', async () => {
    const { source, calls } = fakeSource({ 'flash/handler': (p) => ({ project: P, resource: p.resource, path: p.path, text: '# the LB handler\n' }) });
    const provider = new PreviewProvider(source, undefined, () => []);
    const uri = previewUri({ kind: 'handler', project: P, resource: 'mothership', path: 'handler_mothership.py' });
    assert.equal(await provider.provideTextDocumentContent(uri), '# the LB handler\n');
    assert.deepEqual(calls[0].params, { project: P, resource: 'mothership', path: 'handler_mothership.py' });
  });
  test('no manifest / server down / unknown endpoint are explained in the document', () => {
    assert.match(renderManifest({ project: P, text: null, succeeds: false, errors: ['FL101 gpu_cfg is not defined'] }), /writes no flash_manifest\.json for my proj:\n\/\/   FL101/);
    assert.match(renderManifest(undefined), /not running/);
    assert.match(renderHandler(null, 'nope'), /no endpoint named nope/);
    assert.match(renderHandler({ path: 'handler_x.py', text: null }, 'x'), /would not write handler_x\.py/);
  });
  test('flash/modelChanged refreshes only the open previews of that project', async () => {
    const open = [
      { uri: previewUri({ kind: 'manifest', project: P }) },
      { uri: previewUri({ kind: 'handler', project: P, resource: 'gpu' }) },
      { uri: previewUri({ kind: 'manifest', project: 'file:///other' }) },
      { uri: vscode.Uri.file('/work/my proj/main.py') },
    ];
    const provider = new PreviewProvider(fakeSource({}).source, undefined, () => open as any);
    const fired: string[] = [];
    provider.onDidChange((u) => fired.push(u.path));
    provider.modelChanged('file:///work/my proj');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(fired.sort(), ['/my proj/flash_manifest.json', '/my proj/handler_gpu.py']);
    provider.dispose();
  });
  test('package report: the predicted one until a run, then each run under its own URI', async () => {
    const provider = new PreviewProvider(fakeSource({}).source, async (p) => `predicted for ${p}`, () => []);
    const predicted = provider.reportUri(P);
    assert.equal(predicted.path, '/my proj/package-report-predicted.md');
    assert.equal(await provider.provideTextDocumentContent(predicted), `predicted for ${P}`);
    const first = provider.setReport(P, '# real report');
    assert.equal(first.path, '/my proj/package-report.md');
    assert.notEqual(first.toString(), predicted.toString());
    assert.equal(provider.reportUri(P).toString(), first.toString());
    assert.equal(await provider.provideTextDocumentContent(first), '# real report');
    const second = provider.setReport(P, '# second run');
    assert.notEqual(second.toString(), first.toString());
    assert.equal(await provider.provideTextDocumentContent(second), '# second run');
    assert.match(await provider.provideTextDocumentContent(first), /newer \*\*Flash: Package\*\* run replaced/);
  });
});
