#!/usr/bin/env node
// Generates package.json `contributes.configuration` from ../schemas/settings.schema.json (the one
// source of truth for Flash LSP settings).   npm run gen-settings        rewrite package.json
//                                            npm run gen-settings -- --check   exit 1 if it differs
// test/settings.test.ts runs the same generator and fails when package.json and the schema disagree.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// VS Code-only presentation: setting scopes (the schema is editor-agnostic).
// The project interpreter and the server interpreter run code: never taken from an untrusted
// workspace (see capabilities.untrustedWorkspaces.restrictedConfigurations).
export const SCOPES = {
  'flash.server.interpreter': 'machine-overridable',
  'flash.logLevel': 'window',
  'flash.trace.server': 'window',
};
const DEFAULT_SCOPE = 'resource';
// JSON Schema keywords VS Code's settings editor understands and that are copied verbatim.
const COPIED = ['type', 'enum', 'default', 'minimum', 'maximum', 'items', 'additionalProperties', 'propertyNames', 'pattern'];

export function generateConfiguration(schema) {
  const properties = {};
  let order = 0;
  for (const [key, prop] of Object.entries(schema.properties)) {
    const out = {};
    for (const k of COPIED) if (k in prop) out[k] = prop[k];
    if (!('type' in out) && Array.isArray(prop.enum) && prop.enum.every((v) => typeof v === 'string')) out.type = 'string';
    out.description = prop.description;
    out.scope = SCOPES[key] ?? DEFAULT_SCOPE;
    out.order = order++;
    properties[key] = out;
  }
  return { title: 'Flash LSP', properties };
}

export function restrictedSettings(schema) {
  return Object.keys(schema.properties).filter((k) => /(^|\.)interpreter$/.test(k));
}

function main(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const SCHEMA_PATH = path.resolve(here, '../../schemas/settings.schema.json');
  const PACKAGE_PATH = path.resolve(here, '../package.json');
  const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(PACKAGE_PATH, 'utf8'));
  const generated = generateConfiguration(schema);
  const restricted = restrictedSettings(schema);
  const same =
    JSON.stringify(pkg.contributes?.configuration) === JSON.stringify(generated) &&
    JSON.stringify(pkg.capabilities?.untrustedWorkspaces?.restrictedConfigurations) === JSON.stringify(restricted);
  if (argv.includes('--check')) {
    if (!same) {
      console.error('package.json contributes.configuration is out of date: run `npm run gen-settings`');
      process.exit(1);
    }
    return;
  }
  pkg.contributes = { ...pkg.contributes, configuration: generated };
  pkg.capabilities = pkg.capabilities ?? {};
  pkg.capabilities.untrustedWorkspaces = { ...pkg.capabilities.untrustedWorkspaces, restrictedConfigurations: restricted };
  fs.writeFileSync(PACKAGE_PATH, JSON.stringify(pkg, null, 2) + '\n');
  console.error(same ? 'package.json already up to date' : `package.json: ${Object.keys(generated.properties).length} settings written`);
}

// run as a script (not when bundled into the unit tests, where import.meta.url is empty)
const self = import.meta.url;
if (self && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(self)) main(process.argv.slice(2));
