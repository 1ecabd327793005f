import { DiagnosticRefreshRequest, MessageType, ShowMessageNotification, type Connection, type InitializeParams } from 'vscode-languageserver/node.js';
import { LintPool } from '../engine/pool.js';
import type { Finding } from '../engine/types.js';
import { rules } from '../rules/index.js';
import { clientCaps, readInitOptions, type ClientCaps, type InitOptions } from './capabilities.js';
import { ConfigStore } from './config-store.js';
import { toDiagnostic } from './diagnostics.js';
import { DocumentStore, type AnalysisResult, type OpenDocument } from './documents.js';
import { HeapEvidence } from './heap-evidence.js';
import { Scheduler } from './scheduler.js';
import { uriToPath } from './uri.js';
import { WorkspaceIndex } from './workspace-index.js';

/** How long after initialize the background workspace scan starts. */
const SCAN_DELAY_MS = 1000;

// The state every LSP method handler shares. Handlers live one per file and get this object.

/** The rule registry the workers load: the built dist/rules/index.js next to this file's dist/server/. */
export const REGISTRY_URL = new URL('../rules/index.js', import.meta.url).href;

export const DEFAULT_TIMEOUT_MS = 2_000;

export class Server {
  readonly documents = new DocumentStore();
  readonly rules = rules;
  readonly config: ConfigStore;
  readonly scheduler: Scheduler;
  caps!: ClientCaps;
  options: InitOptions = {};
  private roots: string[] = [];
  private poolInstance: LintPool | null = null;
  /** Cross-file: the workspace's classes and holders (server/workspace-index.ts). */
  readonly workspace: WorkspaceIndex;
  /** phpleak.json `heapDumps`: runtime evidence on findings (server/heap-evidence.ts). */
  readonly heap = new HeapEvidence({ warn: (m) => this.warnUser(m), changed: () => this.configurationChanged() });

  constructor(readonly connection: Connection) {
    this.config = new ConfigStore(rules, () => this.roots, (m) => this.warnUser(m), () => this.configurationChanged());
    this.scheduler = new Scheduler({
      analyse: (d, text) => this.analyse(d, text),
      gen: () => this.config.gen,
      debounceMs: () => this.config.settings.debounceMs,
      diagnostics: (d, findings) => findings.map((f) => toDiagnostic(f, d.uri, { relatedInformation: this.caps.relatedInformation })),
      publish: (d, r) => this.publish(d, r),
      log: (level, m) => this.log(level, m),
    });
    this.workspace = new WorkspaceIndex({
      rules: new Map(rules.map((r) => [r.meta.id, r.meta])),
      lintFile: async (uri, text) => {
        const plan = this.config.forDocument(uri, text);
        // Background priority: the scan never starts a second worker (engine/pool.ts).
        return 'skip' in plan ? null : this.pool.lintWithSummary(plan.job, { background: true });
      },
      documents: () => this.documents.all(),
      reanalyse: (d) => this.scheduler.now(d),
      log: (level, m) => this.log(level, m),
    });
  }

  initialize(params: InitializeParams): void {
    this.options = readInitOptions(params.initializationOptions);
    this.caps = clientCaps(params, this.options);
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.roots = folders.map(uriToPath).filter((p): p is string => p !== null);
    if (this.roots.length === 0 && params.rootPath) this.roots = [params.rootPath];
    if (this.options.settings !== undefined) this.config.setSettings(this.options.settings);
    // In the background, a moment after the initialize answer: index the workspace's PHP files.
    // The wait lets the client open its documents first (the scan skips open ones), so the
    // first analyses do not race the scan for the pool and start a second worker (+25 MB RSS
    // measured on a one-file workspace).
    const roots = this.roots;
    setTimeout(() => this.workspace.start(roots), SCAN_DELAY_MS).unref();
  }

  get pool(): LintPool {
    // Two workers: a file that runs into the time bound does not hold up the others. They start
    // on demand, so editing one file uses one. Heap limits keep a worker lean: any explicit
    // old-generation limit (V8 then grows the heap less eagerly) and a smaller young generation.
    // Measured on Laravel's Query/Builder.php (server RSS after 200 edits): 150 MB with V8's
    // defaults, ~90 with young 2 MB + old 512 MB, ~95-105 with young 8-16 MB. A very small young
    // generation costs CPU (up to ~+15% per lint in-process), so 8 is the middle.
    this.poolInstance ??= new LintPool({
      registry: REGISTRY_URL, size: 2, timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      heap: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512 },
    });
    return this.poolInstance;
  }

  async close(): Promise<void> {
    this.workspace.stop();
    this.heap.close();
    for (const d of this.documents.all()) this.documents.close(d.uri);
    await this.poolInstance?.close();
    this.poolInstance = null;
  }

  private analyse(d: OpenDocument, text: string): Promise<Finding[]> {
    const plan = this.config.forDocument(d.uri, text);
    if ('skip' in plan) return Promise.resolve([]);
    return this.pool.lintWithSummary(plan.job).then((r) => this.workspace.analysed(d, r, plan.job.rules))
      .then((findings) => this.heap.apply(this.config.configOf(d.uri), this.workspace.keyOf(d.uri), text, findings, this.workspace.index.summaries()));
  }

  private publish(d: OpenDocument, r: AnalysisResult): void {
    if (this.caps.push === 'never' || (this.caps.push === 'until-pulled' && d.pulled)) return;
    d.pushedSome = r.diagnostics.length > 0;
    void this.connection.sendDiagnostics({ uri: d.uri, version: r.version, diagnostics: r.diagnostics });
  }

  /** The client pulls for this document: in "auto" mode, stop pushing and clear what was pushed. */
  pulledBy(d: OpenDocument): void {
    if (d.pulled) return;
    d.pulled = true;
    if (this.caps.push === 'until-pulled' && d.pushedSome) {
      d.pushedSome = false;
      void this.connection.sendDiagnostics({ uri: d.uri, version: d.doc.version, diagnostics: [] });
    }
  }

  /** Clear a closed document's diagnostics. */
  clear(uri: string): void {
    if (this.caps.push !== 'never') void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private configurationChanged(): void {
    for (const d of this.documents.all()) this.scheduler.now(d);
    if (this.caps?.pull && this.caps.pullRefresh) this.connection.sendRequest(DiagnosticRefreshRequest.type).catch(() => undefined);
  }

  warnUser(message: string): void {
    this.log('warn', message);
    // A notification (window/showMessage), not a request: nothing waits for the user to click.
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    const c = this.connection.console;
    if (level === 'error') c.error(message); else if (level === 'warn') c.warn(message); else c.info(message);
  }
}
