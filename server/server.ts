import { DiagnosticRefreshRequest, MessageType, ShowMessageNotification, type CancellationToken, type Connection, type Diagnostic, type InitializeParams } from 'vscode-languageserver/node.js';
import { LintPool } from '../engine/pool.js';
import { tooLargeMessage } from '../engine/config.js';
import { ENGINE_DEFAULTS, type Finding, type Severity } from '../engine/types.js';
import { rules } from '../rules/index.js';
import { clientCaps, readInitOptions, type ClientCaps, type InitOptions } from './capabilities.js';
import { ConfigStore } from './config-store.js';
import { toDiagnostic } from './diagnostics.js';
import { DocumentStore, type AnalysisResult, type OpenDocument } from './documents.js';
import { HeapEvidence } from './heap-evidence.js';
import { answerNow, type Answer } from './mapped-result.js';
import { Scheduler, type Deferred } from './scheduler.js';
import { uriToPath } from './uri.js';
import { WorkspaceIndex } from './workspace-index.js';
import { IndexPool } from './index-pool.js';
import { userCacheDir } from './index-store.js';
import type { FileSummary } from '../engine/project-index.js';

/** How long the lint workers stay after the last document closed. */
const POOL_IDLE_MS = 5_000;

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
  private readonly indexPool = new IndexPool();
  /** Cross-file: the workspace's classes and holders (server/workspace-index.ts). */
  readonly workspace: WorkspaceIndex;
  /** phpleak.json `heapDumps`: runtime evidence on findings (server/heap-evidence.ts). */
  readonly heap = new HeapEvidence({ warn: (m) => this.warnUser(m), changed: () => this.configurationChanged() });

  /** The client pulls diagnostics and takes `workspace/diagnostic/refresh`. */
  get pullRefresh(): boolean { return this.caps?.pull === true && this.caps.pullRefresh; }

  /** Asks a pulling client to pull again (its results are outdated). */
  private refreshPulls(): void {
    if (this.pullRefresh) this.connection.sendRequest(DiagnosticRefreshRequest.type).catch(() => undefined);
  }

  /** Finding → Diagnostic for this client. */
  diagnosticsOf(d: OpenDocument, findings: Finding[]): Diagnostic[] {
    return findings.map((f) => toDiagnostic(f, d.uri, { relatedInformation: this.caps.relatedInformation }));
  }

  /**
   * What hover and code actions answer from: the last analysis mapped onto the current text
   * (server/mapped-result.ts), at once when it is current or has something `useful` for the
   * request; otherwise the analysis of the current text is waited for (a finding just typed
   * in). Null when the document closes, or its analysis never succeeded.
   */
  async answerFor(d: OpenDocument, token: CancellationToken, useful: (a: Answer) => boolean): Promise<Answer | null> {
    const now = answerNow(d, (f) => this.diagnosticsOf(d, f));
    if (now && (this.scheduler.isCurrent(d) || useful(now))) return now;
    await this.scheduler.current(d, token);
    return d.closed ? null : answerNow(d, (f) => this.diagnosticsOf(d, f));
  }

  constructor(readonly connection: Connection) {
    this.config = new ConfigStore(rules, () => this.roots, (m) => this.warnUser(m), () => this.configurationChanged());
    this.scheduler = new Scheduler({
      analyse: (d, text, mayDefer) => this.analyse(d, text, mayDefer),
      gen: () => this.config.gen,
      debounceMs: () => this.config.settings.debounceMs,
      diagnostics: (d, findings) => this.diagnosticsOf(d, findings),
      publish: (d, r) => this.publish(d, r),
      log: (level, m) => this.log(level, m),
      refresh: () => this.refreshPulls(),
    });
    this.workspace = new WorkspaceIndex({
      rules: new Map(rules.map((r) => [r.meta.id, r.meta])),
      jobFor: (uri, text) => {
        const plan = this.config.forDocument(uri, text);
        return 'skip' in plan ? null : plan.job;
      },
      lintBackground: (job) => this.indexPool.lint(job),
      documents: () => this.documents.all(),
      reanalyse: (d) => this.scheduler.now(d),
      log: (level, m) => this.log(level, m),
      httpRuntime: () => this.config.httpRuntime(),
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
    this.workspace.setRoots(this.roots, {
      enabled: this.options.workspaceIndex !== false,
      cacheDir: this.options.indexCacheDir === undefined ? userCacheDir() : this.options.indexCacheDir,
    });
    setTimeout(() => this.workspace.start(), SCAN_DELAY_MS).unref();
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
    clearTimeout(this.poolIdle);
    await this.workspace.stop();
    await this.indexPool.close();
    this.heap.close();
    for (const d of this.documents.all()) this.documents.close(d.uri);
    await this.poolInstance?.close();
    this.poolInstance = null;
  }

  private analyse(d: OpenDocument, text: string, mayDefer: boolean): Promise<Finding[] | Deferred> {
    const plan = this.config.forDocument(d.uri, text);
    if ('skip' in plan) return Promise.resolve([]);
    const max = plan.job.maxFileBytes;
    if (max !== undefined && text.length > max / 3 && Buffer.byteLength(text, 'utf8') > max) {
      const findings = this.tooLarge(d, max, plan.job.engineSeverities?.['file-skipped']);
      return Promise.resolve(this.workspace.analysed(d, { findings, summary: { path: '', classes: [], holds: [], longRunning: null, creates: [], resolved: [] } }, plan.job.rules));
    }
    // Keyed by the document: its worker keeps the parse, and the next edit re-parses one member.
    return this.pool.lintWithSummary({ ...plan.job, incremental: d.uri, ...(mayDefer ? { deferBroken: true } : {}) }).then<Finding[] | Deferred>((r) => {
      if (r.deferred) return { deferred: r.deferred };
      const findings = this.workspace.analysed(d, r, plan.job.rules);
      return this.heap.apply(this.config.configOf(d.uri), this.workspace.keyOf(d.uri), text, findings, this.summaries);
    });
  }

  /** The index's summaries, sorted only when heap evidence reads them (tens of thousands of paths). */
  private readonly summaries: Iterable<FileSummary> = { [Symbol.iterator]: () => this.workspace.index.summaries()[Symbol.iterator]() };

  private readonly toldTooLarge = new Set<string>();

  /**
   * A document above maxFileSize: its finding without sending megabytes to a worker, and once
   * per document a window message (an information diagnostic at 1:1 is easy to miss).
   */
  private tooLarge(d: OpenDocument, max: number, severity: Severity | 'off' | undefined): Finding[] {
    const message = tooLargeMessage(max);
    if (!this.toldTooLarge.has(d.uri)) {
      this.toldTooLarge.add(d.uri);
      const name = d.uri.slice(d.uri.lastIndexOf('/') + 1);
      void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: `phpleak: ${decodeURIComponent(name)} is not analysed: ${message.replace(/^skipped: /, '')}` });
    }
    if (severity === 'off') return [];
    const at = { line: 1, column: 0, offset: 0 };
    return [{ ruleId: 'file-skipped', severity: severity ?? ENGINE_DEFAULTS['file-skipped'], message, range: { start: at, end: at }, related: [], fixes: [] }];
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

  /**
   * A closed document: the lint workers drop its kept tree and analysis (engine/incremental-cache.ts).
   * An idle worker never collects the tree it let go of, so once no document has been open for
   * a few seconds the workers end (tcpdf.php: ~30 MB of tree, ~70 MB of RSS with the thread).
   */
  forget(uri: string): void {
    this.poolInstance?.forget(uri);
    clearTimeout(this.poolIdle);
    if (this.documents.all().length > 0) return;
    this.poolIdle = setTimeout(() => {
      if (this.documents.all().length > 0 || !this.poolInstance) return;
      const pool = this.poolInstance;
      this.poolInstance = null;
      void pool.close();
    }, POOL_IDLE_MS);
    this.poolIdle.unref();
  }

  private poolIdle: NodeJS.Timeout | undefined;

  /** Lint worker threads alive (phpleak/stats). */
  get lintWorkers(): number { return this.poolInstance?.workerCount ?? 0; }

  /** Clear a closed document's diagnostics. */
  clear(uri: string): void {
    if (this.caps.push !== 'never') void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private configurationChanged(): void {
    for (const d of this.documents.all()) this.scheduler.now(d);
    this.refreshPulls();
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
