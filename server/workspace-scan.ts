import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { buildStamp } from '../cli/settings.js';
import { VERSION } from '../cli/meta.js';
import { isPoolFailure, type PoolJob } from '../engine/pool.js';
import type { ProjectIndex } from '../engine/project-index.js';
import { DEFAULT_MAX_FILE_BYTES } from '../engine/lint.js';
import { readRegularFile } from '../engine/read-file.js';
import { indexFile, loadIndex, saveIndex, type StoredFile, type StoreStamp } from './index-store.js';
import { pathToUri } from './uri.js';
import type { LintOutcome } from './workspace-index.js';
import { phpFiles, type PhpFile } from './workspace-files.js';

// The background scan behind the workspace index: every PHP file of the workspace folders, with
// no limit on their number. A file whose size and modification time match the persisted index
// (server/index-store.ts) is not read; one whose content hash matches is not linted; the rest
// are linted by a worker of their own at the lowest priority (server/idle-rules.ts), two at a
// time so that worker never waits for this thread. Open documents are indexed by their
// analyses, not from disk. The index is written every minute while scanning (a server stopped
// half-way goes on from there), when the scan ends, and a few seconds after files change.

/** Largest file indexed: the engine's default bound (a larger one gets `file-skipped` and no summary). */
const MAX_BYTES = DEFAULT_MAX_FILE_BYTES;
/** Files linted at once: one running, one waiting in the worker's queue. */
const IN_FLIGHT = 2;
/** Open documents re-checked against the growing index at most this often. */
const RECHECK_MS = 2_000;
const SAVE_EVERY_MS = 60_000;
const SAVE_AFTER_CHANGE_MS = 2_000;

export interface ScanStats {
  /** The first scan went through every file. */
  done: boolean;
  /** Files taken from the persisted index without reading them. */
  fromCache: number;
  /** Files read (and hashed); of those, linted. */
  read: number;
  linted: number;
  /** Files that could not be indexed (unreadable, too large, timed out). */
  failed: number;
  /** Time of the first scan, ms (until done). */
  ms: number;
}

export interface ScanDeps {
  roots: readonly string[];
  cacheDir: string | null;
  index: ProjectIndex;
  key(abs: string): string;
  jobFor(uri: string, text: string): PoolJob | null;
  lint(job: PoolJob): Promise<LintOutcome>;
  isOpen(uri: string): boolean;
  /** The index changed (open documents may need a new analysis). */
  changed(): void;
  log(level: 'info' | 'warn', message: string): void;
}

export class WorkspaceScan {
  readonly stats: ScanStats = WorkspaceScan.idle();
  /** What is persisted: the files of the workspace as they are on disk, by absolute path. */
  private readonly stored = new Map<string, StoredFile>();
  private stamp: StoreStamp | null = null;
  private stopped = false;
  private dirty = false;
  private changedSince = false;
  private saving: Promise<void> | null = null;
  private saveTimer: NodeJS.Timeout | undefined;
  private updates: Promise<void> = Promise.resolve();
  private scanning: Promise<void> | null = null;

  static idle(): ScanStats { return { done: false, fromCache: 0, read: 0, linted: 0, failed: 0, ms: 0 }; }

  constructor(private readonly deps: ScanDeps) {}

  run(): void {
    this.scanning = this.scan().catch((e: unknown) => this.deps.log('warn', `phpleak: the workspace scan stopped: ${e instanceof Error ? e.message : String(e)}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.saveTimer);
    await this.scanning;
    await this.updates;
    await this.save();
  }

  /** A file changed or was deleted on disk: index it again (after the first scan's load). */
  refresh(abs: string, deleted: boolean): void {
    this.updates = this.updates.then(async () => {
      if (this.stopped || !this.stamp) return;
      const st = deleted ? null : await stat(abs).catch(() => null);
      if (!st?.isFile()) {
        if (this.stored.delete(abs)) this.dirty = true;
        if (!this.deps.isOpen(pathToUri(abs)) && this.deps.index.delete(this.deps.key(abs))) this.deps.changed();
      } else if (await this.indexOne({ path: abs, mtimeMs: st.mtimeMs, size: st.size }, this.stored.get(abs), true)) {
        this.deps.changed();
      }
      this.scheduleSave(SAVE_AFTER_CHANGE_MS);
    }).catch((e: unknown) => this.deps.log('warn', `phpleak: indexing ${abs} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async scan(): Promise<void> {
    const t0 = performance.now();
    this.stamp = { version: VERSION, build: buildStamp(), roots: this.deps.roots };
    const file = this.file();
    const loaded = file ? await loadIndex(file, this.stamp) : { entries: new Map<string, StoredFile>(), bad: 0 };
    if (loaded.warning) this.deps.log('warn', `phpleak: ${loaded.warning}`);
    const previous = loaded.entries;
    let lastCheck = performance.now();
    let lastSave = lastCheck;
    const inFlight = new Set<Promise<unknown>>();
    for await (const f of phpFiles(this.deps.roots)) {
      if (this.stopped) break;
      const p = this.indexOne(f, previous.get(f.path), false).then((changed) => { if (changed) this.changedSince = true; });
      previous.delete(f.path);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      const now = performance.now();
      if (this.changedSince && now - lastCheck >= RECHECK_MS) { this.changedSince = false; lastCheck = now; this.deps.changed(); }
      if (now - lastSave >= SAVE_EVERY_MS) { lastSave = now; void this.save(); }
    }
    await Promise.all(inFlight);
    if (this.stopped) {
      // Stopped half-way: the files not reached yet keep their entries, so the next start goes on.
      for (const [p, e] of previous) if (!this.stored.has(p)) this.stored.set(p, e);
      return;
    }
    // Entries of files no longer in the workspace are not written back.
    if (previous.size > 0) this.dirty = true;
    this.stats.ms = Math.round(performance.now() - t0);
    this.stats.done = true;
    this.deps.log('info', `phpleak: workspace indexed: ${this.deps.index.size} files in ${(this.stats.ms / 1000).toFixed(1)} s (${this.stats.fromCache} from the saved index, ${this.stats.linted} analysed)`);
    if (this.changedSince) { this.changedSince = false; this.deps.changed(); }
    await this.save();
  }

  /**
   * Indexes one file from disk; says whether the index changed. `force`: the file changed, so
   * its size and time are not trusted (an editor may save twice within the clock's resolution).
   */
  private async indexOne(f: PhpFile, old: StoredFile | undefined, force: boolean): Promise<boolean> {
    const uri = pathToUri(f.path);
    const open = this.deps.isOpen(uri);
    const probe = this.deps.jobFor(uri, '');
    if (!probe) return this.forget(f.path, open);
    const j = jobKey(probe);
    if (!force && old && old.j === j && old.m === f.mtimeMs && old.z === f.size) {
      this.stats.fromCache++;
      return this.keep(f.path, old, open);
    }
    // An open document is indexed from its own analyses: its file is read only to persist it.
    if (open && !force && !old) return false;
    let bytes: Buffer;
    try {
      bytes = readRegularFile(f.path, MAX_BYTES);
    } catch {
      this.stats.failed++;
      return this.forget(f.path, open);
    }
    this.stats.read++;
    const h = createHash('sha1').update(bytes).digest('hex');
    if (old && old.j === j && old.h === h) {
      this.dirty ||= old.m !== f.mtimeMs || old.z !== f.size;
      return this.keep(f.path, { ...old, m: f.mtimeMs, z: f.size }, open);
    }
    if (open && !force) return false;
    const out = await this.deps.lint({ ...probe, text: bytes.toString('utf8') });
    this.stats.linted++;
    if (!out.summary || out.findings.some(isPoolFailure)) {
      this.stats.failed++;
      return this.forget(f.path, this.deps.isOpen(uri));
    }
    this.dirty = true;
    return this.keep(f.path, { h, m: f.mtimeMs, z: f.size, j, s: { ...out.summary, path: this.deps.key(f.path) } }, this.deps.isOpen(uri));
  }

  /** The file is not indexable (skipped by the configuration, unreadable, too large): its old entry goes. */
  private forget(abs: string, open: boolean): boolean {
    if (this.stored.delete(abs)) this.dirty = true;
    return !open && this.deps.index.delete(this.deps.key(abs));
  }

  private keep(abs: string, e: StoredFile, open: boolean): boolean {
    this.stored.set(abs, e);
    e.s.path = this.deps.key(abs);
    return !open && this.deps.index.set(e.s);
  }

  private file(): string | null {
    return this.deps.cacheDir === null ? null : indexFile(this.deps.cacheDir, this.deps.roots);
  }

  private scheduleSave(ms: number): void {
    if (this.saveTimer || this.stopped) return;
    this.saveTimer = setTimeout(() => { this.saveTimer = undefined; void this.save(); }, ms);
    this.saveTimer.unref();
  }

  /** Writes the index if it changed; one write at a time. */
  private async save(): Promise<void> {
    while (this.saving) await this.saving;
    const file = this.file();
    if (!file || !this.dirty || !this.stamp) return;
    this.dirty = false;
    this.saving = saveIndex(file, this.stamp, this.stored.entries())
      .catch((e: unknown) => {
        this.dirty = true;
        this.deps.log('warn', `phpleak: could not write the workspace index ${file} (${(e as { code?: string }).code ?? String(e)})`);
      })
      .finally(() => { this.saving = null; });
    await this.saving;
  }
}

/** What a file's summary depends on besides its text: the configuration that applies to it. */
function jobKey(job: PoolJob): string {
  return createHash('sha1').update(JSON.stringify({ ...job, text: '', path: '' })).digest('hex').slice(0, 16);
}
