// Flash LSP for VS Code: activation wires the modules together; nothing else lives here.
import * as vscode from 'vscode';
import { BuildController } from './build';
import { FlashClient } from './client';
import { EndpointsRequest } from './protocol';
import { PreviewProvider, projectKey, registerPreviewCommands, SCHEME } from './preview';
import { renderSizeReport, SHOW_REPORT_COMMAND, StatusItem } from './status';
import { EndpointsTree, REVEAL_COMMAND, revealLocation } from './tree';
import { BundleSizeRequest, ClientCommands, ProjectArg } from './protocol';
import { commandArg } from './preview';
import { addBuildExclusion } from './settings';
import { MigrationController } from './migrate';

let flash: FlashClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Flash LSP', { log: true });
  flash = new FlashClient(context, log);
  const client = flash;
  const tree = new EndpointsTree(client);

  const pickProject = async (): Promise<string | undefined> => {
    let projects = tree.projects;
    if (!projects.length) projects = (await client.request(EndpointsRequest.type, null))?.projects ?? [];
    if (projects.length <= 1) return projects[0]?.uri;
    const picked = await vscode.window.showQuickPick(
      projects.map((p) => ({ label: p.name, description: p.uri, uri: p.uri })),
      { placeHolder: 'Flash project' },
    );
    return picked?.uri;
  };
  const pickResource = async (project: string): Promise<{ resource: string; path?: string } | undefined> => {
    const all = tree.projects.length ? tree.projects : (await client.request(EndpointsRequest.type, null))?.projects ?? [];
    const endpoints = all.find((p) => projectKey(p.uri) === projectKey(project))?.endpoints ?? [];
    // one entry per generated file: the mothership has two (handler_mothership.py, which its manifest
    // entry names, and handlers/handler_mothership.py)
    const items = endpoints.flatMap((e) =>
      (e.handlerFiles?.length ? e.handlerFiles : [e.handlerFile]).map((file) => ({
        label: e.name, description: `${e.resourceType} → ${file}`, resource: e.name, path: file === e.handlerFile ? undefined : file,
      })),
    );
    if (items.length === 1) return items[0];
    return vscode.window.showQuickPick(items, { placeHolder: 'Generated handler to preview' });
  };

  const status = new StatusItem(client, () => tree.projects.map((p) => p.uri));
  const previews = new PreviewProvider(client, async (project) =>
    renderSizeReport(await client.request(BundleSizeRequest.type, { project }), project),
  );
  const builds = new BuildController(client, previews, pickProject);
  new MigrationController(client, (arg) => builds.project(arg));

  context.subscriptions.push(
    log,
    client,
    tree,
    status,
    previews,
    builds,
    vscode.window.registerTreeDataProvider('flashEndpoints', tree),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, previews),
    client.onModelChanged((p) => previews.modelChanged(p.project)),
    client.onDidStart(() => previews.refreshAll()),
    ...registerPreviewCommands(previews, client, pickProject, pickResource),
    vscode.commands.registerCommand('flash.restartServer', () => client.restart()),
    vscode.commands.registerCommand('flash.showOutput', () => log.show()),
    vscode.commands.registerCommand('flash.refreshEndpoints', () => tree.refresh()),
    vscode.commands.registerCommand(REVEAL_COMMAND, revealLocation),
    vscode.commands.registerCommand(SHOW_REPORT_COMMAND, (...a: unknown[]) => builds.showReport(commandArg<ProjectArg>(a))),
    vscode.commands.registerCommand(ClientCommands.addBuildExclusion, (...a: unknown[]) =>
      addBuildExclusion(commandArg<{ project?: string; packages?: string[] }>(a)),
    ),
  );
  void vscode.commands.executeCommand('setContext', 'flash.active', true);
  void client.activate(); // not awaited: a first start may install the server (pip) for a minute
}

export async function deactivate(): Promise<void> {
  await flash?.stop();
  flash = undefined;
}
