import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import type { Finding } from './types.js';
import type { FixLoopResult } from './fixes.js';
import type { LintJob, LintReply, WorkerReady } from './lint-worker.js';
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
}

export type PoolJob = Omit<LintJob, 'id' | 'fix'>;

interface Pending { job: LintJob; resolve: (r: LintReply) => void; timer?: NodeJS.Timeout; background: boolean }

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
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private readonly backgroundQueue: Pending[] = [];
  private readonly size: number;
  private readonly timeoutMs: number;
  private nextId = 1;
  private readonly ready = new WeakSet<Worker>();
  private closed = false;
  private workers = 0;

  constructor(private readonly options: PoolOptions) {
    this.size = Math.max(1, options.size ?? cpus().length);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  lint(job: PoolJob): Promise<Finding[]> {
    return this.run(job).then((r) => r.findings);
  }

  /** As lint, with the file's summary for the project index (none when the file could not be analysed). */
  lintWithSummary(job: PoolJob, opts: RunOptions = {}): Promise<{ findings: Finding[]; summary?: FileSummary }> {
    return this.run({ ...job, summary: true }, opts).then((r) => ({ findings: r.findings, ...(r.summary ? { summary: r.summary } : {}) }));
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
      this.pump();
    });
  }

  /** Live worker threads (for stats and tests). */
  get workerCount(): number { return this.workers; }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private pump(): void {
    for (;;) {
      const foreground = this.queue.length > 0;
      if (!foreground && this.backgroundQueue.length === 0) return;
      let w = this.idle.pop();
      if (!w) {
        const busyWithBackground = [...this.busy.values()].some((b) => b.background);
        const mayStart = foreground ? !busyWithBackground && this.workers < this.size : this.workers === 0;
        if (!mayStart) return;
        w = this.spawn();
      }
      const p = (foreground ? this.queue : this.backgroundQueue).shift()!;
      this.busy.set(w, p);
      // The bound is for the file, not for loading the rules: a starting worker gets it once
      // it says it is ready (with a generous allowance in case loading itself never ends).
      this.startTimer(w, p, this.ready.has(w) ? this.timeoutMs : this.timeoutMs + STARTUP_ALLOWANCE_MS);
      w.postMessage(p.job);
    }
  }

  private spawn(): Worker {
    const w = new Worker(workerSource ?? new URL('./lint-worker.js', import.meta.url), {
      eval: workerSource !== undefined,
      workerData: { registry: this.options.registry },
      resourceLimits: { ...this.options.heap, stackSizeMb: 64 },
    });
    this.workers++;
    w.on('message', (reply: LintReply | WorkerReady) => {
      if ('ready' in reply) {
        this.ready.add(w);
        const waiting = this.busy.get(w);
        if (waiting) this.startTimer(w, waiting, this.timeoutMs);
        return;
      }
      const p = this.busy.get(w);
      if (!p || p.job.id !== reply.id) return;
      clearTimeout(p.timer);
      this.busy.delete(w);
      this.idle.push(w);
      p.resolve(reply);
      this.pump();
    });
    w.on('error', (e) => this.crash(w, e));
    w.on('exit', () => { if (this.busy.has(w)) this.crash(w, new Error('worker exited')); });
    w.unref();
    return w;
  }

  private startTimer(w: Worker, p: Pending, ms: number): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.timeout(w, ms), ms);
  }

  private timeout(w: Worker, ms: number): void {
    const p = this.busy.get(w);
    if (!p) return;
    this.busy.delete(w);
    this.workers--;
    void w.terminate();
    p.resolve(failed(p, [boundFinding(`the PHP parser did not finish within ${ms / 1000} s on this file (php-parser loops on some malformed input and is quadratic on very long operator chains); it was not analysed`)]));
    this.pump();
  }

  private crash(w: Worker, e: Error): void {
    const p = this.busy.get(w);
    this.busy.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    this.workers--;
    if (p) {
      clearTimeout(p.timer);
      p.resolve(failed(p, [boundFinding(`the analysis of this file failed (${e.message}); it was not analysed`, 'internal-error')]));
    }
    this.pump();
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
