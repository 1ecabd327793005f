import { parentPort, workerData } from 'node:worker_threads';
import { fixUntilStable, type FixLoopResult } from './fixes.js';
import { lintTextDetailed, type LintRequest } from './lint.js';
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
/** `fixed` is set for fix jobs that ran; when a job fails, `findings` holds the internal-error. */
export interface LintReply { id: number; findings: Finding[]; fixed?: FixLoopResult; summary?: FileSummary }
/** Sent once the rules are loaded: the pool starts a file's time bound from here. */
export interface WorkerReady { ready: true }

if (parentPort) {
  const port = parentPort;
  const mod = (await import((workerData as { registry: string }).registry)) as { default: readonly AnyRule[] };
  const byId = new Map(mod.default.map((r) => [r.meta.id, r]));
  const known = new Set(byId.keys());
  port.on('message', (job: LintJob) => {
    const rules = job.rules.flatMap((r) => {
      const rule = byId.get(r.id);
      return rule ? [{ rule, severity: r.severity, options: r.options }] : [];
    });
    let findings: Finding[] = [];
    let fixed: FixLoopResult | undefined;
    let summary: FileSummary | undefined;
    try {
      const lint = (text: string): Finding[] => lintTextDetailed({ ...job, summary: false, text, rules, knownRuleIds: known }).findings;
      if (job.fix) fixed = fixUntilStable(job.text, lint, job.fix);
      else ({ findings, summary } = lintTextDetailed({ ...job, rules, knownRuleIds: known }));
    } catch (e) {
      const at = { line: 1, column: 0, offset: 0 };
      findings = [{ ruleId: 'internal-error', severity: 'error', message: `phpleak failed on this file (${e instanceof Error ? e.message : String(e)})`, range: { start: at, end: at }, related: [], fixes: [] }];
    }
    const reply: LintReply = { id: job.id, findings, ...(fixed ? { fixed } : {}), ...(summary ? { summary } : {}) };
    port.postMessage(reply);
  });
  const ready: WorkerReady = { ready: true };
  port.postMessage(ready);
}
