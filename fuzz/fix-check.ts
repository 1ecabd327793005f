import type { LintPool, PoolJob } from '../engine/pool.js';

// The --fix property: on any text that parses, the fix loop the CLI's --fix runs (pool.fix:
// fixUntilStable in a worker, maxPasses 10 as in cli/lint-files.ts) must
// - never apply a fix whose result does not parse (the loop undoes it, but the fix is wrong),
// - reach a fixed point: fixing its own result again applies nothing (no fix that repeats),
// - leave text that lints without a parse error.
// Returns the violations (empty = fine); `null` when the input does not parse (nothing to check).

export interface FixCheck { applied: number; problems: string[] }

export async function checkFix(pool: LintPool, job: PoolJob, allowUnsafe: boolean): Promise<FixCheck | null> {
  const first = await pool.fix(job, { allowUnsafe, maxPasses: 10 });
  if (!first) return null; // time-out or crash: the lint fuzz reports those
  const problems: string[] = [];
  const mode = allowUnsafe ? '--fix-unsafe' : '--fix';
  if (first.stoppedOnParseError) {
    if (first.passes === 0 && first.applied.length === 0) return null; // the input does not parse
    problems.push(`${mode}: pass ${first.passes} produced text that does not parse (after ${first.applied.map((a) => a.ruleId).join(', ') || 'no fix'}; the next pass was undone)`);
  }
  if (first.applied.length === 0) return { applied: 0, problems };
  const again = await pool.fix({ ...job, text: first.text }, { allowUnsafe, maxPasses: 10 });
  if (again && again.applied.length > 0) {
    problems.push(`${mode}: no fixed point: fixing the fixed text applies ${again.applied.map((a) => `${a.ruleId} "${a.title}"`).join(', ')} again`);
  }
  const relint = await pool.lint({ ...job, text: first.text });
  const broken = relint.find((f) => f.ruleId === 'parse-error' || f.ruleId === 'internal-error');
  if (broken) problems.push(`${mode}: the fixed text gives ${broken.ruleId}: ${broken.message}`);
  return { applied: first.applied.length, problems };
}
