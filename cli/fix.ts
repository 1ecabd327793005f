import { WriteError, writeFileAtomic } from '../engine/atomic-write.js';
import type { Finding } from '../engine/types.js';
import { unifiedDiff } from './diff.js';
import type { FileOutcome } from './lint-files.js';
import { pluralize } from './report.js';

// --fix writes what the fix loop (engine/fixes.ts fixUntilStable, run in the workers: the same
// code as the LSP's fix-all) produced; it never returns text that does not parse. Each file is
// written atomically (engine/atomic-write.ts) and only if its bytes still hash to what was
// linted. A fix that is not written is an error finding on the file (every format shows it),
// the file's findings go back to those of its unchanged text, and the run exits 2.

export interface FixFailure { display: string; reason: string }
export interface FixSummary { files: number; fixes: number; byRule: Map<string, number>; failed: FixFailure[] }

export interface WriteFixesOptions {
  /** Folders a symlinked file may point into (the linted tree); a link elsewhere is not written. */
  within: readonly string[];
  maxBytes: number;
}

export function applyFixes(outcomes: readonly FileOutcome[], write: WriteFixesOptions | false): FixSummary {
  const s: FixSummary = { files: 0, fixes: 0, byRule: new Map(), failed: [] };
  for (const o of outcomes) {
    if (!o.fixed) continue;
    if (write) {
      if (o.target.content) continue; // in-memory content (stdin): printed, never written
      try {
        writeFileAtomic(o.target.abs, o.fixed.text, { expectHash: o.fixed.originalHash, within: write.within, maxBytes: write.maxBytes });
      } catch (e) {
        const reason = e instanceof WriteError ? e.reason : `cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
        s.failed.push({ display: o.target.display, reason });
        unfix(o, reason);
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

/** The file keeps its old text: so do its findings, plus one error saying why. */
function unfix(o: FileOutcome, reason: string): void {
  const before = o.fixed!.before;
  const at = { line: 1, column: 0, offset: 0 };
  const n = o.fixed!.applied.length;
  const error: Finding = {
    ruleId: 'fix-not-written', severity: 'error', range: { start: at, end: at }, related: [], fixes: [],
    message: `${n === 1 ? '1 fix was' : `${n} fixes were`} not written: the file ${reason}`,
  };
  o.findings = [error, ...before.findings];
  o.text = o.fixed!.original;
  if (before.summary) o.summary = before.summary; else delete o.summary;
  delete o.fixed;
}

export function fixDiff(outcomes: readonly FileOutcome[]): string {
  return outcomes.filter((o) => o.fixed).map((o) => unifiedDiff(o.target.display, o.fixed!.original, o.fixed!.text)).join('');
}

export function summaryLine(s: FixSummary, dryRun: boolean): string {
  if (s.fixes === 0) return s.failed.length > 0 ? `phpleak: no fix written (${pluralize(s.failed.length, 'file')} could not be written)` : 'phpleak: nothing to fix';
  const rules = [...s.byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id, n]) => `${id} ×${n}`).join(', ');
  return `phpleak: ${dryRun ? 'would apply' : 'applied'} ${s.fixes === 1 ? '1 fix' : `${s.fixes} fixes`} in ${pluralize(s.files, 'file')} (${rules})`;
}
