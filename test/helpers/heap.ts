import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The real php-meminfo dumps (../shared/heap-dumps beside the clone, as in CI; a worktree one
// folder deeper finds them at ../../shared). They are read in place, never copied into the repo.

export const ROOT = join(import.meta.dirname, '..', '..');
const CANDIDATES = [join(ROOT, '..', 'shared', 'heap-dumps'), join(ROOT, '..', '..', 'shared', 'heap-dumps')];
export const DUMPS: string | null = CANDIDATES.find((d) => existsSync(join(d, 'talk-cache-1000.json'))) ?? null;
export const NO_DUMPS = `the shared php-meminfo dumps are not at ${CANDIDATES[0]} (CI keeps shared/ beside the clone)`;

export const SCENARIOS = ['talk-cache', 'static-registry', 'listeners', 'bounded'] as const;

/**
 * A temporary project: `src/` holds a scenario's PHP code (fixtures/heap/<name>), `dumps/` links
 * to the shared dumps, so reports name stable relative paths.
 */
export function scenarioProject(name: (typeof SCENARIOS)[number]): string {
  const dir = mkdtempSync(join(tmpdir(), 'phpleak-heap-'));
  cpSync(join(ROOT, 'fixtures', 'heap', name), join(dir, 'src'), { recursive: true });
  if (DUMPS) symlinkSync(DUMPS, join(dir, 'dumps'));
  return dir;
}
