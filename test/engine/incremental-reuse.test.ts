import { beforeEach, describe, expect, it } from 'vitest';
import { forgetDocument, forgetParses, keptParse, reusedResults } from '../../engine/incremental-cache.js';
import { lintTextDetailed, type LintResult } from '../../engine/lint.js';
import { rules } from '../../rules/index.js';

// An edit that changes no tree moves the previous analysis (engine/incremental-reuse.ts), and
// one that touches text the analysis read does not. The property test
// (test/engine/incremental.test.ts) checks equality over random edits; these pin the cases.

const settings = rules.map((rule) => ({ rule }));
const PATH = 'src/Worker.php';
const BASE = `<?php
class Worker
{
    public function first(): void
    {
    }

    public function a(): void
    {
        $x = 1; // note
    }

    public function b(): void
    {
        // x
        gc_disable();
    }
}
`;

const lint = (text: string, incremental?: string): LintResult => lintTextDetailed({ path: PATH, text, rules: settings, summary: true, ...(incremental ? { incremental } : {}) });

/** Lints `edited` after `start` as the editor does; returns the result and whether it was moved. */
function afterEdit(edited: string, start = BASE): { result: LintResult; moved: boolean } {
  lint(start, 'doc');
  const before = reusedResults();
  const result = lint(edited, 'doc');
  return { result, moved: reusedResults() > before };
}

beforeEach(() => forgetParses());

describe('reusing the previous analysis', () => {
  it('moves it for a word typed into a comment of another member: the finding after it moves by the word', () => {
    const edited = BASE.replace('// note', '// note that');
    const { result, moved } = afterEdit(edited);
    expect(moved).toBe(true);
    expect(result).toEqual(lint(edited));
    expect(result.findings.map((f) => [f.ruleId, f.range.start])).toEqual([['gc-disabled', { line: 16, column: 8, offset: 197 }]]);
  });

  it('moves it for blanks between tokens, and moves columns only on the edited line', () => {
    const edited = BASE.replace('$x = 1;', '$x =   1;');
    const { result, moved } = afterEdit(edited);
    expect(moved).toBe(true);
    expect(result).toEqual(lint(edited));
    expect(result.findings[0]!.range.start).toEqual({ line: 16, column: 8, offset: 194 });
  });

  it('redoes it when the comment edited is one a rule reads (the reason for gc_disable())', () => {
    const edited = BASE.replace('// x', '// GC is re-enabled by the caller after the import');
    const { result, moved } = afterEdit(edited);
    expect(moved).toBe(false);
    expect(result.findings).toEqual([]);
    expect(result).toEqual(lint(edited));
  });

  it('moves it for a // comment typed at the end of a line, not for one beside gc_disable() (a reason)', () => {
    const start = BASE.replace('$x = 1; // note', '$x = 1; // note\n        $y = 2;');
    const why = start.replace('$y = 2;', '$y = 2; // why');
    const a = afterEdit(why, start);
    expect(a.moved).toBe(true);
    expect(a.result).toEqual(lint(why));
    const reason = start.replace('gc_disable();', 'gc_disable(); // the import allocates no cycles');
    const b = afterEdit(reason, start);
    expect(b.moved).toBe(false);
    expect(b.result.findings).toEqual([]);
    expect(b.result).toEqual(lint(reason));
  });

  it('redoes it for an ignore comment, a changed tree or a new line', () => {
    for (const edited of [
      BASE.replace('// note', '// phpleak-ignore-next-line'),
      BASE.replace('$x = 1;', '$x = 12;'),
      BASE.replace('$x = 1; // note', '$x = 1; // no\nte'),
    ]) {
      const { result, moved } = afterEdit(edited);
      expect(moved, edited).toBe(false);
      expect(result, edited).toEqual(lint(edited));
      forgetParses();
    }
  });

  it('forgets a closed document', () => {
    lint(BASE, 'doc');
    expect(keptParse('doc')?.text).toBe(BASE);
    forgetDocument('doc');
    expect(keptParse('doc')).toBeUndefined();
  });
});
