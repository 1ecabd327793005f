import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LintPool } from '../../dist/engine/pool.js';
import { rules } from '../../dist/rules/index.js';
import { applyMutation, mutationArb } from '../../fuzz/mutate.js';
import { checkFindings } from '../../fuzz/properties.js';
import { loadSeeds } from '../../fuzz/seeds.js';

// A bounded property-based run (the long one is `npm run fuzz -- --time <s>`). Lints go through
// the worker pool: php-parser loops forever on some inputs, and the pool's time bound is part of
// what is being tested.
const root = join(import.meta.dirname, '..', '..');
const registry = pathToFileURL(join(root, 'dist', 'rules', 'index.js')).href;
const pool = new LintPool({ registry, size: 2, timeoutMs: 3000 });
afterAll(() => pool.close());

const seeds = loadSeeds(root);
const ruleJobs = rules.map((r) => ({ id: r.meta.id }));

describe('fuzzing the engine with mutated fixtures', () => {
  it('never throws, stays in bounded time, keeps ranges inside the text and fixes applicable', async () => {
    expect(seeds.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), async (i, ms) => {
        const text = ms.reduce(applyMutation, seeds[i]!);
        const t0 = Date.now();
        const findings = await pool.lint({ path: 'fuzz.php', text, rules: ruleJobs });
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(checkFindings(text, findings)).toEqual([]);
      }),
      { numRuns: 150, seed: 20261125 },
    );
  }, 120_000);
});
