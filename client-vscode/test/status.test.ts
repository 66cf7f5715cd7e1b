import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isProminentProgress, NEEDS_TRUST } from '../src/build';
import { importsFlash } from '../src/client';
import type { BundlePackage, BundleSizeResult } from '../src/protocol';
import { renderSizeReport, sizeLevel, statusText, statusTooltip } from '../src/status';

const MB = 1048576;
const size = (bytes: number | null, state: BundleSizeResult['state'] = 'ready'): BundleSizeResult => ({
  project: 'file:///w/hello', archive_bytes: bytes, limit_bytes: 500 * MB, confidence: 'authoritative', state, packages: [], endpoints: [],
});
const pkg = (name: string, archive_bytes: number): BundlePackage => ({ name, version: '1.0', archive_bytes, required_by: [name], direct: true, via: [] });

describe('status bar', () => {
  test('levels: ok, > 80 % warning, over the limit', () => {
    assert.equal(sizeLevel(size(100 * MB)), 'ok');
    assert.equal(sizeLevel(size(401 * MB)), 'warning');
    assert.equal(sizeLevel(size(501 * MB)), 'over');
    assert.equal(sizeLevel(size(null)), 'unknown');
  });
  test('text: size vs limit, updating, indexing', () => {
    assert.equal(statusText(size(45 * MB), undefined), '$(package) 45.0 MB / 500.0 MB');
    assert.equal(statusText(size(45 * MB, 'updating'), undefined), '$(sync~spin) 45.0 MB / 500.0 MB');
    assert.equal(statusText(size(null), undefined), '$(package) Flash: size unknown');
    assert.equal(statusText(size(45 * MB), { state: 'indexing', done: 3, total: 10 }), '$(sync~spin) Flash: indexing 3/10');
    assert.equal(statusText(undefined, undefined), '$(zap) Flash');
  });
  test('while a shipped .venv is sized: the figure so far and how far; afterwards the tooltip names it', () => {
    const sizing = { ...size(null, 'updating'), sizing: { part: '.venv/', percentage: 40, partial_bytes: 61 * MB } };
    assert.equal(statusText(sizing, undefined), '$(sync~spin) Flash: ≥ 61.0 MB · sizing .venv/ 40 %');
    assert.match(statusTooltip(sizing, undefined), /Sizing the project files: 40 % read \(now \.venv\/\); at least 61\.0 MB so far\./);
    assert.doesNotMatch(statusTooltip(sizing, undefined), /cannot be predicted/);
    const done = { ...size(103 * MB), contributors: [{ path: '.venv/', bytes: 99 * MB, share: 0.96, advice: 'shipped: add it to .flashignore' }] };
    assert.match(statusTooltip(done, undefined), /^- 99\.0 MB of it is \.venv\/ \(shipped: add it to \.flashignore\)$/m);
    assert.doesNotMatch(statusTooltip(size(103 * MB), undefined), /of it is/);
  });
  test("pip's verdict: a failing install is a failing build, not an unknown size", () => {
    const failing = { ...size(null, 'error'), dependencies: { state: 'fails' as const, reason: 'no wheel of docopt==0.6.2' } };
    assert.equal(statusText(failing, undefined), '$(error) Flash: build fails (pip)');
    assert.equal(statusText({ ...size(null), dependencies: { state: 'unknown', reason: 'offline' } }, undefined), '$(package) Flash: size unknown');
  });
  test('predicted report lists the largest packages', () => {
    const md = renderSizeReport({ ...size(600 * MB), packages: [pkg('torch', 550 * MB), pkg('six', 12000)] }, 'file:///w/hello');
    assert.match(md, /# Flash package report \(predicted\): hello/);
    assert.match(md, /over the limit/);
    assert.ok(md.indexOf('| torch |') < md.indexOf('| six |'));
  });
});

describe('build commands', () => {
  test('build, package and clean need a trusted workspace; cancel does not', () => {
    assert.deepEqual([...NEEDS_TRUST].sort(), ['flash.build', 'flash.clean', 'flash.package']);
  });
  test('build progress is a notification (cancellable); indexing stays in the status bar', () => {
    assert.equal(isProminentProgress({ kind: 'begin', title: 'Flash build', cancellable: true }), true);
    assert.equal(isProminentProgress({ kind: 'begin', title: 'Packaging hello' }), true);
    assert.equal(isProminentProgress({ kind: 'begin', title: 'Indexing workspace' }), false);
    assert.equal(isProminentProgress({ kind: 'begin', title: 'Flash: sizing the archive' }), false); // a shipped .venv
  });
});

describe('activation gate', () => {
  test('files importing tetra_rp / runpod_flash', () => {
    assert.equal(importsFlash('from tetra_rp import remote\n'), true);
    assert.equal(importsFlash('import os\nimport runpod_flash as rf\n'), true);
    assert.equal(importsFlash('# from tetra_rp import remote\nx = "import tetra_rp"\n'), false);
    assert.equal(importsFlash('from tetra_rpx import y\n'), false);
  });
});
