import { LintPool, type PoolJob } from '../engine/pool.js';
import type { LintOutcome } from './workspace-index.js';

// The background index's own worker, at the lowest priority (server/idle-rules.ts): an edited
// document's analysis never queues behind an indexed file, and the index gets only the CPU
// nothing else wants. The thread ends once the index has had nothing to lint for a few seconds
// (after the first scan, only saved or changed files are linted): its heap is tens of MB the
// editor does not need (measured on 32,139 files: 276 MB RSS peak while indexing, 237 MB five
// seconds after the worker ended).

/** The background index's worker: rules loaded in a thread of the lowest priority. */
const IDLE_REGISTRY_URL = new URL('./idle-rules.js', import.meta.url).href;
/** Time bound of one file: a large file on a busy machine is slow, not hanging, and must not be left out. */
const TIMEOUT_MS = 60_000;
const IDLE_MS = 5_000;

export class IndexPool {
  private pool: LintPool | null = null;
  private jobs = 0;
  private idle: NodeJS.Timeout | undefined;

  lint(job: PoolJob): Promise<LintOutcome> {
    this.jobs++;
    clearTimeout(this.idle);
    // Old generation bounded: V8 then collects instead of growing the heap file after file.
    this.pool ??= new LintPool({ registry: IDLE_REGISTRY_URL, size: 1, timeoutMs: TIMEOUT_MS, heap: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 } });
    return this.pool.lintWithSummary(job).finally(() => {
      if (--this.jobs > 0) return;
      this.idle = setTimeout(() => void this.close(), IDLE_MS);
      this.idle.unref();
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    const p = this.pool;
    this.pool = null;
    await p?.close();
  }
}
