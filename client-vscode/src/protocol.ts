// Request / notification types of the Flash LSP custom protocol.
// Mirrors schemas/protocol/*.schema.json (the source of truth); keep the two in step.
import { NotificationType, RequestType } from 'vscode-languageclient';

// ---------------------------------------------------------------- shared

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Location { uri: string; range: Range }

export interface ProjectParams {
  /** Any document URI of the project. */
  uri?: string;
  /** The project root URI. */
  project?: string;
}

// ---------------------------------------------------------------- flash/manifest

export interface ManifestResult {
  project: string;
  profile: string;
  /** The manifest exactly as the build writes it; null when the build writes none. */
  text: string | null;
  succeeds: boolean;
  errors: string[];
  version: number;
}
export namespace ManifestRequest {
  export const method = 'flash/manifest';
  export const type = new RequestType<ProjectParams, ManifestResult | null, void>(method);
}

// ---------------------------------------------------------------- flash/handler

export interface HandlerParams extends ProjectParams {
  /** Resource (endpoint) name; "mothership" gives handlers/handler_mothership.py. */
  resource: string;
}
export interface HandlerResult {
  project: string;
  resource: string;
  /** Path inside .flash/.build, e.g. handler_gpu_worker.py. */
  path: string;
  /** null when the build would not write this file. */
  text: string | null;
  version?: number;
}
export namespace HandlerRequest {
  export const method = 'flash/handler';
  export const type = new RequestType<HandlerParams, HandlerResult | null, void>(method);
}

// ---------------------------------------------------------------- flash/endpoints

export interface EndpointFunction {
  name: string;
  kind: 'function' | 'async' | 'class';
  module?: string;
  /** "METHOD /path" for load-balanced endpoints. */
  route?: string;
  location: Location;
}
export interface Endpoint {
  name: string;
  resourceType: string;
  compute: 'GPU' | 'CPU';
  loadBalanced: boolean;
  live: boolean;
  mothership?: boolean;
  handlerFile: string;
  /** Predicted archive bytes this endpoint brings in (null until known). */
  sizeBytes?: number | null;
  location?: Location;
  functions: EndpointFunction[];
}
export interface EndpointsProject {
  uri: string;
  name: string;
  profile: string;
  succeeds: boolean;
  errors: string[];
  /** The predicted archive: the same estimate as flash/bundleSize (the status bar). */
  archiveBytes?: number | null;
  endpoints: Endpoint[];
}
export interface EndpointsResult { projects: EndpointsProject[] }
export namespace EndpointsRequest {
  export const method = 'flash/endpoints';
  export const type = new RequestType<object | null, EndpointsResult | null, void>(method);
}

// ---------------------------------------------------------------- flash/bundleSize

export interface BundlePackage { name: string; archive_bytes: number; required_by?: string[]; version?: string }
export interface BundleHint { kind: string; severity: string; message: string }
/** The server's SizeEstimate.to_dict() (server/flash_lsp/bundle/model.py); only what the client reads. */
export interface BundleSizeResult {
  archive_bytes: number | null;
  limit_bytes: number;
  confidence: string;
  /** the confidence in plain words ("from the last pip resolution") */
  confidence_text?: string;
  /** the project's URI */
  project?: string;
  /** ready | updating | error */
  state: string;
  over_limit?: boolean;
  packages?: BundlePackage[];
  project_bytes?: number;
  dependencies_bytes?: number;
  problems?: { message?: string }[];
  notes?: string[];
  hints?: BundleHint[];
  python_version?: string;
  requirements?: string[];
}
export namespace BundleSizeRequest {
  export const method = 'flash/bundleSize';
  export const type = new RequestType<ProjectParams, BundleSizeResult | null, void>(method);
}

// ---------------------------------------------------------------- notifications (server → client)

export interface ModelChangedParams { project: string; version: number }
export interface BundleSizeChangedParams {
  project: string;
  state: string;
  archiveBytes?: number | null;
  limitBytes?: number;
}

export namespace BundleSizeChangedNotification {
  export const method = 'flash/bundleSizeChanged';
  export const type = new NotificationType<BundleSizeChangedParams>(method);
}

export namespace ModelChangedNotification {
  export const method = 'flash/modelChanged';
  export const type = new NotificationType<ModelChangedParams>(method);
}

export interface IndexStatusParams {
  state: 'searching' | 'indexing' | 'ready'; // searching: done = files and folders seen
  done?: number;
  total?: number;
  projects?: string[];
}
export namespace IndexStatusNotification {
  export const method = 'flash/indexStatus';
  export const type = new NotificationType<IndexStatusParams>(method);
}

export interface BuildOutputParams { project: string; line: string }
export namespace BuildOutputNotification {
  export const method = 'flash/buildOutput';
  export const type = new NotificationType<BuildOutputParams>(method);
}

export interface BuildFinishedParams {
  project: string;
  exitCode: number | null;
  cancelled?: boolean;
  /** One line: how the build ended ("Build of tiny failed (exit code 1): <first error>"). */
  summary?: string;
  /** Project-relative build output the server removed because the build did not finish. */
  removed?: string[];
  /** Package report (flash.package only). */
  report?: Record<string, unknown> | null;
  reportMarkdown?: string | null;
}
export namespace BuildFinishedNotification {
  export const method = 'flash/buildFinished';
  export const type = new NotificationType<BuildFinishedParams>(method);
}

// ---------------------------------------------------------------- commands

/** Commands the server executes (workspace/executeCommand); one argument object each. */
export const ServerCommands = {
  build: 'flash.build',
  package: 'flash.package',
  cancelBuild: 'flash.cancelBuild',
  clean: 'flash.clean',
  reindex: 'flash.reindex',
} as const;
export type ServerCommand = (typeof ServerCommands)[keyof typeof ServerCommands];

/** Commands the client implements; the server references them from CodeLens and hover links. */
export const ClientCommands = {
  showManifestPreview: 'flash.showManifestPreview',
  showHandlerPreview: 'flash.showHandlerPreview',
  addBuildExclusion: 'flash.addBuildExclusion',
} as const;

export interface ProjectArg { project?: string }
export interface HandlerPreviewArg { project?: string; resource: string }
