import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// What the fixture runner cannot express: the test-file context.
describe('memory-limit-disabled', () => {
  const text = "<?php\nini_set('memory_limit', '-1');\n";
  it('reports in production code', () => {
    expect(lintWith(text, ['memory-limit-disabled']).map((f) => f.ruleId)).toEqual(['memory-limit-disabled']);
  });
  it('stays quiet in test files (test bootstraps lift the limit for the run)', () => {
    expect(lintWith(text, ['memory-limit-disabled'], { path: 'tests/bootstrap.php', isTestFile: true })).toEqual([]);
  });
});
