import { readFileSync, writeFileSync } from 'node:fs';
import { unifiedDiff } from './diff.js';
import type { FileOutcome } from './lint-files.js';
import { pluralize } from './report.js';

// --fix writes what the fix loop (engine/fixes.ts fixUntilStable, run in the workers: the same
// code as the LSP's fix-all) produced; it never returns text that does not parse. A file that
// changed on disk since it was read, or whose bytes are not UTF-8, is left alone.

export interface FixSummary { files: number; fixes: number; byRule: Map<string, number>; skipped: string[] }

export function applyFixes(outcomes: readonly FileOutcome[], write: boolean): FixSummary {
  const s: FixSummary = { files: 0, fixes: 0, byRule: new Map(), skipped: [] };
  for (const o of outcomes) {
    if (!o.fixed) continue;
    if (write) {
      if (o.target.content) continue; // in-memory content (stdin): printed, never written
      let now: string;
      try {
        now = readFileSync(o.target.abs, 'utf8');
      } catch {
        s.skipped.push(`${o.target.display}: cannot be read any more`);
        continue;
      }
      if (now !== o.fixed.original) {
        s.skipped.push(`${o.target.display}: changed while phpleak ran; not fixed`);
        continue;
      }
      try {
        writeFileSync(o.target.abs, o.fixed.text);
      } catch (e) {
        s.skipped.push(`${o.target.display}: cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        continue;
      }
    }
    s.files++;
    for (const a of o.fixed.applied) {
      s.fixes++;
      s.byRule.set(a.ruleId, (s.byRule.get(a.ruleId) ?? 0) + 1);
    }
  }
  return s;
}

export function fixDiff(outcomes: readonly FileOutcome[]): string {
  return outcomes.filter((o) => o.fixed).map((o) => unifiedDiff(o.target.display, o.fixed!.original, o.fixed!.text)).join('');
}

export function summaryLine(s: FixSummary, dryRun: boolean): string {
  if (s.fixes === 0) return 'phpleak: nothing to fix';
  const rules = [...s.byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id, n]) => `${id} ×${n}`).join(', ');
  return `phpleak: ${dryRun ? 'would apply' : 'applied'} ${s.fixes === 1 ? '1 fix' : `${s.fixes} fixes`} in ${pluralize(s.files, 'file')} (${rules})`;
}
