import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// What the fixture runner cannot express: the test-file context.
describe('memory-limit-disabled', () => {
  const text = "<?php\nini_set('memory_limit', '-1');\n";
  it('is a note in code that ends (a command, a request), a warning where the file runs long', () => {
    expect(lintWith(text, ['memory-limit-disabled']).map((f) => [f.ruleId, f.severity])).toEqual([['memory-limit-disabled', 'info']]);
    expect(lintWith(text, ['memory-limit-disabled'], { longRunning: true }).map((f) => [f.ruleId, f.severity])).toEqual([['memory-limit-disabled', 'warning']]);
    const worker = "<?php\nini_set('memory_limit', '-1');\nwhile (true) { $job = $queue->pop(); $job->run(); }\n";
    const found = lintWith(worker, ['memory-limit-disabled']);
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['memory-limit-disabled', 'warning']]);
    expect(found[0]!.details).toMatch(/which does not end after one request, so a leak in it grows until the machine runs out instead of stopping at the limit\.$/);
  });
  it('is silent in a one-shot script and in a controller when each HTTP request is a PHP request', () => {
    expect(lintWith(text, ['memory-limit-disabled'], { path: 'bin/import.php' })).toEqual([]);
    const controller = "<?php\nnamespace App\\Http\\Controllers;\nfinal class ExportController extends Controller {\n  public function __invoke() { ini_set('memory_limit', '-1'); return $this->export(); }\n}\n";
    expect(lintWith(controller, ['memory-limit-disabled'], { httpRuntime: 'per-request' })).toEqual([]);
    expect(lintWith(controller, ['memory-limit-disabled'], { httpRuntime: 'long-lived' }).map((f) => f.severity)).toEqual(['info']);
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
