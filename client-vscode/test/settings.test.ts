import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
// @ts-ignore -- plain JS module shared with `npm run gen-settings`
import { generateConfiguration, restrictedSettings } from '../scripts/gen-settings.mjs';
import { collectSettings, mergeExclusions, settingKeys, withProjectInterpreter } from '../src/settings';

const ext = path.resolve(__dirname, '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(ext, '..', 'schemas', 'settings.schema.json'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));

describe('package.json agrees with schemas/settings.schema.json', () => {
  test('contributes.configuration is exactly what gen-settings generates (run `npm run gen-settings`)', () => {
    assert.deepEqual(pkg.contributes.configuration, generateConfiguration(schema));
  });
  test('same keys, defaults, types and enums', () => {
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(Object.keys(props), Object.keys(schema.properties));
    for (const [key, s] of Object.entries<any>(schema.properties)) {
      assert.deepEqual(props[key].default, s.default, `${key} default`);
      if (s.enum) assert.deepEqual(props[key].enum, s.enum, `${key} enum`);
      if (s.type) assert.deepEqual(props[key].type, s.type, `${key} type`);
      assert.equal(props[key].description, s.description, `${key} description`);
    }
  });
  test('interpreter settings are restricted in untrusted workspaces', () => {
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedSettings(schema));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});

describe('settings sent to the server', () => {
  const keys = settingKeys(pkg);
  test('flat dotted keys; the resolved project interpreter fills an empty flash.interpreter', () => {
    const values: Record<string, unknown> = { 'flash.profile': 'tetra-0.24', 'flash.interpreter': null, 'flash.diagnostics.debounceMs': 0 };
    const out = collectSettings(keys, (k) => values[k], '/proj/.venv/bin/python');
    assert.equal(out['flash.profile'], 'tetra-0.24');
    assert.equal(out['flash.interpreter'], '/proj/.venv/bin/python');
    assert.equal(out['flash.diagnostics.debounceMs'], 0);
    assert.ok(!('flash.logLevel' in out), 'undefined values are left to the server defaults');
  });
  test('an explicit flash.interpreter is kept', () => {
    const out = collectSettings(keys, (k) => (k === 'flash.interpreter' ? '/explicit/python' : undefined), '/other');
    assert.equal(out['flash.interpreter'], '/explicit/python');
  });
  test('workspace/configuration middleware', () => {
    assert.deepEqual(withProjectInterpreter('flash', { interpreter: null, profile: 'auto' }, '/p'), { interpreter: '/p', profile: 'auto' });
    assert.deepEqual(withProjectInterpreter('flash', { interpreter: '/set' }, '/p'), { interpreter: '/set' });
    assert.equal(withProjectInterpreter('flash.interpreter', null, '/p'), '/p');
    assert.equal(withProjectInterpreter('flash.profile', 'auto', '/p'), 'auto');
    assert.deepEqual(withProjectInterpreter('flash', { interpreter: null }, undefined), { interpreter: null });
  });
});

describe('flash.addBuildExclusion', () => {
  test('adds the packages as the build matches them, once, keeping the existing order', () => {
    assert.deepEqual(mergeExclusions(['numpy', 'Torch'], ['torch', 'torchvision', ' TORCHAUDIO ']), ['numpy', 'torch', 'torchvision', 'torchaudio']);
    assert.deepEqual(mergeExclusions(undefined, ['torch']), ['torch']);
    assert.deepEqual(mergeExclusions(['x'], []), ['x']);
  });
});
