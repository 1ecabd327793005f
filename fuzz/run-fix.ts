import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { LintPool } from '../engine/pool.js';
import { rules } from '../rules/index.js';
import { checkFix } from './fix-check.js';
import { applyLineMutation, applyMutation, lineMutationArb, mutationArb } from './mutate.js';
import { loadSeeds } from './seeds.js';

// `npm run fuzz:fix -- --time <seconds> [--seed N] [--corpus <dir>]...`: random edits of real
// files (the fixtures, fuzz/seeds, and any --corpus folder, read in place), then the --fix loop
// on each, checking fuzz/fix-check.ts. Every violation is printed and its input saved under /tmp.
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const seconds = Number(opt('--time') ?? 60) || 60;
const seed = opt('--seed') !== undefined ? Number(opt('--seed')) : Date.now() % 1_000_000;
const root = join(import.meta.dirname, '..', '..');

const seeds = loadSeeds(root);
args.forEach((a, i) => { if (a === '--corpus') seeds.push(...corpusFiles(args[i + 1]!, 400)); });
const pool = new LintPool({ registry: pathToFileURL(join(root, 'dist', 'rules', 'index.js')).href, timeoutMs: 10_000 });
const ruleJobs = rules.map((r) => ({ id: r.meta.id }));
const deadline = Date.now() + seconds * 1000;
let runs = 0, parsed = 0, fixedInputs = 0, fixes = 0, violations = 0;
const arb = fc.tuple(fc.nat(seeds.length - 1), fc.array(lineMutationArb, { maxLength: 5 }), fc.option(mutationArb, { freq: 5 }), fc.boolean());
for (const [i, lines, token, unsafe] of fc.sample(arb, { seed, numRuns: 1_000_000 })) {
  if (Date.now() > deadline) break;
  let text = lines.reduce(applyLineMutation, seeds[i]!);
  if (token) text = applyMutation(text, token);
  runs++;
  const r = await checkFix(pool, { path: 'fuzz.php', text, rules: ruleJobs }, unsafe);
  if (!r) continue;
  parsed++;
  if (r.applied > 0) { fixedInputs++; fixes += r.applied; }
  if (r.problems.length > 0) {
    violations++;
    const f = `/tmp/phpleak-fix-violation-${violations}.php`;
    writeFileSync(f, text);
    console.log(`VIOLATION (seed file ${i}, saved as ${f}):\n  ${r.problems.join('\n  ')}`);
  }
}
await pool.close();
console.log(`fuzz --fix: ${runs} inputs in ${seconds} s (seed ${seed}), ${parsed} analysed, ${fixedInputs} fixed (${fixes} fixes), ${violations} violations`);
process.exit(violations > 0 ? 1 : 0);

function corpusFiles(dir: string, max: number): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (out.length >= max) return;
      const p = join(d, e.name);
      if (e.isDirectory() && e.name !== 'vendor' && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && e.name.endsWith('.php') && statSync(p).size < 100_000) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}
