import { workerData, type MessagePort } from 'node:worker_threads';
import { fixUntilStable, type FixLoopResult } from './fixes.js';
import { lintTextDetailed } from './lint.js';
import type { ForgetDocument, LintJob, LintReply, WorkerReady } from './lint-worker.js';
import { forgetDocument } from './incremental-cache.js';
import type { FileSummary } from './project-index.js';
import type { AnyRule } from './rule.js';
import type { Finding } from './types.js';

/**
 * A worker thread's side of the pool: answers lint and fix jobs with the given rules. Its own
 * module (not lint-worker.ts) so that the single executable's worker, which has the rules
 * bundled in instead of importing a registry file, runs the same code.
 */
export function serveLintJobs(port: MessagePort, registry: readonly AnyRule[]): void {
  const byId = new Map(registry.map((r) => [r.meta.id, r]));
  const known = new Set(byId.keys());
  // Where the pool sees which job of a batch is running (engine/pool.ts: the time bound per file).
  const running = (workerData as { running?: Int32Array } | null)?.running;
  const serve = (job: LintJob): LintReply => {
    if (running) Atomics.store(running, 0, job.id);
    const rules = job.rules.flatMap((r) => {
      const rule = byId.get(r.id);
      return rule ? [{ rule, severity: r.severity, options: r.options }] : [];
    });
    let findings: Finding[] = [];
    let fixed: FixLoopResult | undefined;
    let summary: FileSummary | undefined;
    let deferred: { fullMs: number } | undefined;
    try {
      const lint = (text: string): Finding[] => lintTextDetailed({ ...job, summary: false, text, rules, knownRuleIds: known }).findings;
      if (job.fix) fixed = fixUntilStable(job.text, lint, job.fix);
      else ({ findings, summary, deferred } = lintTextDetailed({ ...job, rules, knownRuleIds: known }));
    } catch (e) {
      const at = { line: 1, column: 0, offset: 0 };
      findings = [{ ruleId: 'internal-error', severity: 'error', message: `phpleak failed on this file (${e instanceof Error ? e.message : String(e)})`, range: { start: at, end: at }, related: [], fixes: [] }];
    }
    return { id: job.id, findings, ...(fixed ? { fixed } : {}), ...(summary ? { summary } : {}), ...(deferred ? { deferred } : {}) };
  };
  // A batch of jobs is answered in one message: a message between threads costs about as much
  // as linting a small file.
  port.on('message', (m: LintJob[] | ForgetDocument) => {
    if (Array.isArray(m)) port.postMessage(m.map(serve));
    else forgetDocument(m.forget);
  });
  const ready: WorkerReady = { ready: true };
  port.postMessage(ready);
}
