import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { isPoolFailure, type PoolJob } from '../engine/pool.js';
import type { HttpRuntime } from '../engine/http-runtime.js';
import { enrich, ProjectIndex, type CrossFileRule, type FileSummary } from '../engine/project-index.js';
import type { Finding, Severity } from '../engine/types.js';
import type { OpenDocument } from './documents.js';
import { WorkspaceScan, type ScanStats } from './workspace-scan.js';
import { uriToPath } from './uri.js';

// The workspace's cross-file index (engine/project-index.ts) for the language server: filled
// in the background from every PHP file of the workspace folders (server/workspace-scan.ts:
// at idle priority, persisted across restarts), and updated whenever an open document is
// analysed. An open document's findings are enriched against it; when the index changes so
// that an open document's enriched findings would change, that document is analysed again.

export interface LintOutcome { findings: Finding[]; summary?: FileSummary }
/** A lint job's rules as they cross to the worker: those with a severity are pinned by config. */
export type JobRules = readonly { id: string; severity?: Severity }[];

export interface WorkspaceDeps {
  rules: ReadonlyMap<string, CrossFileRule>;
  /** The lint job of a file that is not open, for `text`; null when the configuration skips it. */
  jobFor(uri: string, text: string): PoolJob | null;
  /** Lints a file that is not open, at background priority. */
  lintBackground(job: PoolJob): Promise<LintOutcome>;
  documents(): OpenDocument[];
  reanalyse(d: OpenDocument): void;
  log(level: 'info' | 'warn', message: string): void;
  /** How the workspace's project serves HTTP (its composer.json, or phpleak.json): under PHP-FPM request-only classes drop instance findings. */
  httpRuntime(): HttpRuntime | null;
}

export interface IndexOptions {
  /** Folder of the persisted index; null: not persisted. */
  cacheDir: string | null;
  /** false: no background index (open documents are still indexed). */
  enabled: boolean;
}

interface Raw { path: string; findings: Finding[]; pinned: Set<string> }

export class WorkspaceIndex {
  readonly index = new ProjectIndex();
  private readonly raw = new WeakMap<OpenDocument, Raw>();
  private roots: string[] = [];
  private scan: WorkspaceScan | null = null;
  private options: IndexOptions = { cacheDir: null, enabled: true };

  constructor(private readonly deps: WorkspaceDeps) {}

  /**
   * The workspace folders, known from initialize on: index keys (and so heap-evidence matches and
   * messages) are relative to them, and a document analysed before the scan starts must get the
   * same key as after (it once got its absolute path, and the heap evidence of the next analysis
   * matched nothing).
   */
  setRoots(roots: readonly string[], options: IndexOptions): void {
    this.roots = [...roots];
    this.options = options;
  }

  /** Starts the background scan of the workspace folders (once). */
  start(): void {
    if (this.scan || this.roots.length === 0 || !this.options.enabled) return;
    this.scan = new WorkspaceScan({
      roots: this.roots, cacheDir: this.options.cacheDir, index: this.index,
      key: (abs) => this.key(abs), jobFor: this.deps.jobFor, lint: this.deps.lintBackground,
      isOpen: (uri) => this.deps.documents().some((d) => d.uri === uri),
      changed: () => this.recheck(), log: this.deps.log,
    });
    this.scan.run();
  }

  /** Stops the scan and writes what it indexed (a restart goes on from there). */
  async stop(): Promise<void> { await this.scan?.stop(); }

  /** What the background index did (phpleak/stats). */
  stats(): ScanStats & { files: number } { return { ...(this.scan?.stats ?? WorkspaceScan.idle()), files: this.index.size }; }

  /** A file changed on disk (saved, or workspace/didChangeWatchedFiles): index it again. */
  fileChanged(uri: string, deleted = false): void {
    const abs = uriToPath(uri);
    if (abs && abs.endsWith('.php') && this.roots.some((r) => this.inside(r, abs))) this.scan?.refresh(abs, deleted);
  }

  /** An open document closed: the index goes back to the file on disk (its unsaved edits are gone). */
  closed(uri: string): void { this.fileChanged(uri); }

  /** An open document was analysed: index its summary and return its findings, enriched. */
  analysed(d: OpenDocument, outcome: LintOutcome, rules: JobRules): Finding[] {
    const abs = uriToPath(d.uri);
    const path = abs ? this.key(abs) : d.uri;
    const pinned = new Set(rules.filter((r) => r.severity !== undefined).map((r) => r.id));
    if (outcome.findings.some(isPoolFailure)) return outcome.findings;
    this.raw.set(d, { path, findings: outcome.findings, pinned });
    const changed = outcome.summary ? this.index.set({ ...outcome.summary, path }) : false;
    if (changed) this.recheck(d);
    return this.enrichFor(path, outcome.findings, pinned);
  }

  private enrichFor(path: string, findings: Finding[], pinned: Set<string>): Finding[] {
    this.index.httpRuntime = this.deps.httpRuntime();
    return enrich(path, findings, this.index, { rules: this.deps.rules, pinned }).map((f) => (
      f.related.some((r) => r.path) ? { ...f, related: f.related.map((r) => (r.path ? { ...r, path: this.absolute(r.path) } : r)) } : f
    ));
  }

  /** Analyse again the open documents whose enriched findings the index change alters. */
  private recheck(except?: OpenDocument): void {
    for (const d of this.deps.documents()) {
      const raw = this.raw.get(d);
      if (d === except || !raw || !d.result) continue;
      const now = this.enrichFor(raw.path, raw.findings, raw.pinned);
      if (JSON.stringify(now) !== JSON.stringify(d.result.findings)) this.deps.reanalyse(d);
    }
  }

  /** A document's path in the index (server/heap-evidence.ts matches declarations by it). */
  keyOf(uri: string): string {
    const abs = uriToPath(uri);
    return abs ? this.key(abs) : uri;
  }

  /**
   * Index paths: relative to the workspace folder (they appear in messages), else absolute. With
   * several folders, the folder's name comes first: two folders may both hold `src/Kernel.php`.
   */
  private key(abs: string): string {
    for (const root of this.roots) {
      if (!this.inside(root, abs)) continue;
      const rel = relative(root, abs).split(sep).join('/');
      return this.roots.length > 1 ? `${basename(root)}/${rel}` : rel;
    }
    return abs;
  }

  private inside(root: string, abs: string): boolean {
    const rel = relative(root, abs);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }

  private absolute(path: string): string {
    if (isAbsolute(path) || /^[a-z][\w+.-]*:/i.test(path)) return path;
    if (this.roots.length <= 1) return join(this.roots[0] ?? '', path);
    const slash = path.indexOf('/');
    const root = this.roots.find((r) => basename(r) === path.slice(0, slash)) ?? this.roots[0]!;
    return join(root, path.slice(slash + 1));
  }
}
