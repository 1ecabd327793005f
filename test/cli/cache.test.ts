import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, PHP, ruleCounts } from './helpers.js';

function cacheFile(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith('results-'));
  expect(names).toHaveLength(1);
  return join(dir, names[0]!);
}

describe('--cache', () => {
  it('is written under node_modules/.cache/phpleak and used on the next run', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit, 'b.php': PHP.clean });
    expect(phpleak(['-j', '1', '--cache'], { cwd: p }).code).toBe(1);
    const dir = join(p, 'node_modules/.cache/phpleak');
    const file = cacheFile(dir);
    // Prove the next run reads the cache: plant a finding for b.php (same content hash).
    const c = JSON.parse(readFileSync(file, 'utf8'));
    const planted = structuredClone(c.entries[join(p, 'a.php')].f[0]);
    planted.message = 'planted in the cache';
    c.entries[join(p, 'b.php')].f = [planted];
    writeFileSync(file, JSON.stringify(c));
    const warm = phpleak(['-j', '1', '--cache', '-f', 'json'], { cwd: p });
    expect(warm.stdout).toContain('planted in the cache');
    // --no-cache and a changed file do not use it.
    expect(phpleak(['-j', '1', '--no-cache', '-f', 'json'], { cwd: p }).stdout).not.toContain('planted');
    writeFileSync(join(p, 'b.php'), PHP.clean + '\n');
    expect(phpleak(['-j', '1', '--cache', '-f', 'json'], { cwd: p }).stdout).not.toContain('planted');
  });

  it('is keyed by the effective config: an override does not reuse results', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit });
    phpleak(['-j', '1', '--cache'], { cwd: p });
    const off = phpleak(['-j', '1', '--cache', '--rule', 'memory-limit-disabled=off', '-f', 'json'], { cwd: p });
    expect(ruleCounts(off.stdout)).toEqual({});
    writeFileSync(join(p, 'phpleak.json'), JSON.stringify({ rules: { 'memory-limit-disabled': 'error' } }));
    const err = JSON.parse(phpleak(['-j', '1', '--cache', '-f', 'json'], { cwd: p }).stdout);
    expect(err.files[0].findings[0].severity).toBe('error');
  });

  it('a corrupt cache is ignored and rebuilt; --cache-location writes only there', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit });
    phpleak(['-j', '1', '--cache', '--cache-location', '.phpleak-cache'], { cwd: p });
    const file = cacheFile(join(p, '.phpleak-cache'));
    writeFileSync(file, '{"format":1,"entr');
    const r = phpleak(['-j', '1', '--cache', '--cache-location', '.phpleak-cache'], { cwd: p });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is corrupt; it is rebuilt');
    expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
    expect(existsSync(join(p, 'node_modules'))).toBe(false);
    expect(readdirSync(join(p, '.phpleak-cache'))).toEqual([file.split('/').pop()]);
  });
});
