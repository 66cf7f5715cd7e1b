import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseInterpreter, ensureServer, PythonDeps, RunResult, SERVE_ARGS, ServerSetupError, wheelVersion } from '../src/python';

type Call = { command: string; args: string[] };

/** Fake processes and files: `pythons` maps an interpreter to its probe answer. */
function fakeDeps(opts: {
  pythons: Record<string, { version?: [number, number, number]; flashLsp?: string | null; executable?: string } | 'missing'>;
  files?: Record<string, string>;
  venvFails?: string;
  pipFails?: string;
  installMakesImportable?: boolean;
}) {
  const files = new Map(Object.entries(opts.files ?? {}));
  const calls: Call[] = [];
  const logs: string[] = [];
  const pythons = { ...opts.pythons };
  const deps: PythonDeps = {
    platform: 'linux',
    log: (l) => logs.push(l),
    exists: (p) => files.has(p) || [...files.keys()].some((k) => k.startsWith(p + '/')),
    readFile: (p) => files.get(p),
    writeFile: (p, t) => void files.set(p, t),
    remove: (p) => {
      for (const k of [...files.keys()]) if (k === p || k.startsWith(p + '/')) files.delete(k);
    },
    rename: (from, to) => {
      for (const [k, v] of [...files.entries()]) {
        if (k === from || k.startsWith(from + '/')) {
          files.delete(k);
          files.set(to + k.slice(from.length), v);
        }
      }
      for (const k of Object.keys(pythons)) {
        if (k.startsWith(from + '/')) pythons[to + k.slice(from.length)] = pythons[k];
      }
    },
    listDir: (p) => [...files.keys()].filter((k) => k.startsWith(p + '/')).map((k) => k.slice(p.length + 1)).filter((k) => !k.includes('/')),
    run: async (command, args, options): Promise<RunResult> => {
      calls.push({ command, args });
      const py = pythons[command];
      if (py === undefined || py === 'missing') return { code: null, stdout: '', stderr: '', error: `spawn ${command} ENOENT` };
      if (args[0] === '-I' && args[1] === '-c') {
        const info = { executable: py.executable ?? command, version: py.version ?? [3, 11, 7], flash_lsp: py.flashLsp ?? null };
        return { code: 0, stdout: 'FLASH_PROBE' + JSON.stringify(info) + '\n', stderr: '' };
      }
      if (args[0] === '-m' && args[1] === 'venv') {
        if (opts.venvFails) return { code: 1, stdout: '', stderr: opts.venvFails };
        const venvPy = `${args[2]}/bin/python`;
        files.set(venvPy, '');
        pythons[venvPy] = { version: py.version, flashLsp: null };
        return { code: 0, stdout: '', stderr: '' };
      }
      if (args[0] === '-m' && args[1] === 'pip') {
        if (opts.pipFails) return { code: 1, stdout: '', stderr: opts.pipFails };
        for (const line of ['Processing /ext/bundled/flash_lsp.whl', 'Collecting pygls', 'Installing collected packages: pygls, flash-lsp']) options?.onLine?.(line);
        if (opts.installMakesImportable !== false) pythons[command] = { ...(pythons[command] as object), flashLsp: wheelVersion(args[args.length - 1]) };
        return { code: 0, stdout: 'Successfully installed flash-lsp-0.1.0', stderr: '' };
      }
      return { code: 2, stdout: '', stderr: 'unexpected' };
    },
  };
  return { deps, calls, logs, files };
}

const BUNDLED = '/ext/bundled';
const WHEEL = `${BUNDLED}/flash_lsp-0.1.0-py3-none-any.whl`;
const STORAGE = '/storage';

describe('chooseInterpreter', () => {
  test('the setting wins', () => {
    assert.deepEqual(chooseInterpreter(' /opt/py/bin/python ', '/ms/python'), { python: '/opt/py/bin/python', source: 'setting' });
  });
  test('then the Python extension', () => {
    assert.deepEqual(chooseInterpreter(null, '/ms/python'), { python: '/ms/python', source: 'python-extension' });
    assert.deepEqual(chooseInterpreter('', '/ms/python'), { python: '/ms/python', source: 'python-extension' });
  });
  test('then python3', () => {
    assert.deepEqual(chooseInterpreter(undefined, undefined), { python: 'python3', source: 'default' });
  });
});

describe('ensureServer', () => {
  test('uses an interpreter that already imports flash_lsp, without a venv', async () => {
    const { deps, calls } = fakeDeps({ pythons: { '/venv/bin/python': { flashLsp: '0.1.0' } }, files: { [WHEEL]: '' } });
    const launch = await ensureServer(deps, { candidate: { python: '/venv/bin/python', source: 'setting' }, bundledDir: BUNDLED, storageDir: STORAGE });
    assert.deepEqual(launch, { command: '/venv/bin/python', args: SERVE_ARGS, python: '/venv/bin/python', source: 'setting', flashLspVersion: '0.1.0' });
    assert.equal(calls.length, 1, 'one probe, nothing installed');
  });

  test('creates the private venv and installs the bundled wheel when flash_lsp is missing', async () => {
    const { deps, calls } = fakeDeps({ pythons: { python3: { executable: '/usr/bin/python3' }, '/usr/bin/python3': {} }, files: { [WHEEL]: '' } });
    const steps: string[] = [];
    const launch = await ensureServer(deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE, onStep: (s) => steps.push(s) });
    assert.equal(launch.source, 'private-venv');
    assert.equal(launch.command, `${STORAGE}/server-venv/bin/python`);
    assert.deepEqual(launch.args, SERVE_ARGS);
    const venvCall = calls.find((c) => c.args[1] === 'venv')!;
    assert.equal(venvCall.command, '/usr/bin/python3', 'the venv is made with the resolved interpreter');
    const pipCall = calls.find((c) => c.args[1] === 'pip')!;
    assert.equal(pipCall.args[pipCall.args.length - 1], WHEEL);
    assert.deepEqual(steps, [
      '1/3 creating a private Python environment',
      `2/3 installing the language server (${WHEEL.replace(/^.*\//, '')}) and its dependencies`,
      '2/3 installing the language server: 1 package(s) collected',
      '2/3 installing the language server: 2 package(s) collected',
      '2/3 installing 2 package(s)',
      '3/3 checking the installation',
    ]);
  });

  test('reuses a private venv made from the same wheel and interpreter', async () => {
    const first = fakeDeps({ pythons: { python3: { executable: '/usr/bin/python3' }, '/usr/bin/python3': {} }, files: { [WHEEL]: '' } });
    await ensureServer(first.deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE });
    const before = first.calls.length;
    const launch = await ensureServer(first.deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE });
    assert.equal(launch.source, 'private-venv');
    const again = first.calls.slice(before);
    assert.ok(again.every((c) => c.args[0] === '-I'), `only probes the second time: ${JSON.stringify(again)}`);
  });

  test('a missing interpreter is one actionable error', async () => {
    const { deps } = fakeDeps({ pythons: { python3: 'missing' }, files: { [WHEEL]: '' } });
    await assert.rejects(
      ensureServer(deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE }),
      (e: unknown) => e instanceof ServerSetupError && /cannot run Python "python3"/.test(e.message) && /flash\.server\.interpreter/.test(e.message),
    );
  });

  test('too old a Python is refused before creating anything', async () => {
    const { deps, calls } = fakeDeps({ pythons: { '/py38': { version: [3, 8, 10] } }, files: { [WHEEL]: '' } });
    await assert.rejects(
      ensureServer(deps, { candidate: { python: '/py38', source: 'setting' }, bundledDir: BUNDLED, storageDir: STORAGE }),
      /needs Python 3\.10 or newer.*3\.8\.10/,
    );
    assert.equal(calls.length, 1);
  });

  test('venv failure names python3-venv', async () => {
    const { deps, files } = fakeDeps({ pythons: { python3: {} }, files: { [WHEEL]: '' }, venvFails: 'The virtual environment was not created successfully because ensurepip is not available.' });
    await assert.rejects(
      ensureServer(deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE }),
      /python3-venv/,
    );
    assert.ok(![...files.keys()].some((k) => k.startsWith(STORAGE)), 'nothing half-built is left');
  });

  test('pip failure says so and leaves no venv behind', async () => {
    const { deps, files } = fakeDeps({ pythons: { python3: {} }, files: { [WHEEL]: '' }, pipFails: 'ERROR: Could not find a version that satisfies the requirement pygls' });
    await assert.rejects(
      ensureServer(deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE }),
      (e: unknown) => e instanceof ServerSetupError && /pip failed: ERROR: Could not find a version/.test(e.message) && !!e.detail,
    );
    assert.ok(![...files.keys()].some((k) => k.startsWith(STORAGE)));
  });

  test('no bundled wheel: error instead of a silent fallback', async () => {
    const { deps } = fakeDeps({ pythons: { python3: {} } });
    await assert.rejects(
      ensureServer(deps, { candidate: { python: 'python3', source: 'default' }, bundledDir: BUNDLED, storageDir: STORAGE }),
      /carries no server wheel/,
    );
  });
});
