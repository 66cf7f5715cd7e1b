#!/usr/bin/env node
// Puts what the .vsix carries besides the bundle into place:
//   bundled/flash_lsp-<version>-py3-none-any.whl   `pip wheel --no-deps .` of the repo root
//   schemas/manifest-tetra-0.2x.schema.json        copy of ../schemas/ (contributes.jsonValidation)
// Python: $PYTHON, else the repo's .venv, else python3.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.resolve(here, '..');
const repo = path.resolve(ext, '..');

fs.mkdirSync(path.join(ext, 'schemas'), { recursive: true });
for (const name of ['manifest-tetra-0.2x.schema.json']) {
  fs.copyFileSync(path.join(repo, 'schemas', name), path.join(ext, 'schemas', name));
}

const venvPython = path.join(repo, '.venv', 'bin', 'python');
const python = process.env.PYTHON || (fs.existsSync(venvPython) ? venvPython : 'python3');
const bundled = path.join(ext, 'bundled');
fs.rmSync(bundled, { recursive: true, force: true });
fs.mkdirSync(bundled, { recursive: true });
execFileSync(python, ['-m', 'pip', 'wheel', '--no-deps', '--disable-pip-version-check', '-q', '-w', bundled, repo], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
});
const wheels = fs.readdirSync(bundled).filter((f) => /^flash_lsp-.*\.whl$/.test(f));
if (wheels.length !== 1) throw new Error(`expected one flash_lsp wheel in ${bundled}, found: ${wheels.join(', ') || 'none'}`);
console.error(`assets: bundled/${wheels[0]}, schemas/manifest-tetra-0.2x.schema.json`);
