import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LintPool } from '../../dist/engine/pool.js';
import { rules } from '../../dist/rules/index.js';
import { checkFix } from '../../fuzz/fix-check.js';
import { applyLineMutation, lineMutationArb } from '../../fuzz/mutate.js';
import { loadSeeds } from '../../fuzz/seeds.js';

// A bounded run of the --fix property (the long one is `npm run fuzz:fix -- --time <s>`): line
// edits of the fixtures that have fixes, then the fix loop --fix runs, on the result and again
// on its own output. Seeded: a failure here is reproducible with the printed counterexample.
const root = join(import.meta.dirname, '..', '..');
const pool = new LintPool({ registry: pathToFileURL(join(root, 'dist', 'rules', 'index.js')).href, size: 2, timeoutMs: 10_000 });
afterAll(() => pool.close());
const ruleJobs = rules.map((r) => ({ id: r.meta.id }));
// Fixtures with fixes: where a fix can go wrong.
const seeds = loadSeeds(root).filter((t) => /\/\/ expect: /.test(t));

describe('fuzzing --fix', () => {
  it('fixes of edited fixtures parse and reach a fixed point (nothing to fix on the fixed text)', async () => {
    expect(seeds.length).toBeGreaterThan(10);
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(lineMutationArb, { maxLength: 3 }), fc.boolean(), async (i, ms, unsafe) => {
        const text = ms.reduce(applyLineMutation, seeds[i]!);
        const r = await checkFix(pool, { path: 'fuzz.php', text, rules: ruleJobs }, unsafe);
        if (r) applied += r.applied;
        expect(r?.problems ?? []).toEqual([]);
      }),
      { numRuns: 100, seed: 20261202 },
    );
    // The property is about fixes: the run must have applied some (100 runs: 23 today; 40 fell
    // to 10 when fixtures were added, since the seed then draws other files).
    expect(applied).toBeGreaterThan(10);
  }, 180_000);
});
