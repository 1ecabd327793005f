import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// What the fixture runner cannot express: the test-file context.
describe('memory-limit-disabled', () => {
  const text = "<?php\nini_set('memory_limit', '-1');\n";
  it('reports in production code', () => {
    expect(lintWith(text, ['memory-limit-disabled']).map((f) => f.ruleId)).toEqual(['memory-limit-disabled']);
  });
  it('is silent in a one-shot database migration (run once, then the process exits), a warning when the file runs long', () => {
    const path = 'database/migrations/2024_01_02_000000_fix_paths.php';
    expect(lintWith(text, ['memory-limit-disabled'], { path })).toEqual([]);
    const found = lintWith(text, ['memory-limit-disabled'], { path, longRunning: true });
    expect(found.map((f) => [f.ruleId, f.range.start.line])).toEqual([['memory-limit-disabled', 2]]);
  });
  it('stays quiet in test files (test bootstraps lift the limit for the run)', () => {
    expect(lintWith(text, ['memory-limit-disabled'], { path: 'tests/bootstrap.php', isTestFile: true })).toEqual([]);
  });
});
