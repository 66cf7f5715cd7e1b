#!/usr/bin/env node
// Unit tests: bundles test/*.test.ts with esbuild (the `vscode` module replaced by test/vscode-mock.ts)
// into out/test/ and runs them with node's built-in test runner.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(ext, 'out', 'test');
fs.rmSync(outdir, { recursive: true, force: true });
const entryPoints = fs.readdirSync(path.join(ext, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(ext, 'test', f));
await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
  // vscode-languageclient needs the real VS Code at import time; the tests only use its protocol
  // types, so they get vscode-languageserver-protocol (its dependency) instead.
  alias: { vscode: path.join(ext, 'test', 'vscode-mock.ts'), 'vscode-languageclient': 'vscode-languageserver-protocol' },
  external: ['node:*'],
});
const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.test.js')).map((f) => path.join(outdir, f));
const res = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...process.argv.slice(2), ...files], { stdio: 'inherit', cwd: ext });
process.exit(res.status ?? 1);
