// Which Python runs the Flash LSP server, and how the server gets there.
//
// Interpreter: setting `flash.server.interpreter` → the Python extension's active interpreter (only if
// ms-python.python is installed; never a hard dependency) → `python3`.
// Server: if that interpreter can already `import flash_lsp` it runs `python -m flash_lsp serve`;
// otherwise the extension creates a private venv in its globalStorage with that interpreter and
// installs the wheel bundled in the .vsix (`bundled/flash_lsp-*.whl`; dependencies from PyPI).
// Any failure becomes one ServerSetupError with an actionable message; there is no silent fallback.
//
// All process / file-system access goes through `PythonDeps`, so the logic is unit-tested with fakes.
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `-I`: the server ignores PYTHON* variables and the user site, and the cwd is not on sys.path. */
export const SERVE_ARGS = ['-I', '-m', 'flash_lsp', 'serve'];

export const MIN_PYTHON: [number, number] = [3, 10];

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Candidate {
  python: string;
  source: InterpreterSource;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  error?: string;
}

export interface PythonDeps {
  run(command: string, args: string[], options?: { timeoutMs?: number; onLine?: (line: string) => void }): Promise<RunResult>;
  exists(p: string): boolean;
  readFile(p: string): string | undefined;
  writeFile(p: string, text: string): void;
  remove(p: string): void;
  rename(from: string, to: string): void;
  listDir(p: string): string[];
  log(line: string): void;
  platform: NodeJS.Platform;
}

export interface ServerLaunch {
  command: string;
  args: string[];
  /** The interpreter that runs the server. */
  python: string;
  source: InterpreterSource | 'private-venv';
  flashLspVersion: string;
}

export class ServerSetupError extends Error {
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

/** The first configured interpreter: setting, then the Python extension's, then python3. */
export function chooseInterpreter(setting: string | null | undefined, pythonExtension: string | undefined): Candidate {
  if (setting && setting.trim()) return { python: setting.trim(), source: 'setting' };
  if (pythonExtension) return { python: pythonExtension, source: 'python-extension' };
  return { python: 'python3', source: 'default' };
}

const PROBE = [
  'import json, sys',
  'info = {"executable": sys.executable, "version": list(sys.version_info[:3]), "flash_lsp": None}',
  'try:',
  '    import flash_lsp',
  '    info["flash_lsp"] = getattr(flash_lsp, "__version__", "unknown")',
  'except Exception as exc:',
  '    info["import_error"] = repr(exc)',
  'print("FLASH_PROBE" + json.dumps(info))',
].join('\n');

export interface ProbeInfo {
  executable: string;
  version: [number, number, number];
  flash_lsp: string | null;
  import_error?: string;
}

/** Runs the interpreter once: its real path, its version and whether flash_lsp imports. */
export async function probe(deps: PythonDeps, python: string): Promise<ProbeInfo | RunResult> {
  // -I: ignore PYTHON* variables and the user site, and do not put the cwd on sys.path (so a
  // `flash_lsp` directory in the workspace cannot answer the import).
  const res = await deps.run(python, ['-I', '-c', PROBE], { timeoutMs: 30000 });
  const line = res.stdout.split(/\r?\n/).find((l) => l.startsWith('FLASH_PROBE'));
  if (res.code === 0 && line) {
    try {
      return JSON.parse(line.slice('FLASH_PROBE'.length)) as ProbeInfo;
    } catch {
      /* fall through */
    }
  }
  return res;
}

function describe(c: Candidate): string {
  switch (c.source) {
    case 'setting':
      return `"${c.python}" (setting flash.server.interpreter)`;
    case 'python-extension':
      return `"${c.python}" (the Python extension's selected interpreter)`;
    default:
      return `"${c.python}" (from PATH; set flash.server.interpreter to choose another)`;
  }
}

function isProbe(x: ProbeInfo | RunResult): x is ProbeInfo {
  return (x as ProbeInfo).executable !== undefined;
}

export function venvPython(venv: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

export function findBundledWheel(deps: PythonDeps, bundledDir: string): string | undefined {
  const wheels = deps.exists(bundledDir)
    ? deps.listDir(bundledDir).filter((f) => /^flash_lsp-.*\.whl$/.test(f)).sort()
    : [];
  return wheels.length ? path.join(bundledDir, wheels[wheels.length - 1]) : undefined;
}

/** Version from a wheel file name: flash_lsp-0.1.0-py3-none-any.whl → 0.1.0 */
export function wheelVersion(wheel: string): string {
  return path.basename(wheel).split('-')[1] ?? 'unknown';
}

export interface EnsureOptions {
  candidate: Candidate;
  /** The extension's bundled/ directory (holds flash_lsp-*.whl). */
  bundledDir: string;
  /** Extension globalStorage directory (private venv goes to <storage>/server-venv). */
  storageDir: string;
  /** Called before a slow step (venv creation, pip install) so the UI can show progress. */
  onStep?: (message: string) => void;
}

/** Resolves how to start the server, creating the private venv when needed. */
/** pip's output lines, logged, and a figure for the progress: packages collected, then installed. */
export function pipProgress(log: (line: string) => void, onStep?: (message: string) => void): (line: string) => void {
  let collected = 0;
  return (line) => {
    log(line);
    const text = line.trim();
    if (/^(Collecting|Processing) /.test(text)) {
      collected += 1;
      onStep?.(`2/3 installing the language server: ${collected} package(s) collected`);
    } else if (text.startsWith('Installing collected packages:')) {
      onStep?.(`2/3 installing ${text.slice('Installing collected packages:'.length).split(',').length} package(s)`);
    }
  };
}

export async function ensureServer(deps: PythonDeps, opts: EnsureOptions): Promise<ServerLaunch> {
  const { candidate } = opts;
  deps.log(`[python] server interpreter candidate ${describe(candidate)}`);
  const info = await probe(deps, candidate.python);
  if (!isProbe(info)) {
    const why = info.error ?? (info.stderr.trim() || `exit code ${info.code}`);
    throw new ServerSetupError(
      `Flash LSP: cannot run Python ${describe(candidate)}: ${firstLine(why)}. Install Python ${MIN_PYTHON.join('.')}+ or set "flash.server.interpreter".`,
      why,
    );
  }
  deps.log(`[python] ${info.executable} is Python ${info.version.join('.')}; flash_lsp ${info.flash_lsp ?? `not importable (${info.import_error ?? '?'})`}`);
  if (info.flash_lsp) {
    return { command: info.executable, args: SERVE_ARGS, python: info.executable, source: candidate.source, flashLspVersion: info.flash_lsp };
  }
  if (info.version[0] < MIN_PYTHON[0] || (info.version[0] === MIN_PYTHON[0] && info.version[1] < MIN_PYTHON[1])) {
    throw new ServerSetupError(
      `Flash LSP needs Python ${MIN_PYTHON.join('.')} or newer to run its server, but ${describe(candidate)} is ${info.version.join('.')}. Set "flash.server.interpreter" to a newer Python.`,
    );
  }
  const wheel = findBundledWheel(deps, opts.bundledDir);
  if (!wheel) {
    throw new ServerSetupError(
      `Flash LSP: flash_lsp is not installed in ${describe(candidate)} and this build of the extension carries no server wheel (${opts.bundledDir}). Install it there (pip install flash-lsp) or set "flash.server.interpreter".`,
    );
  }
  return ensurePrivateVenv(deps, opts, info, wheel);
}

const MARKER = '.flash-lsp-venv.json';

interface Marker { wheel: string; base: string }

async function ensurePrivateVenv(deps: PythonDeps, opts: EnsureOptions, base: ProbeInfo, wheel: string): Promise<ServerLaunch> {
  const venv = path.join(opts.storageDir, 'server-venv');
  const python = venvPython(venv, deps.platform);
  const want: Marker = { wheel: path.basename(wheel), base: base.executable };
  const marker = parseMarker(deps.readFile(path.join(venv, MARKER)));
  if (marker && marker.wheel === want.wheel && marker.base === want.base && deps.exists(python)) {
    const again = await probe(deps, python);
    if (isProbe(again) && again.flash_lsp) {
      deps.log(`[python] using the private venv ${venv} (flash_lsp ${again.flash_lsp})`);
      return { command: python, args: SERVE_ARGS, python, source: 'private-venv', flashLspVersion: again.flash_lsp };
    }
    deps.log('[python] the private venv is broken; re-creating it');
  }
  // Build in a temporary directory, then move into place: a half-built venv is never used.
  const tmp = `${venv}.tmp-${process.pid}-${Date.now()}`;
  const tmpPython = venvPython(tmp, deps.platform);
  deps.remove(tmp);
  opts.onStep?.('1/3 creating a private Python environment');
  deps.log(`[python] creating ${tmp} with ${base.executable}`);
  const made = await deps.run(base.executable, ['-m', 'venv', tmp], { timeoutMs: 120000, onLine: deps.log });
  if (made.code !== 0) {
    deps.remove(tmp);
    const out = made.error ?? `${made.stdout}\n${made.stderr}`.trim();
    const hint = /ensurepip|python3-venv/.test(out)
      ? ' On Debian/Ubuntu install the python3-venv package.'
      : '';
    throw new ServerSetupError(
      `Flash LSP could not create its Python environment with ${base.executable}: ${firstLine(lastLines(out))}.${hint} Or set "flash.server.interpreter" to a Python that has flash-lsp installed.`,
      out,
    );
  }
  opts.onStep?.(`2/3 installing the language server (${path.basename(wheel)}) and its dependencies`);
  deps.log(`[python] pip install ${wheel}`);
  const pip = await deps.run(
    tmpPython,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', wheel],
    { timeoutMs: 600000, onLine: pipProgress(deps.log, opts.onStep) },
  );
  if (pip.code !== 0) {
    deps.remove(tmp);
    const out = pip.error ?? `${pip.stdout}\n${pip.stderr}`.trim();
    throw new ServerSetupError(
      `Flash LSP could not install its server into ${venv} (pip failed: ${firstLine(lastLines(out))}). Check the network/proxy settings for PyPI, or set "flash.server.interpreter" to a Python with flash-lsp installed.`,
      out,
    );
  }
  opts.onStep?.('3/3 checking the installation');
  const check = await probe(deps, tmpPython);
  if (!isProbe(check) || !check.flash_lsp) {
    deps.remove(tmp);
    const out = isProbe(check) ? check.import_error ?? '' : check.error ?? check.stderr;
    throw new ServerSetupError(`Flash LSP installed its server but cannot import it: ${firstLine(out)}.`, out);
  }
  deps.writeFile(path.join(tmp, MARKER), JSON.stringify(want));
  deps.remove(venv);
  deps.rename(tmp, venv);
  deps.log(`[python] private venv ready: ${venv} (flash_lsp ${check.flash_lsp})`);
  return { command: python, args: SERVE_ARGS, python, source: 'private-venv', flashLspVersion: check.flash_lsp };
}

function parseMarker(text: string | undefined): Marker | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Marker;
  } catch {
    return undefined;
  }
}

function firstLine(s: string): string {
  return (s.trim().split(/\r?\n/)[0] ?? '').slice(0, 300);
}

/** The most telling line of tool output: the last ERROR line, else the last line. */
function lastLines(s: string): string {
  const lines = s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const err = [...lines].reverse().find((l) => /^(error|ERROR)\b|Error:/.test(l));
  return err ?? lines[lines.length - 1] ?? '';
}

// ---------------------------------------------------------------- real dependencies

export function nodeDeps(log: (line: string) => void): PythonDeps {
  return {
    platform: process.platform,
    log,
    exists: (p) => fs.existsSync(p),
    readFile: (p) => {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (p, text) => {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    },
    remove: (p) => fs.rmSync(p, { recursive: true, force: true }),
    rename: (from, to) => fs.renameSync(from, to),
    listDir: (p) => fs.readdirSync(p),
    run: (command, args, options) =>
      new Promise<RunResult>((resolve) => {
        let stdout = '';
        let stderr = '';
        let settled = false;
        const done = (r: RunResult) => {
          if (!settled) {
            settled = true;
            resolve(r);
          }
        };
        const env: NodeJS.ProcessEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONIOENCODING: 'utf-8' };
        delete env.PYTHONPATH;
        delete env.PYTHONHOME;
        let child: cp.ChildProcess;
        try {
          child = cp.spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (e: any) {
          done({ code: null, stdout, stderr, error: String(e?.message ?? e) });
          return;
        }
        const timer = options?.timeoutMs
          ? setTimeout(() => {
              child.kill('SIGKILL');
              done({ code: null, stdout, stderr, error: `timed out after ${Math.round(options.timeoutMs! / 1000)} s` });
            }, options.timeoutMs)
          : undefined;
        const lines = (chunk: string) => {
          if (options?.onLine) for (const l of chunk.split(/\r?\n/)) if (l.trim()) options.onLine(l);
        };
        child.stdout?.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          lines(d);
        });
        child.stderr?.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          lines(d);
        });
        child.on('error', (e) => {
          if (timer) clearTimeout(timer);
          done({ code: null, stdout, stderr, error: e.message });
        });
        child.on('close', (code) => {
          if (timer) clearTimeout(timer);
          done({ code, stdout, stderr });
        });
      }),
  };
}

// ---------------------------------------------------------------- the Python extension (optional)

/** Minimal shape of ms-python.python's exported API (only what is used; no build-time dependency). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: unknown): { path: string } | undefined;
    resolveEnvironment(env: unknown): Promise<{ executable?: { uri?: { fsPath: string } } } | undefined>;
    onDidChangeActiveEnvironmentPath?: (listener: (e: unknown) => void) => { dispose(): void };
  };
}

interface ExtensionLike {
  isActive: boolean;
  exports: unknown;
  activate(): Thenable<unknown>;
}

/** The Python extension's active interpreter for `resource`, or undefined (not installed, no API, error). */
export async function pythonExtensionInterpreter(
  getExtension: (id: string) => ExtensionLike | undefined,
  resource?: unknown,
  log?: (line: string) => void,
): Promise<string | undefined> {
  const ext = getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = (ext.isActive ? ext.exports : await ext.activate()) as PythonExtensionApi | undefined;
    const envs = api?.environments;
    if (!envs) return undefined;
    const active = envs.getActiveEnvironmentPath(resource);
    if (!active) return undefined;
    const resolved = await envs.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath ?? active.path;
  } catch (e: any) {
    log?.(`[python] the Python extension's API failed: ${e?.message ?? e}`);
    return undefined;
  }
}

/** Subscribes to interpreter changes of the Python extension, if it is there. */
export async function onPythonExtensionChange(
  getExtension: (id: string) => ExtensionLike | undefined,
  listener: () => void,
): Promise<{ dispose(): void } | undefined> {
  const ext = getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = (ext.isActive ? ext.exports : await ext.activate()) as PythonExtensionApi | undefined;
    return api?.environments?.onDidChangeActiveEnvironmentPath?.(() => listener());
  } catch {
    return undefined;
  }
}
