import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The pool runs compiled workers: test the build (npm test compiles first).
import { LintPool } from '../../dist/engine/pool.js';

const registry = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'rules', 'index.js')).href;
const pool = new LintPool({ registry, size: 2, timeoutMs: 2000 });
afterAll(() => pool.close());

const lint = (text: string) => pool.lint({ path: 'x.php', text, rules: [] });

describe('the lint pool bounds every file in time', () => {
  it.each([
    ['<?php #[\n'],
    ['<?php enum A'],
  ])('%j (php-parser loops forever) gives a parse-error in bounded time', async (text) => {
    const t0 = Date.now();
    const fs = await lint(text);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(fs.map((f) => f.ruleId)).toEqual(['parse-error']);
  });

  it('goes on linting after a timed-out file', async () => {
    const [hung, ok] = await Promise.all([lint('<?php enum A'), lint('<?php $a = 1;')]);
    expect(hung[0]!.ruleId).toBe('parse-error');
    expect(ok).toEqual([]);
  });

  it('parses 16,000 nested arrays in a worker with a 64 MB stack', async () => {
    // What is tested is the stack, not the speed: its own pool with a time bound a loaded
    // machine cannot hit (the shared 2 s pool made this fail under load, 1.0–2.0 s here).
    const roomy = new LintPool({ registry, size: 1, timeoutMs: 30000 });
    try {
      const n = 16000;
      const fs = await roomy.lint({ path: 'x.php', text: '<?php $a = ' + '['.repeat(n) + ']'.repeat(n) + ';', rules: [] });
      expect(fs.map((f) => f.message)).toEqual([]);
    } finally {
      roomy.close();
    }
  });

  it('analyses a file with 5,000 chained method calls', async () => {
    const fs = await lint('<?php $q' + '->m()'.repeat(5000) + ';');
    expect(fs).toEqual([]);
  });

  it('background work never starts a second worker, and a foreground file waits for it', async () => {
    const p2 = new LintPool({ registry, size: 2, timeoutMs: 2000 });
    try {
      const jobs = [
        ...[1, 2, 3].map(() => p2.lintWithSummary({ path: 'bg.php', text: '<?php $a = 1;', rules: [] }, { background: true })),
        p2.lint({ path: 'fg.php', text: '<?php $b = 2;', rules: [] }),
        ...[4, 5].map(() => p2.lintWithSummary({ path: 'bg.php', text: '<?php $a = 1;', rules: [] }, { background: true })),
      ];
      const results = await Promise.all(jobs);
      expect(results.map((r) => (Array.isArray(r) ? r : r.findings).length)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(p2.workerCount).toBe(1);
      // Two foreground files at once (one hangs) still get two workers.
      await Promise.all([p2.lint({ path: 'a.php', text: '<?php $a = 1;', rules: [] }), p2.lint({ path: 'b.php', text: '<?php $b = 1;', rules: [] })]);
      expect(p2.workerCount).toBe(2);
    } finally {
      await p2.close();
    }
  });

  it('in batches, a file that hangs fails alone: the files before and after it in its batch are analysed', async () => {
    const p3 = new LintPool({ registry, size: 1, timeoutMs: 2000, batch: 4 });
    try {
      const rules = [{ id: 'gc-disabled' }];
      // php-parser is quadratic on long operator chains: 50,000 terms run far past the bound.
      const hangs = '<?php $s = ' + Array.from({ length: 50_000 }, (_, i) => `$a${i}`).join(' . ') + ';';
      const texts = ['<?php gc_disable();', hangs, '<?php $a = 1;', '<?php gc_disable();', '<?php $b = 2;'];
      const t0 = Date.now();
      const results = await Promise.all(texts.map((text) => p3.lint({ path: 'x.php', text, rules })));
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(results.map((fs) => fs.map((f) => f.ruleId))).toEqual([['gc-disabled'], ['parse-error'], [], ['gc-disabled'], []]);
      expect(results[1]![0]!.message).toContain('did not finish within 2 s');
      expect(p3.workerCount).toBe(1);
    } finally {
      await p3.close();
    }
  });
});
