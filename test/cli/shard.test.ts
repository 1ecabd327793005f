import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { all, parseXml } from './xml.js';
import { makeProject, phpleak, PHP } from './helpers.js';

const files: Record<string, string> = {};
for (let i = 0; i < 40; i++) files[`src/m${i}/F${i}.php`] = i % 2 ? PHP.memoryLimit : PHP.clean;

const linted = (stdout: string): string[] => {
  const suites = all(parseXml(stdout), 'testsuite').map((s) => s.attrs.name!);
  return suites;
};

describe('--shard', () => {
  it('splits the files into disjoint slices that cover everything and stay put when files are added', () => {
    const p = makeProject(files);
    const shards = [1, 2, 3].map((i) => linted(phpleak(['-j', '1', '-f', 'junit', '--shard', `${i}/3`], { cwd: p }).stdout));
    const every = linted(phpleak(['-j', '1', '-f', 'junit'], { cwd: p }).stdout);
    expect(shards.flat().sort()).toEqual([...every].sort());
    expect(new Set(shards.flat()).size).toBe(every.length);
    for (const s of shards) expect(s.length).toBeGreaterThan(3);
    writeFileSync(join(p, 'src/added.php'), PHP.clean);
    const after = [1, 2, 3].map((i) => linted(phpleak(['-j', '1', '-f', 'junit', '--shard', `${i}/3`], { cwd: p }).stdout));
    after.forEach((s, i) => expect(s.filter((f) => f !== 'src/added.php')).toEqual(shards[i]));
  });

  it('shard outputs merge: SARIF runs carry their shard category, JUnit names the shard', () => {
    const p = makeProject(files);
    const sarif = JSON.parse(phpleak(['-j', '1', '-f', 'sarif', '--shard', '2/3'], { cwd: p }).stdout);
    expect(sarif.runs[0].automationDetails.id).toBe('phpleak/shard-2-of-3/');
    const junit = parseXml(phpleak(['-j', '1', '-f', 'junit', '--shard', '2/3'], { cwd: p }).stdout);
    expect(junit.attrs.name).toBe('phpleak (shard 2/3)');
    const j = JSON.parse(phpleak(['-j', '1', '-f', 'json', '--shard', '2/3'], { cwd: p }).stdout);
    expect(j.shard).toEqual({ index: 2, total: 3 });
  });
});
