// LanguageClient lifecycle: when to start, which server to start, restart, and the custom
// notifications re-published as VS Code events (so features survive restarts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RequestType,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import {
  BuildFinishedNotification,
  BuildFinishedParams,
  BuildOutputNotification,
  BuildOutputParams,
  ClientCommands,
  IndexStatusNotification,
  IndexStatusParams,
  BundleSizeChangedNotification,
  BundleSizeChangedParams,
  ModelChangedNotification,
  ModelChangedParams,
} from './protocol';
import {
  chooseInterpreter,
  ensureServer,
  nodeDeps,
  onPythonExtensionChange,
  pythonExtensionInterpreter,
  ServerLaunch,
  ServerSetupError,
} from './python';
import { readSettings, RESTART_KEYS, SECTION, settingKeys, withProjectInterpreter } from './settings';
import { createTraceChannel } from './trace';

const FLASH_IMPORT = /^\s*(?:from\s+(?:tetra_rp|runpod_flash)\b|import\s+(?:tetra_rp|runpod_flash)\b)/m;
const MARKER_GLOB = '{main.py,mothership.py,**/main.py,**/mothership.py}';
const EXCLUDE_GLOB = '**/{.venv,venv,node_modules,.git,.flash,__pycache__,site-packages}/**';

/** Whether a Python source uses Flash (imports tetra_rp / runpod_flash). */
export function importsFlash(text: string): boolean {
  return FLASH_IMPORT.test(text);
}

export class FlashClient implements vscode.Disposable {
  client: LanguageClient | undefined;
  launch: ServerLaunch | undefined;
  readonly trusted: () => boolean = () => vscode.workspace.isTrusted;

  private readonly _onModelChanged = new vscode.EventEmitter<ModelChangedParams>();
  private readonly _onBundleSizeChanged = new vscode.EventEmitter<BundleSizeChangedParams>();
  private readonly _onIndexStatus = new vscode.EventEmitter<IndexStatusParams>();
  private readonly _onBuildOutput = new vscode.EventEmitter<BuildOutputParams>();
  private readonly _onBuildFinished = new vscode.EventEmitter<BuildFinishedParams>();
  private readonly _onDidStart = new vscode.EventEmitter<LanguageClient>();
  readonly onModelChanged = this._onModelChanged.event;
  readonly onBundleSizeChanged = this._onBundleSizeChanged.event;
  readonly onIndexStatus = this._onIndexStatus.event;
  readonly onBuildOutput = this._onBuildOutput.event;
  readonly onBuildFinished = this._onBuildFinished.event;
  readonly onDidStart = this._onDidStart.event;

  private readonly disposables: vscode.Disposable[] = [];
  private clientDisposables: vscode.Disposable[] = [];
  private starting: Promise<void> | undefined;
  private restartQueued = false;
  private wanted = false;
  private projectPython: string | undefined;
  private traceChannel: vscode.LogOutputChannel | undefined;
  /** Routes the server's own commands (CodeLens, command links) through the client's UI
   *  (trust check, output channel); set by the build controller. */
  interceptCommand: ((command: string, args: any[]) => Promise<unknown> | undefined) | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(this._onModelChanged, this._onBundleSizeChanged, this._onIndexStatus, this._onBuildOutput, this._onBuildFinished, this._onDidStart);
  }

  // ------------------------------------------------------------ activation gate

  /** Starts the server now if the workspace looks like a Flash project, else on the first Python
   *  document that imports tetra_rp / runpod_flash. */
  async activate(): Promise<void> {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => this.configurationChanged(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('workspace trusted: restarting the server (builds, the project interpreter and its index options enabled)');
        void this.restart();
      }),
    );
    const sub = await onPythonExtensionChange(vscode.extensions.getExtension, () => void this.projectInterpreterChanged());
    if (sub) this.disposables.push(sub);

    if (await this.looksLikeFlashWorkspace()) {
      await this.start();
      return;
    }
    this.log.info('no main.py / mothership.py / tetra_rp import found yet: the server starts with the first Flash file');
    const check = (doc: vscode.TextDocument) => {
      if (!this.wanted && doc.languageId === 'python' && doc.uri.scheme === 'file' && importsFlash(doc.getText())) {
        watcher.dispose();
        void this.start();
      }
    };
    const watcher = vscode.workspace.onDidOpenTextDocument(check);
    this.disposables.push(watcher);
    vscode.workspace.textDocuments.forEach(check);
  }

  private async looksLikeFlashWorkspace(): Promise<boolean> {
    if (vscode.workspace.textDocuments.some((d) => d.languageId === 'python' && importsFlash(d.getText()))) return true;
    if (!vscode.workspace.workspaceFolders?.length) return false;
    const found = await vscode.workspace.findFiles(MARKER_GLOB, EXCLUDE_GLOB, 1);
    return found.length > 0;
  }

  // ------------------------------------------------------------ lifecycle

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  start(): Promise<void> {
    this.wanted = true;
    if (!this.starting) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
        if (this.restartQueued) {
          this.restartQueued = false;
          void this.restart();
        }
      });
    }
    return this.starting;
  }

  /** Stops and starts again, re-resolving the interpreter. Calls during a restart are coalesced. */
  async restart(): Promise<void> {
    if (this.starting) {
      this.restartQueued = true;
      return this.starting;
    }
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.clientDisposables.forEach((d) => d.dispose());
    this.clientDisposables = [];
    this.traceChannel?.dispose();
    this.traceChannel = undefined;
    if (client) {
      try {
        if (client.isRunning()) await client.stop(5000);
        await client.dispose(2000);
      } catch (e: any) {
        try {
          this.log.warn(`stopping the server: ${e?.message ?? e}`);
        } catch {
          /* the channel is already disposed when VS Code shuts down */
        }
      }
    }
    void vscode.commands.executeCommand('setContext', 'flash.serverRunning', false);
  }

  private async doStart(): Promise<void> {
    let launch: ServerLaunch;
    try {
      launch = await this.resolveServer();
    } catch (e: any) {
      this.setupFailed(e);
      return;
    }
    this.launch = launch;
    this.projectPython = await this.resolveProjectInterpreter();
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: launch.args,
      // no `transport`: TransportKind.stdio would append "--stdio" to the arguments
      options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.globalStorageUri.fsPath },
    };
    this.traceChannel = createTraceChannel();
    const client = new LanguageClient('flash', 'Flash LSP', serverOptions, this.clientOptions());
    this.client = client;
    this.clientDisposables.push(
      client.onNotification(ModelChangedNotification.type, (p) => this._onModelChanged.fire(p)),
      client.onNotification(BundleSizeChangedNotification.type, (p) => this._onBundleSizeChanged.fire(p)),
      client.onNotification(IndexStatusNotification.type, (p) => this._onIndexStatus.fire(p)),
      client.onNotification(BuildOutputNotification.type, (p) => this._onBuildOutput.fire(p)),
      client.onNotification(BuildFinishedNotification.type, (p) => this._onBuildFinished.fire(p)),
    );
    this.log.info(`starting ${launch.command} ${launch.args.join(' ')} (flash_lsp ${launch.flashLspVersion}, interpreter from ${launch.source}); project interpreter: ${this.projectPython ?? '(server default)'}; trusted: ${this.trusted()}`);
    try {
      await client.start();
    } catch (e: any) {
      // vscode-languageclient has already shown its own "couldn't start" message with the output.
      this.log.error(`the server failed to start: ${e?.message ?? e}`);
      return;
    }
    void vscode.commands.executeCommand('setContext', 'flash.serverRunning', true);
    this._onDidStart.fire(client);
  }

  private async resolveServer(): Promise<ServerLaunch> {
    const scope = vscode.workspace.workspaceFolders?.[0]?.uri;
    const setting = vscode.workspace.getConfiguration(SECTION, scope).get<string | null>('server.interpreter');
    const fromExtension = setting ? undefined : await pythonExtensionInterpreter(vscode.extensions.getExtension, scope, (l) => this.log.info(l));
    const candidate = chooseInterpreter(setting, fromExtension);
    const deps = nodeDeps((line) => this.log.info(line));
    const storageDir = this.context.globalStorageUri.fsPath;
    const bundledDir = path.join(this.context.extensionPath, 'bundled');
    let reporter: ((m: string) => void) | undefined;
    let finishProgress: (() => void) | undefined;
    const onStep = (message: string) => {
      if (!reporter) {
        // a first start installs the server: show it (pip may take a minute)
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Flash LSP: first start' },
          (progress) =>
            new Promise<void>((resolve) => {
              reporter = (m) => progress.report({ message: m });
              finishProgress = resolve;
              reporter(message);
            }),
        );
      } else reporter(message);
    };
    try {
      return await ensureServer(deps, { candidate, bundledDir, storageDir, onStep });
    } finally {
      finishProgress?.();
    }
  }

  private setupFailed(e: any): void {
    const message = e instanceof ServerSetupError ? e.message : `Flash LSP: could not prepare the server: ${e?.message ?? e}`;
    this.log.error(message);
    if (e instanceof ServerSetupError && e.detail) this.log.error(e.detail);
    void vscode.window.showErrorMessage(message, 'Show Output', 'Open Settings').then((choice) => {
      if (choice === 'Show Output') this.log.show();
      else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'flash.server.interpreter');
    });
  }

  /** The project's interpreter (for builds and profile detection): setting, else the Python extension's. */
  async resolveProjectInterpreter(scope?: vscode.Uri): Promise<string | undefined> {
    scope = scope ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    const setting = vscode.workspace.getConfiguration(SECTION, scope).get<string | null>('interpreter');
    if (setting) return setting;
    return pythonExtensionInterpreter(vscode.extensions.getExtension, scope, (l) => this.log.info(l));
  }

  private clientOptions(): LanguageClientOptions {
    const keys = settingKeys(this.context.extension.packageJSON);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
      ],
      outputChannel: this.log,
      // protocol tracing only when flash.trace.server asks for it (trace.ts)
      traceOutputChannel: this.traceChannel,
      initializationOptions: {
        // hovers may carry command: links (the markdown option below lets VS Code run them)
        commandLinks: true,
        // build output goes to the Flash channel (build.ts), not a second time into the server log
        showsBuildOutput: true,
        settings: readSettings(keys, folder, this.projectPython),
        // the project interpreter as the editor reports it (setting, else the Python extension's)
        interpreter: this.projectPython ?? null,
        trusted: this.trusted(),
      },
      markdown: { isTrusted: { enabledCommands: Object.values(ClientCommands) }, supportHtml: false },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.py,requirements.txt,pyproject.toml,.flashignore,.gitignore,.env}'),
      },
      connectionOptions: { maxRestartCount: 4 },
      middleware: {
        executeCommand: async (command, args, next) => {
          const handled = this.interceptCommand?.(command, args);
          return handled !== undefined ? handled : next(command, args);
        },
        workspace: {
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return result.map((value, i) => withProjectInterpreter(params.items[i]?.section, value, this.projectPython));
          },
        },
      },
    };
  }

  // ------------------------------------------------------------ settings

  private async configurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration(SECTION)) return;
    if (RESTART_KEYS.some((k) => e.affectsConfiguration(k))) {
      this.log.info('server interpreter or tracing changed: restarting');
      await this.restart();
      return;
    }
    if (e.affectsConfiguration('flash.interpreter')) this.projectPython = await this.resolveProjectInterpreter();
    this.pushConfiguration();
  }

  private async projectInterpreterChanged(): Promise<void> {
    this.projectPython = await this.resolveProjectInterpreter();
    this.log.info(`project interpreter now ${this.projectPython ?? '(server default)'}`);
    if (!vscode.workspace.getConfiguration(SECTION).get('server.interpreter')) {
      // the server itself may run on the Python extension's interpreter
      await this.restart();
    } else this.pushConfiguration();
  }

  /** workspace/didChangeConfiguration with the "flash" section (nested, as workspace/configuration
   *  returns it) and the resolved project interpreter; servers that pull re-read it anyway. */
  private pushConfiguration(): void {
    if (!this.client || !this.running) return;
    const raw = JSON.parse(JSON.stringify(vscode.workspace.getConfiguration(SECTION, vscode.workspace.workspaceFolders?.[0]?.uri)));
    const settings = { [SECTION]: withProjectInterpreter(SECTION, raw, this.projectPython) };
    void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  // ------------------------------------------------------------ requests

  /** A request to the running server; undefined when it is not running or the request fails. */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R | undefined> {
    if (this.starting) await this.starting;
    const client = this.client;
    if (!client || !this.running) return undefined;
    try {
      return (await client.sendRequest(type as RequestType<unknown, unknown, void>, params)) as R;
    } catch (e: any) {
      this.log.warn(`${type.method} failed: ${e?.message ?? e}`);
      return undefined;
    }
  }

  /** Same as request() but lets errors through (for commands that report them). */
  async requestOrThrow<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    if (this.starting) await this.starting;
    const client = this.client;
    if (!client || !this.running) throw new Error('the Flash LSP server is not running (see "Flash: Show Output")');
    return client.sendRequest(type as RequestType<unknown, unknown, void>, params) as Promise<R>;
  }

  dispose(): void {
    void this.stop();
    this.disposables.forEach((d) => d.dispose());
  }
}
