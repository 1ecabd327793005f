import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, PHP } from './helpers.js';

// phpleak's own files (config, baseline, cache, .gitignore) as a hostile or unlucky user leaves
// them: FIFOs, links to /dev/zero, valid JSON of the wrong shape. Each is a clear error or a
// rebuild, never a hang, a memory blow-up or an internal error.

const mkfifo = (p: string): boolean => spawnSync('mkfifo', [p]).status === 0;
const findings = (stdout: string): string[] => (JSON.parse(stdout) as { files: { path: string; findings: { ruleId: string; severity: string; line: number }[] }[] }).files
  .flatMap((f) => f.findings.map((x) => `${f.path}:${x.line} ${x.ruleId} ${x.severity}`));

describe("phpleak's own files are read only when regular and bounded", () => {
  it('a baseline that is a FIFO or a link to /dev/zero: exit 2 with one line, at once', (ctx) => {
    const p = makeProject({ 'a.php': PHP.memoryLimit });
    if (!mkfifo(join(p, 'fifo.json'))) return ctx.skip();
    symlinkSync('/dev/zero', join(p, 'phpleak-baseline.json'));
    const fifo = phpleak(['-j', '1', '--baseline', 'fifo.json'], { cwd: p });
    expect(fifo.code).toBe(2);
    expect(fifo.stderr).toBe(`phpleak: ${join(p, 'fifo.json')}: cannot be read (not a regular file)\n`);
    const zero = phpleak(['-j', '1'], { cwd: p });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe(`phpleak: ${join(p, 'phpleak-baseline.json')}: cannot be read (not a regular file)\n`);
  });

  it('a config that is a FIFO, a link to /dev/zero or larger than 1 MB: exit 2 naming it', (ctx) => {
    const p = makeProject({ 'a.php': PHP.clean, 'huge.json': `{"exclude": [${'"x",'.repeat(300_000)} "y"]}` });
    if (!mkfifo(join(p, 'fifo.json'))) return ctx.skip();
    const fifo = phpleak(['-j', '1', '-c', 'fifo.json'], { cwd: p });
    expect([fifo.code, fifo.stderr]).toEqual([2, `phpleak: ${join(p, 'fifo.json')}: cannot be read (not a regular file)\n`]);
    const huge = phpleak(['-j', '1', '-c', 'huge.json'], { cwd: p });
    expect([huge.code, huge.stderr]).toEqual([2, `phpleak: ${join(p, 'huge.json')}: cannot be read (larger than 1 MB)\n`]);
    symlinkSync('/dev/zero', join(p, 'phpleak.json'));
    const zero = phpleak(['-j', '1'], { cwd: p });
    expect([zero.code, zero.stderr]).toEqual([2, `phpleak: ${join(p, 'phpleak.json')}: cannot be read (not a regular file)\n`]);
  });

  it('a cache file or a .gitignore that is a FIFO: the run goes on (the cache is rebuilt elsewhere, the .gitignore ignored)', (ctx) => {
    const p = makeProject({ 'a.php': PHP.memoryLimit });
    const first = phpleak(['-j', '1', '--cache', '--cache-location', 'c'], { cwd: p });
    expect(first.code).toBe(1);
    const name = readdirSync(join(p, 'c')).find((n) => n.startsWith('results-'))!;
    spawnSync('rm', [join(p, 'c', name)]);
    if (!mkfifo(join(p, 'c', name)) || !mkfifo(join(p, '.gitignore'))) return ctx.skip();
    const r = phpleak(['-j', '1', '-f', 'json', '--cache', '--cache-location', 'c'], { cwd: p });
    expect(r.code).toBe(1);
    expect(findings(r.stdout)).toEqual(['a.php:3 memory-limit-disabled warning']);
    expect(r.stderr).toContain(`phpleak: the cache ${join(p, 'c', name)} cannot be read (not a regular file); it is rebuilt`);
  });
});

describe('cache entries that parse but are wrong', () => {
  function cached(p: string): { file: string; body: { entries: Record<string, Record<string, unknown>> } } {
    const dir = join(p, 'c');
    const file = join(dir, readdirSync(dir).find((n) => n.startsWith('results-'))!);
    return { file, body: JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, Record<string, unknown>> } };
  }

  it('null findings, a null summary, a made-up severity or a broken range are misses: linted again and rewritten', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit, 'b.php': '<?php\ngc_disable();\n', 'c.php': PHP.clean, 'd.php': PHP.memoryLimit });
    const args = ['-j', '1', '-f', 'json', '--cache', '--cache-location', 'c'];
    const fresh = phpleak(args, { cwd: p });
    const want = findings(fresh.stdout);
    expect(want).toEqual(['a.php:3 memory-limit-disabled warning', 'b.php:2 gc-disabled info', 'd.php:3 memory-limit-disabled warning']);
    const { file, body } = cached(p);
    const key = (n: string): string => Object.keys(body.entries).find((k) => k.endsWith(`/${n}`))!;
    body.entries[key('a.php')]!.f = null;
    body.entries[key('b.php')]!.s = null;
    (body.entries[key('d.php')]!.f as { severity: string }[])[0]!.severity = 'fatal';
    body.entries[key('c.php')]!.f = [{ ruleId: 'x', severity: 'error', message: 'm', range: null, related: [], fixes: [] }];
    writeFileSync(file, JSON.stringify(body));
    const r = phpleak(args, { cwd: p });
    expect(r.stderr).not.toContain('internal error');
    expect(findings(r.stdout)).toEqual(want);
    expect(r.code).toBe(1);
    // Rewritten: the next run reads good entries again.
    const again = cached(p).body.entries;
    expect(Array.isArray(again[key('a.php')]!.f)).toBe(true);
    expect(again[key('b.php')]!.s).toMatchObject({ classes: [], holds: [] });
    expect(findings(phpleak(args, { cwd: p }).stdout)).toEqual(want);
  });
});

describe('smaller user errors', () => {
  it('a baseline with entries: [null] is a user error naming the file and the entry', () => {
    const p = makeProject({ 'a.php': PHP.clean, 'phpleak-baseline.json': '{"version": 1, "entries": [null]}' });
    const r = phpleak(['-j', '1'], { cwd: p });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`phpleak: ${join(p, 'phpleak-baseline.json')}: entries[0]: expected an object { "file", "rule", "message", "count" }, got null\n`);
  });

  it('maxEntries (and other count options) must be positive integers', () => {
    for (const [value, got] of [[0, 'number 0'], [-5, 'number -5'], [2.5, 'number 2.5']] as const) {
      const p = makeProject({ 'a.php': PHP.clean, 'phpleak.json': JSON.stringify({ rules: { 'unbounded-cache': ['warning', { maxEntries: value }] } }) });
      const r = phpleak(['-j', '1'], { cwd: p });
      expect(r.code).toBe(2);
      // JSON.stringify puts the value at column 54 of line 1.
      expect(r.stderr).toBe(`phpleak: ${join(p, 'phpleak.json')}:1:54: rules["unbounded-cache"][1].maxEntries: expected a positive integer, got ${got}\n`);
    }
    const p = makeProject({ 'a.php': PHP.clean, 'phpleak.json': JSON.stringify({ rules: { 'unbounded-log-buffer': ['warning', { limit: 0 }] } }) });
    expect(phpleak(['-j', '1'], { cwd: p }).stderr).toContain('rules["unbounded-log-buffer"][1].limit: expected a positive integer, got number 0');
  });
});
