import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { LintPool } from '../engine/pool.js';
import { rules } from '../rules/index.js';
import { applyMutation, mutationArb } from './mutate.js';
import { checkFindings } from './properties.js';
import { loadSeeds } from './seeds.js';

// `npm run fuzz -- --time <seconds> [--seed N]`: mutates the fixtures, the demo and the seeds for
// the given time and checks the engine's invariants; prints every violation with its input.
const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--time') + 1] ?? 60) || 60;
const seed = args.includes('--seed') ? Number(args[args.indexOf('--seed') + 1]) : Date.now() % 1_000_000;
const root = join(import.meta.dirname, '..', '..');

const seeds = loadSeeds(root);
const pool = new LintPool({ registry: pathToFileURL(join(root, 'dist', 'rules', 'index.js')).href, timeoutMs: 3000 });
const ruleJobs = rules.map((r) => ({ id: r.meta.id }));
const deadline = Date.now() + seconds * 1000;
let runs = 0, timeouts = 0, violations = 0, slowest = 0;
const rng = fc.sample(fc.tuple(fc.nat(seeds.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 6 })), { seed, numRuns: 1_000_000 });
for (const [i, ms] of rng) {
  if (Date.now() > deadline) break;
  const text = ms.reduce(applyMutation, seeds[i]!);
  const t0 = Date.now();
  const findings = await pool.lint({ path: 'fuzz.php', text, rules: ruleJobs });
  const dt = Date.now() - t0;
  slowest = Math.max(slowest, dt);
  runs++;
  if (findings.some((f) => f.message.includes('did not finish'))) {
    timeouts++;
    if (args.includes("--show-timeouts")) { const f = `/tmp/phpleak-timeout-${timeouts}.php`; writeFileSync(f, text); console.log(`TIME-OUT: ${f}`); }
  }
  const problems = checkFindings(text, findings);
  if (problems.length > 0) {
    violations++;
    console.log(`VIOLATION (seed file ${i}, mutations ${JSON.stringify(ms)}):\n  ${problems.join('\n  ')}`);
  }
}
await pool.close();
console.log(`fuzz: ${runs} inputs in ${seconds} s (seed ${seed}), ${violations} violations, ${timeouts} parser time-outs (bounded), slowest ${slowest} ms`);
process.exit(violations > 0 ? 1 : 0);
