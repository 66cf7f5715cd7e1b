// Request / notification types of the Flash LSP custom protocol.
// GENERATED from schemas/protocol/*.schema.json by scripts/gen-protocol.mjs: do not edit.
import { NotificationType, RequestType } from 'vscode-languageclient';

const request = <P, R>(method: string) => ({ method, type: new RequestType<P, R, void>(method) });
const notification = <P>(method: string) => ({ method, type: new NotificationType<P>(method) });

// ---------------------------------------------------------------- flash/bundleSize

export interface BundleTopLevel {
  name: string;
  kind: 'package' | 'module' | 'dist-info' | 'scripts' | 'headers' | 'other';
  files?: number;
  uncompressed_bytes?: number;
  archive_bytes: number;
}

export interface BundlePackage {
  name: string;
  version: string;
  /** The wheel pip picks for the build's target. */
  filename?: string;
  url?: string;
  wheel_bytes?: number | null;
  /** Compressed bytes this distribution adds to the archive. */
  archive_bytes: number;
  uncompressed_bytes?: number | null;
  files?: number | null;
  /** The requirement strings (requirements.txt lines, dependencies=[...] elements) that pull it in. */
  required_by: string[];
  direct: boolean;
  /** First chain of distribution names from a requirement to this one. */
  via: string[];
  top_level?: BundleTopLevel[];
  size_method?: 'exact' | 'sampled' | 'central-directory' | 'wheel-size-ratio' | 'local-record' | 'unknown';
  sha256?: string | null;
}

export interface BundleHint {
  kind: 'over-limit' | 'near-limit' | 'no-wheel' | 'conflict' | 'resolution-failed' | 'gpu-torch-exclusion' | 'torch-transitive' | 'exclude-name-mismatch' | 'exclude-transitive' | 'exclude-unmatched' | 'not-predictable';
  severity: 'error' | 'warning' | 'info';
  message: string;
  data?: Record<string, unknown>;
}

/** Why the build's pip would fail (then archive_bytes is null). */
export interface BundleProblem {
  kind: 'no-wheel' | 'conflict' | 'requires-python' | 'invalid-requirement' | 'resolution-failed' | 'not-predictable';
  message: string;
  package?: string | null;
  requirements?: string[];
  details?: Record<string, unknown>;
}

export interface BundleEndpoint {
  name: string;
  compute: 'GPU' | 'CPU';
  /** The installed elements of this endpoint's own dependencies=[...]. */
  requirements: string[];
  /** Distributions reachable from them. */
  packages: string[];
  /** What the endpoint brings in: those packages plus the project files and tar overhead (every endpoint ships them). Same as sizeBytes in flash/endpoints. */
  bytes: number | null;
}

/** A top-level directory that makes up more than a tenth of the archive (and over 1 MiB). */
export interface SizeContributor {
  /** A top-level directory of the project, with a trailing slash (".venv/"). */
  path: string;
  /** Its compressed bytes in the archive. */
  bytes: number;
  /** Its fraction of the archive. */
  share: number;
  /** What to do about it, when it is a virtual environment that ships ("shipped: add it to .flashignore"). */
  advice?: string;
}

export interface BundleSizeParams {
  /** Any document of the project. */
  uri?: string;
  /** The project root URI. */
  project?: string;
  /** Wait until no estimate is pending before answering (true: up to 60 s; a number: that many seconds). */
  wait?: boolean | number;
}

export interface BundleSizeResult {
  project: string;
  /** updating: an estimate is pending or running; the figures are the last answer (or null). error: pip cannot install the set (see problems) or the estimate failed (see error). disabled: flash.size.enable is false. */
  state: 'ready' | 'updating' | 'error' | 'disabled';
  /** An internal failure of the last estimate (logged). */
  error?: string | null;
  /** Estimates started for this project by this server (cache hits included). */
  runs?: number;
  /** Predicted size of the compressed archive; null when unknown or when pip would fail. */
  archive_bytes: number | null;
  /** The build's limit (500 MiB for tetra-rp 0.2x, where exceeding it only warns). */
  limit_bytes: number | null;
  over_limit?: boolean;
  confidence: 'authoritative' | 'provisional' | 'cached' | 'offline-estimate' | null;
  /** The confidence in plain words ("from the last pip resolution"). */
  confidence_text?: string;
  /** pip's verdict on the build's requirements: installs, fails (the build fails with 'Failed to install dependencies'), unknown, or irrelevant (the build stops earlier or installs nothing). */
  dependencies?: {
    state: 'installs' | 'fails' | 'unknown' | 'irrelevant';
    reason: string;
  } | null;
  /** The confidence of the stored answer when confidence is cached. */
  cached_from?: string | null;
  packages: BundlePackage[];
  dependencies_bytes?: number;
  /** Compressed project and generated files. */
  project_bytes?: number;
  project_raw_bytes?: number;
  /** Compressed bytes per top-level entry of the project ("main.py", ".venv/"), generated files included. */
  project_parts?: Record<string, unknown>;
  /** While the project files are compressed (a shipped virtual environment can take a minute): how far it got; null otherwise. */
  sizing?: BundleSizing | null;
  /** Up to three top-level directories over 10 % of the archive and over 1 MiB, biggest first. */
  contributors?: SizeContributor[];
  overhead_bytes?: number;
  problems?: BundleProblem[];
  hints?: BundleHint[];
  notes?: string[];
  python_version?: string;
  platforms?: string[];
  no_deps?: boolean;
  requirements?: string[];
  /** "pip 23.2.1", "uv 0.13.9", "local distributions". */
  resolver?: string;
  computed_at?: number;
  key?: string;
  timings?: Record<string, unknown>;
  endpoints: BundleEndpoint[];
}

/** While the project files are compressed (a shipped virtual environment can take a minute): how far it got; null otherwise. */
export interface BundleSizing {
  /** The top-level entry being read (".venv/"). */
  part: string;
  /** Raw bytes read, in percent of those to read. */
  percentage: number;
  /** A lower bound of the archive: the compressed bytes so far, plus the dependencies when the last estimate resolved the same requirement set. */
  partial_bytes: number;
  done_bytes?: number;
  total_bytes?: number;
}

export const BundleSizeRequest = request<BundleSizeParams, BundleSizeResult | null>('flash/bundleSize');

// ---------------------------------------------------------------- flash/endpoints

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Location {
  uri: string;
  range: Range;
}

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
  /** Every file the build generates for this endpoint (the mothership: handler_mothership.py, which its manifest entry names, and handlers/handler_mothership.py); flash/handler's path. */
  handlerFiles?: string[];
  /** What this endpoint brings in: its packages plus the project files and tar overhead, as if it were alone (null until known). The archive is archiveBytes of the project. */
  sizeBytes?: number | null;
  location?: Location;
  functions: EndpointFunction[];
}

export interface EndpointsSizeContributor {
  /** A top-level directory of the project, with a trailing slash (".venv/"). */
  path: string;
  /** Its compressed bytes in the archive. */
  bytes: number;
  /** Its fraction of the archive. */
  share: number;
  /** What to do about it, when it is a virtual environment that ships ("shipped: add it to .flashignore"). */
  advice?: string;
}

export interface UncertainStep {
  /** The project file (relative path) whose import runs the step. */
  file: string;
  /** Its 1-based line. */
  line: number;
  /** What it does, with the call as written ("a network request (requests.get(...))"). */
  effect: string;
  /** The files that fail to load when it fails, in the build's order: its own file and every file whose module-level import reaches it. */
  fails: string[];
  /** One sentence: the build may stop with Failed to load: <those files> if it fails. */
  message: string;
}

export type EndpointsParams = object | null;

export interface EndpointsResult {
  projects: EndpointsProject[];
}

export interface EndpointsProject {
  uri: string;
  name: string;
  profile: string;
  /** Whether the build succeeds, pip's verdict on the requirements included; null when that verdict is not known yet, or when the outcome is uncertain (see uncertain). */
  succeeds: boolean | null;
  errors: string[];
  /** The build's warnings; an unknown pip verdict says why here, and each uncertain step has an 'Uncertain: ' line. */
  warnings?: string[];
  /** Import-time steps whose success depends on the build machine (a network request at module level): when one fails, the build stops with Failed to load and its file. */
  uncertain?: UncertainStep[];
  /** The predicted archive, from the same estimate as flash/bundleSize's archive_bytes (null until known). */
  archiveBytes?: number | null;
  /** flash/bundleSize's contributors: up to three top-level directories over 10 % of the archive. */
  sizeContributors?: EndpointsSizeContributor[];
  endpoints: Endpoint[];
}

export const EndpointsRequest = request<EndpointsParams, EndpointsResult>('flash/endpoints');

// ---------------------------------------------------------------- flash/handler

export interface HandlerParams {
  uri?: string;
  project?: string;
  /** Resource (endpoint) name, e.g. gpu_worker; "mothership" gives handlers/handler_mothership.py. */
  resource: string;
  /** One generated file of the resource instead (flash/endpoints handlerFiles): the mothership has two, handlers/handler_mothership.py and the handler_mothership.py its manifest entry names. */
  path?: string;
}

export interface HandlerResult {
  project: string;
  resource: string;
  /** Path of the file inside .flash/.build, e.g. handler_gpu_worker.py. */
  path: string;
  /** null when the build would not write this file. */
  text: string | null;
  version?: number;
}

export const HandlerRequest = request<HandlerParams, HandlerResult | null>('flash/handler');

// ---------------------------------------------------------------- flash/manifest

export interface ProjectParams {
  /** Any document of the project. */
  uri?: string;
  /** The project root URI. */
  project?: string;
}

export interface ManifestResult {
  project: string;
  profile: string;
  /** The manifest exactly as the build writes it; null when the build writes none. */
  text: string | null;
  /** Whether the build succeeds, pip's verdict on the requirements included; null when that verdict is not known yet. */
  succeeds: boolean | null;
  errors: string[];
  /** Model version (increases with every analysis). */
  version: number;
}

export const ManifestRequest = request<ProjectParams, ManifestResult | null>('flash/manifest');

// ---------------------------------------------------------------- notifications (server → client)

/** A project's model was recomputed: refresh open previews and the endpoints tree. */
export interface ModelChangedParams {
  project: string;
  version: number;
}
export const ModelChangedNotification = notification<ModelChangedParams>('flash/modelChanged');

/** Workspace indexing state, for a status item. */
export interface IndexStatusParams {
  /** searching: looking for Flash projects in the folders (done = files and folders seen). */
  state: 'searching' | 'indexing' | 'ready';
  done?: number;
  total?: number;
  projects?: string[];
}
export const IndexStatusNotification = notification<IndexStatusParams>('flash/indexStatus');

/** One line of `flash build` output (ANSI codes stripped), for a dedicated output channel. */
export interface BuildOutputParams {
  project: string;
  line: string;
}
export const BuildOutputNotification = notification<BuildOutputParams>('flash/buildOutput');

/** A build or package command ended. */
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
export const BuildFinishedNotification = notification<BuildFinishedParams>('flash/buildFinished');

/** A project's predicted archive size, or its state, changed: re-read flash/bundleSize for the breakdown. state updating: an estimate is pending or running and the figures are the last answer's (null when there is none). */
export interface BundleSizeChangedParams {
  project: string;
  state: 'ready' | 'updating' | 'error' | 'disabled';
  archiveBytes: number | null;
  limitBytes: number | null;
  confidence?: 'authoritative' | 'provisional' | 'cached' | 'offline-estimate' | null;
  /** While the project files are compressed (state updating): the top-level entry being read, the percentage read and a lower bound of the archive (flash/bundleSize's sizing). null otherwise. */
  sizing?: {
    part: string;
    percentage: number;
    partialBytes: number;
  } | null;
}
export const BundleSizeChangedNotification = notification<BundleSizeChangedParams>('flash/bundleSizeChanged');

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

/** Commands the client implements; the server references them from CodeLens, hovers and quick fixes. */
export const ClientCommands = {
  showManifestPreview: 'flash.showManifestPreview',
  showHandlerPreview: 'flash.showHandlerPreview',
  addBuildExclusion: 'flash.addBuildExclusion',
} as const;

export interface ProjectArg {
  /** Project root URI or any document URI in it. */
  project?: string;
}

export interface HandlerPreviewArg {
  project?: string;
  resource: string;
  /** Which of the endpoint's generated files (flash/endpoints handlerFiles), e.g. handler_mothership.py; absent: its handler (handlerFile). */
  path?: string;
}

/** CLIENT command (the server does not execute it): add `packages` to the `flash.build.exclude` setting (workspace folder scope), which the server then applies to the analysis, the size estimate and `flash build --exclude`. Sent by the quick fix on FL805 (torch, torchvision, torchaudio are in the GPU base image). */
export interface BuildExclusionArg {
  /** Project root URI. */
  project?: string;
  /** Names as the build matches them (lower-case). */
  packages: string[];
}
