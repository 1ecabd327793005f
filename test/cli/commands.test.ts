import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, read, ROOT } from './helpers.js';

describe('subcommands', () => {
  it('rules lists every registered rule and the engine findings; --format json', () => {
    const p = makeProject({});
    const text = phpleak(['rules'], { cwd: p });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('parse-error');
    // Every column starts at the same place on every row, the long-running ones included.
    const rows = text.stdout.split('\n\n')[0]!.split('\n');
    const starts = (row: string) => [...row.matchAll(/(?<=  )\S/g)].slice(0, 3).map((m) => m.index);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.some((r) => r.includes('warning (lr: error)'))).toBe(true);
    for (const row of rows) expect(starts(row), row).toEqual(starts(rows[0]!));
    const list = JSON.parse(phpleak(['rules', '--format', 'json'], { cwd: p }).stdout) as { id: string; severity: string; fixable: string; description: string }[];
    expect(list.map((r) => r.id)).toContain('memory-limit-disabled');
    for (const r of list) expect(r.description.length).toBeGreaterThan(0);
  });

  it('explain prints rules/<id>.md; an unknown id is exit 2', () => {
    const p = makeProject({});
    const r = phpleak(['explain', 'memory-limit-disabled'], { cwd: p });
    expect(r.code).toBe(0);
    // The docs, then each message with its details.
    expect(r.stdout.startsWith(read(ROOT, 'rules/memory-limit-disabled.md'))).toBe(true);
    expect(r.stdout.slice(read(ROOT, 'rules/memory-limit-disabled.md').length)).toBe(
      "\n## Messages\n\n- `{{fn}}('memory_limit', {{value}})` turns off PHP's memory limit: a leak grows until the machine runs out\n\n"
      + "  `{{fn}}('memory_limit', {{value}})` turns off PHP's memory limit: a leak in this process then grows until the machine's memory (or the OOM killer) stops it, instead of failing fast with 'Allowed memory size exhausted' at a known bound.\n");
    expect(phpleak(['explain', 'parse-error'], { cwd: p }).stdout).toContain('php -l');
    const bad = phpleak(['explain', 'memory-limit'], { cwd: p });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean memory-limit-disabled');
  });

  it('init writes a valid starter phpleak.json with $schema, and refuses to overwrite', () => {
    const p = makeProject({ 'src/a.php': '<?php\n' });
    mkdirSync(join(p, 'tests'));
    const r = phpleak(['init'], { cwd: p });
    expect(r.code).toBe(0);
    const cfg = JSON.parse(read(p, 'phpleak.json'));
    // No local install: the schema of this version, by URL (works for global installs).
    expect(cfg.$schema).toBe(`https://raw.githubusercontent.com/phpleak/phpleak/v${JSON.parse(read(ROOT, 'package.json')).version}/phpleak.schema.json`);
    expect(cfg.include).toEqual(['src']);
    // The docs it names exist.
    const docs = /docs: (\S+)\n$/.exec(r.stdout)![1]!;
    expect(docs).toBe(join(ROOT, 'docs', 'configuration.md'));
    expect(existsSync(docs)).toBe(true);
    expect(phpleak(['-j', '1'], { cwd: p }).code).toBe(0);
    expect(phpleak(['init'], { cwd: p }).code).toBe(2);
    expect(phpleak(['init', '--force'], { cwd: p }).code).toBe(0);
    // A local npm install: the schema next to the installed rules, relative to the file.
    mkdirSync(join(p, 'node_modules', 'phpleak'), { recursive: true });
    copyFileSync(join(ROOT, 'phpleak.schema.json'), join(p, 'node_modules', 'phpleak', 'phpleak.schema.json'));
    expect(phpleak(['init', '--force'], { cwd: p }).code).toBe(0);
    expect(JSON.parse(read(p, 'phpleak.json')).$schema).toBe('./node_modules/phpleak/phpleak.schema.json');
  });

  it('the JSON schema ships and describes every config key', () => {
    const schema = JSON.parse(read(ROOT, 'phpleak.schema.json'));
    expect(Object.keys(schema.properties).sort()).toEqual(['$schema', 'baseline', 'exclude', 'extensions', 'heapDumps', 'httpRuntime', 'include', 'longRunning', 'maxFileSize', 'overrides', 'phpVersion', 'rules']);
    expect(existsSync(join(ROOT, '.pre-commit-hooks.yaml'))).toBe(true);
  });
});

describe('the schema knows every registered rule', () => {
  it('lists each rule id under rules', async () => {
    const { rules } = await import('../../rules/index.js');
    const schema = JSON.parse(read(ROOT, 'phpleak.schema.json'));
    for (const r of rules) expect(Object.keys(schema.definitions.rules.properties), r.meta.id).toContain(r.meta.id);
  });
});
