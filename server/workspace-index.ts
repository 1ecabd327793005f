import { opendir } from 'node:fs/promises';
import { readRegularFile } from '../engine/read-file.js';
import { isAbsolute, join, relative, sep } from 'node:path';
import { isPoolFailure } from '../engine/pool.js';
import { enrich, ProjectIndex, type CrossFileRule, type FileSummary } from '../engine/project-index.js';
import type { Finding, Severity } from '../engine/types.js';
import type { OpenDocument } from './documents.js';
import { pathToUri, uriToPath } from './uri.js';

// The workspace's cross-file index (engine/project-index.ts) for the language server: filled
// in the background from the workspace folders' PHP files (through the same worker pool, one
// file at a time, bounded), and updated whenever an open document is analysed. An open
// document's findings are enriched against it; when the index changes so that an open
// document's enriched findings would change, that document is analysed again.

/** Files the background scan reads at most (per server), and the largest one it reads. */
export const SCAN_MAX_FILES = 2_000;
export const SCAN_MAX_BYTES = 1024 * 1024;
const SKIP_DIRS = new Set(['vendor', 'node_modules']);

export interface LintOutcome { findings: Finding[]; summary?: FileSummary }
/** A lint job's rules as they cross to the worker: those with a severity are pinned by config. */
export type JobRules = readonly { id: string; severity?: Severity }[];

export interface WorkspaceDeps {
  rules: ReadonlyMap<string, CrossFileRule>;
  /** Lints a file that is not open; null when the configuration skips it. */
  lintFile(uri: string, text: string): Promise<LintOutcome | null>;
  documents(): OpenDocument[];
  reanalyse(d: OpenDocument): void;
  log(level: 'info' | 'warn', message: string): void;
}

interface Raw { path: string; findings: Finding[]; pinned: Set<string> }

export class WorkspaceIndex {
  readonly index = new ProjectIndex();
  private readonly raw = new WeakMap<OpenDocument, Raw>();
  private roots: string[] = [];
  private stopped = false;
  /** Files the background scan indexed (phpleak/stats, tests). */
  scanned = 0;
  scanning: Promise<void> | null = null;

  constructor(private readonly deps: WorkspaceDeps) {}

  /**
   * The workspace folders, known from initialize on: index keys (and so heap-evidence matches and
   * messages) are relative to them, and a document analysed before the scan starts must get the
   * same key as after (it once got its absolute path, and the heap evidence of the next analysis
   * matched nothing).
   */
  setRoots(roots: readonly string[]): void { this.roots = [...roots]; }

  /** Starts the background scan of the workspace folders (once). */
  start(): void {
    if (this.scanning || this.roots.length === 0) return;
    this.scanning = this.scan().catch((e: unknown) => this.deps.log('warn', `phpleak: the workspace scan stopped: ${e instanceof Error ? e.message : String(e)}`));
  }

  stop(): void { this.stopped = true; }

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

  /** Index paths: relative to the workspace folder (they appear in messages), else absolute. */
  private key(abs: string): string {
    for (const root of this.roots) {
      const rel = relative(root, abs);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
    }
    return abs;
  }

  private absolute(path: string): string {
    if (isAbsolute(path) || /^[a-z][\w+.-]*:/i.test(path)) return path;
    return join(this.roots[0] ?? '', path);
  }

  private async scan(): Promise<void> {
    const open = new Set(this.deps.documents().map((d) => d.uri));
    let changed = false;
    for (const root of this.roots) {
      for await (const abs of phpFiles(root)) {
        if (this.stopped || this.scanned >= SCAN_MAX_FILES) break;
        const uri = pathToUri(abs);
        if (open.has(uri) || this.deps.documents().some((d) => d.uri === uri)) continue;
        try {
          // Bounded and non-blocking (engine/read-file.ts): a FIFO or a huge file throws, skipped.
          const out = await this.deps.lintFile(uri, readRegularFile(abs, SCAN_MAX_BYTES).toString('utf8'));
          if (!out?.summary || out.findings.some(isPoolFailure)) continue;
          // An open document's analysis is newer than the file on disk.
          if (this.deps.documents().some((d) => d.uri === uri)) continue;
          if (this.index.set({ ...out.summary, path: this.key(abs) })) changed = true;
          this.scanned++;
        } catch { /* unreadable or gone meanwhile: not indexed */ }
      }
    }
    if (changed && !this.stopped) this.recheck();
  }
}

/** PHP files under a folder, skipping vendor/, node_modules/ and hidden folders; no symlinks followed. */
async function* phpFiles(dir: string): AsyncGenerator<string> {
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let entries;
    try { entries = await opendir(d); } catch { continue; }
    const subdirs: string[] = [];
    for await (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) subdirs.push(join(d, e.name));
      } else if (e.isFile() && e.name.endsWith('.php')) {
        yield join(d, e.name);
      }
    }
    stack.push(...subdirs.sort().reverse());
  }
}
