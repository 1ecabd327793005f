import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The texts fuzzing starts from: the demo app, every rule fixture and fuzz/seeds/. */
export function loadSeeds(root: string): string[] {
  return ['fixtures/demo', 'fixtures/rules', 'fuzz/seeds'].flatMap((d) => phpFiles(join(root, d))).map((f) => readFileSync(f, 'utf8'));
}

function phpFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...phpFiles(p));
    else if (e.endsWith('.php')) out.push(p);
  }
  return out;
}
