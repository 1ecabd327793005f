import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// unbounded-log-buffer's in-house recorders are appends of per-call records (`$x[] = …`);
// unbounded-cache owns keyed writes (`$x[$k] = …`). One write must never be reported by both.

const root = join(import.meta.dirname, '..', '..', 'fixtures', 'rules');

describe('unbounded-log-buffer and unbounded-cache', () => {
  it('never report the same write, on the fixtures of either rule', () => {
    const shared: string[] = [];
    let logFindings = 0;
    for (const id of ['unbounded-log-buffer', 'unbounded-cache']) {
      for (const f of readdirSync(join(root, id)).filter((x) => x.endsWith('.php') && !x.includes('.fixed.') && !x.includes('.driver.'))) {
        const text = readFileSync(join(root, id, f), 'utf8');
        const findings = lintWith(text, ['unbounded-log-buffer', 'unbounded-cache'], { longRunning: true });
        const at = (r: string): Set<string> => new Set(findings.filter((x) => x.ruleId === r).map((x) => `${x.range.start.line}:${x.range.start.character}`));
        const log = at('unbounded-log-buffer');
        logFindings += log.size;
        for (const p of at('unbounded-cache')) if (log.has(p)) shared.push(`${id}/${f} ${p}`);
      }
    }
    expect(logFindings).toBeGreaterThan(5);
    expect(shared).toEqual([]);
  });
});
