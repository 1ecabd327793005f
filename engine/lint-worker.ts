import { parentPort, workerData } from 'node:worker_threads';
import type { FixLoopResult } from './fixes.js';
import type { LintRequest } from './lint.js';
import { serveLintJobs } from './lint-serve.js';
import type { FileSummary } from './project-index.js';
import type { AnyRule } from './rule.js';
import type { Finding, Severity } from './types.js';

/** A lint job as it crosses the thread boundary: rules by id (functions cannot be posted). */
export interface LintJob extends Omit<LintRequest, 'rules' | 'knownRuleIds'> {
  id: number;
  rules: { id: string; severity?: Severity; options?: unknown }[];
  /** Apply fixes with fixUntilStable (the --fix loop) instead of only linting. */
  fix?: { allowUnsafe: boolean; maxPasses?: number };
}
/**
 * `fixed` is set for fix jobs that ran; when a job fails, `findings` holds the internal-error;
 * `deferred` when the job allowed it (`deferBroken`) and the text was not analysed.
 */
export interface LintReply { id: number; findings: Finding[]; fixed?: FixLoopResult; summary?: FileSummary; deferred?: { fullMs: number } }
/** To a worker: the document closed, drop what is kept for its next edit. No reply. */
export interface ForgetDocument { forget: string }
/** Sent once the rules are loaded: the pool starts a file's time bound from here. */
export interface WorkerReady { ready: true }

if (parentPort) {
  const mod = (await import((workerData as { registry: string }).registry)) as { default: readonly AnyRule[] };
  serveLintJobs(parentPort, mod.default);
}
