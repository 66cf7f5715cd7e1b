// Flash settings as the server expects them (schemas/settings.schema.json): flat dotted keys.
import * as vscode from 'vscode';

export const SECTION = 'flash';

/** Setting keys ("flash.profile", …) as contributed in package.json (generated from the schema). */
export function settingKeys(packageJSON: any): string[] {
  return Object.keys(packageJSON?.contributes?.configuration?.properties ?? {});
}

/**
 * Flat `{ "flash.profile": …, "flash.interpreter": … }` for initializationOptions.settings.
 * `get(key)` reads one full key; undefined values are left out (the server applies defaults).
 * `projectInterpreter` fills `flash.interpreter` when the setting itself is empty.
 */
export function collectSettings(
  keys: string[],
  get: (key: string) => unknown,
  projectInterpreter?: string | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = get(key);
    if (value !== undefined) out[key] = value;
  }
  if ((out['flash.interpreter'] === undefined || out['flash.interpreter'] === null || out['flash.interpreter'] === '') && projectInterpreter) {
    out['flash.interpreter'] = projectInterpreter;
  }
  return out;
}

export function readSettings(keys: string[], scope?: vscode.Uri, projectInterpreter?: string | null): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(undefined, scope);
  return collectSettings(keys, (key) => config.get(key), projectInterpreter);
}

/** The value VS Code returns for section "flash" with the resolved project interpreter filled in
 *  (workspace/configuration middleware). Nested, relative to the section, as VS Code gives it. */
export function withProjectInterpreter(section: string | undefined, value: any, projectInterpreter?: string | null): any {
  if (!projectInterpreter) return value;
  if (section === 'flash' && value && typeof value === 'object') {
    if (value.interpreter === null || value.interpreter === undefined || value.interpreter === '') {
      return { ...value, interpreter: projectInterpreter };
    }
  } else if (section === 'flash.interpreter' && (value === null || value === undefined || value === '')) {
    return projectInterpreter;
  }
  return value;
}

/** Keys whose change needs a server restart (the rest go through workspace/didChangeConfiguration). */
export const RESTART_KEYS = ['flash.server.interpreter', 'flash.trace.server'];

/** `flash.build.exclude` after adding `packages` as the build matches them: lower-case, stripped,
 *  no duplicates, existing order kept. */
export function mergeExclusions(current: readonly unknown[] | undefined, packages: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of [...(current ?? []), ...packages]) {
    const token = String(name).trim().toLowerCase();
    if (token && !out.includes(token)) out.push(token);
  }
  return out;
}

/** Client command `flash.addBuildExclusion {project, packages}` (the FL805 quick fix): writes the
 *  merged list to the project's workspace folder settings (workspace settings when it has none). */
export async function addBuildExclusion(arg: { project?: string; packages?: string[] } | undefined): Promise<void> {
  const packages = arg?.packages ?? [];
  if (packages.length === 0) return;
  const scope = arg?.project ? vscode.Uri.parse(arg.project) : undefined;
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : undefined;
  const config = vscode.workspace.getConfiguration(SECTION, folder?.uri);
  const merged = mergeExclusions(config.get<string[]>('build.exclude'), packages);
  const target = folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
  await config.update('build.exclude', merged, target);
  void vscode.window.showInformationMessage(`Flash: flash build will now exclude ${packages.join(', ')}.`);
}
