import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import type { Finding } from './types.js';
import type { FixLoopResult } from './fixes.js';
import type { ForgetDocument, LintJob, LintReply, WorkerReady } from './lint-worker.js';
import type { FileSummary } from './project-index.js';

/** Time a new worker may take to load the rules before its first file's bound starts. */
const STARTUP_ALLOWANCE_MS = 30_000;

export interface PoolOptions {
  /** Module (file URL or path) whose default export is the rule registry: readonly AnyRule[]. */
  registry: string;
  /** Worker threads; default: number of cores. */
  size?: number;
  /** Per-file time bound in ms: a file that takes longer gets a parse-error finding. */
  timeoutMs?: number;
  /** Heap limits of each worker (the stack is always 64 MB); the CLI bounds them to keep the peak RSS of big runs down. */
  heap?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /**
   * Files per message to and from a worker (default 1). Batch runs (the CLI) send several, and
   * the next batch while one runs, so a worker neither waits for the main thread between files
   * nor pays a cross-thread message per file; each file keeps its own time bound.
   */
  batch?: number;
}

export type PoolJob = Omit<LintJob, 'id' | 'fix'>;

interface Pending { job: LintJob; resolve: (r: LintReply) => void; background: boolean }

/**
 * A live worker: the jobs sent to it in the order it runs them, and the id of the job it is
 * running, which it writes into shared memory as it starts each one (a batch is answered in
 * one message, so the messages alone cannot tell which file of a batch is taking long).
 */
interface Live {
  sent: Pending[];
  running: Int32Array;
  ready: boolean;
  /** When the job it is running (per `running`) started, as far as the pool can see. */
  since: number;
  seen: number;
  timer?: NodeJS.Timeout;
}

/**
 * Background work (the language server's workspace scan) runs only on idle workers and never
 * starts one beyond the first; a foreground job waits for a worker busy with background work
 * (a scanned file is small and bounded in time) instead of starting another. The second
 * worker is for resilience (a file that runs into the time bound does not hold up the rest),
 * not for the scan: measured, it is +25-50 MB RSS in the server.
 */
export interface RunOptions { background?: boolean }

/**
 * Where worker threads come from: the lint-worker module beside this file, or, in the single
 * executable (which has no module files on disk), JavaScript source evaluated in each thread.
 */
let workerSource: string | undefined;
export function setWorkerSource(source: string): void { workerSource = source; }

/** Findings the pool made itself (timeout, crashed worker): the file was not analysed. */
const poolFailures = new WeakSet<Finding>();
export function isPoolFailure(f: Finding): boolean { return poolFailures.has(f); }

/**
 * Lints in worker threads with a 64 MB stack (php-parser recurses: the default stack overflows
 * at ~1,000 nested calls; 16 MB passes 16,000) and a time bound per file: php-parser loops
 * forever on some half-typed input (`<?php enum A`), and only terminating the thread stops it.
 * A timed-out worker is replaced; the other files go on.
 */
export class LintPool {
  private readonly live = new Map<Worker, Live>();
  private readonly queue: Pending[] = [];
  private readonly backgroundQueue: Pending[] = [];
  private readonly size: number;
  private readonly batch: number;
  private readonly timeoutMs: number;
  private nextId = 1;
  private closed = false;
  private pumpScheduled = false;

  constructor(private readonly options: PoolOptions) {
    this.size = Math.max(1, options.size ?? cpus().length);
    this.batch = Math.max(1, options.batch ?? 1);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  lint(job: PoolJob): Promise<Finding[]> {
    return this.run(job).then((r) => r.findings);
  }

  /**
   * As lint, with the file's summary for the project index (none when the file could not be
   * analysed), or `deferred` when the job allowed it (`deferBroken`) and the text was not analysed.
   */
  lintWithSummary(job: PoolJob, opts: RunOptions = {}): Promise<{ findings: Finding[]; summary?: FileSummary; deferred?: { fullMs: number } }> {
    return this.run({ ...job, summary: true }, opts).then((r) => ({ findings: r.findings, ...(r.summary ? { summary: r.summary } : {}), ...(r.deferred ? { deferred: r.deferred } : {}) }));
  }

  /**
   * Applies fixes in a worker with fixUntilStable (the --fix loop), under the same time bound.
   * Resolves to null when the file could not be analysed (timeout, crash, internal error).
   */
  fix(job: PoolJob, fix: { allowUnsafe: boolean; maxPasses?: number }): Promise<FixLoopResult | null> {
    return this.run({ ...job, fix }).then((r) => r.fixed ?? null);
  }

  private run(job: Omit<LintJob, 'id'>, opts: RunOptions = {}): Promise<LintReply> {
    if (this.closed) return Promise.reject(new Error('the lint pool is closed'));
    return new Promise((resolve) => {
      const background = opts.background === true;
      (background ? this.backgroundQueue : this.queue).push({ job: { ...job, id: this.nextId++ }, resolve, background });
      this.schedulePump();
    });
  }

  /**
   * The document `key` (a LintJob's `incremental`) closed: every worker lets go of its tree and
   * analysis (engine/incremental-cache.ts), tens of MB for a large file.
   */
  forget(key: string): void {
    const m: ForgetDocument = { forget: key };
    for (const w of this.live.keys()) w.postMessage(m);
  }

  /** Live worker threads (for stats and tests). */
  get workerCount(): number { return this.live.size; }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.live.keys()];
    for (const l of this.live.values()) clearTimeout(l.timer);
    this.live.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }

  /** Batches form from the jobs queued in one turn of the event loop; single jobs go at once. */
  private schedulePump(): void {
    if (this.batch === 1) { this.pump(); return; }
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => { this.pumpScheduled = false; if (!this.closed) this.pump(); });
  }

  private pump(): void {
    for (;;) {
      const foreground = this.queue.length > 0;
      if (!foreground && this.backgroundQueue.length === 0) return;
      const w = this.pick(foreground);
      if (!w) return;
      const l = this.live.get(w)!;
      const from = foreground ? this.queue : this.backgroundQueue;
      // Spread the last files over the workers instead of giving one worker all of them.
      const share = Math.ceil(from.length / Math.max(1, this.size));
      const ps = from.splice(0, foreground ? Math.max(1, Math.min(this.batch, share)) : 1);
      if (l.sent.length === 0) { l.since = Date.now(); l.seen = Atomics.load(l.running, 0); }
      l.sent.push(...ps);
      this.watch(w, l);
      w.postMessage(ps.map((p) => p.job));
    }
  }

  /**
   * The worker for the next jobs: an idle one, else a new one when allowed, else (batch runs)
   * one running only foreground work with at most a batch ahead of it, so it finds its next
   * files waiting instead of idling for a round trip through the main thread.
   */
  private pick(foreground: boolean): Worker | undefined {
    let busyWithBackground = false;
    let best: Worker | undefined;
    let bestLoad = Infinity;
    for (const [w, l] of this.live) {
      if (l.sent.length === 0) return w;
      if (l.sent.some((p) => p.background)) { busyWithBackground = true; continue; }
      if (l.sent.length < bestLoad) { best = w; bestLoad = l.sent.length; }
    }
    const mayStart = foreground ? !busyWithBackground && this.live.size < this.size : this.live.size === 0;
    if (mayStart) return this.spawn();
    return foreground && this.batch > 1 && bestLoad <= this.batch ? best : undefined;
  }

  private spawn(): Worker {
    const running = new Int32Array(new SharedArrayBuffer(4));
    const w = new Worker(workerSource ?? new URL('./lint-worker.js', import.meta.url), {
      eval: workerSource !== undefined,
      workerData: { registry: this.options.registry, running },
      resourceLimits: { ...this.options.heap, stackSizeMb: 64 },
    });
    this.live.set(w, { sent: [], running, ready: false, since: Date.now(), seen: 0 });
    w.on('message', (reply: LintReply[] | WorkerReady) => {
      const l = this.live.get(w);
      if (!l) return;
      if (!Array.isArray(reply)) {
        // The bound is for the file, not for loading the rules: it starts once the worker is ready.
        l.ready = true;
        l.since = Date.now();
        return;
      }
      for (const r of reply) {
        const i = l.sent.findIndex((p) => p.job.id === r.id);
        if (i < 0) continue;
        const [p] = l.sent.splice(i, 1);
        p!.resolve(r);
      }
      // The next file's bound starts now at the latest (it may have started already).
      l.since = Date.now();
      l.seen = Atomics.load(l.running, 0);
      if (l.sent.length === 0) { clearTimeout(l.timer); l.timer = undefined; }
      this.pump();
    });
    w.on('error', (e) => this.crash(w, e));
    w.on('exit', () => { if (this.live.get(w)?.sent.length) this.crash(w, new Error('worker exited')); });
    w.unref();
    return w;
  }

  /**
   * Checks a busy worker a few times per bound: a file it has been running for the whole bound
   * is stopped (the worker with it). Checked at a fraction of the bound, so a file gets between
   * 1 and 1.25 times the bound.
   */
  private watch(w: Worker, l: Live): void {
    if (l.timer) return;
    const tick = Math.max(10, Math.floor(this.timeoutMs / 4));
    const check = (): void => {
      l.timer = undefined;
      if (this.live.get(w) !== l || l.sent.length === 0) return;
      const now = Date.now();
      const running = Atomics.load(l.running, 0);
      if (running !== l.seen) { l.seen = running; l.since = now; }
      const bound = l.ready ? this.timeoutMs : this.timeoutMs + STARTUP_ALLOWANCE_MS;
      if (now - l.since >= bound) { this.timeout(w, running, bound); return; }
      l.timer = setTimeout(check, tick);
    };
    l.timer = setTimeout(check, tick);
  }

  /**
   * Removes a worker: the job it was running fails, the others sent to it (waiting, or done in
   * a batch whose answer never came) go back to the front of their queue.
   */
  private drop(w: Worker, runningId: number): Pending | undefined {
    const l = this.live.get(w);
    this.live.delete(w);
    if (!l) return undefined;
    clearTimeout(l.timer);
    const i = l.sent.findIndex((p) => p.job.id === runningId);
    const [failed] = l.sent.splice(i < 0 ? 0 : i, 1);
    this.queue.unshift(...l.sent.filter((p) => !p.background));
    this.backgroundQueue.unshift(...l.sent.filter((p) => p.background));
    return failed;
  }

  private timeout(w: Worker, runningId: number, ms: number): void {
    const p = this.drop(w, runningId);
    void w.terminate();
    if (p) p.resolve(failed(p, [boundFinding(`the PHP parser did not finish within ${ms / 1000} s on this file (php-parser loops on some malformed input and is quadratic on very long operator chains); it was not analysed`)]));
    this.pump();
  }

  private crash(w: Worker, e: Error): void {
    const l = this.live.get(w);
    if (!l) return;
    const p = this.drop(w, Atomics.load(l.running, 0));
    if (p) p.resolve(failed(p, [boundFinding(`the analysis of this file failed (${e.message}); it was not analysed`, 'internal-error')]));
    if (!this.closed) this.pump();
  }
}

function failed(p: Pending, findings: Finding[]): LintReply {
  for (const f of findings) poolFailures.add(f);
  return { id: p.job.id, findings };
}

function boundFinding(message: string, ruleId: 'parse-error' | 'internal-error' = 'parse-error'): Finding {
  const at = { line: 1, column: 0, offset: 0 };
  return { ruleId, severity: 'error', message, range: { start: at, end: at }, related: [], fixes: [] };
}
