import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, read, ROOT } from './helpers.js';

describe('subcommands', () => {
  it('rules lists every registered rule and the engine findings; --format json', () => {
    const p = makeProject({});
    const text = phpleak(['rules'], { cwd: p });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('parse-error');
    const list = JSON.parse(phpleak(['rules', '--format', 'json'], { cwd: p }).stdout) as { id: string; severity: string; fixable: string; description: string }[];
    expect(list.map((r) => r.id)).toContain('memory-limit-disabled');
    for (const r of list) expect(r.description.length).toBeGreaterThan(0);
  });

  it('explain prints rules/<id>.md; an unknown id is exit 2', () => {
    const p = makeProject({});
    const r = phpleak(['explain', 'memory-limit-disabled'], { cwd: p });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(read(ROOT, 'rules/memory-limit-disabled.md'));
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
    expect(cfg.$schema).toBe('./node_modules/phpleak/phpleak.schema.json');
    expect(cfg.include).toEqual(['src']);
    expect(phpleak(['-j', '1'], { cwd: p }).code).toBe(0);
    expect(phpleak(['init'], { cwd: p }).code).toBe(2);
    expect(phpleak(['init', '--force'], { cwd: p }).code).toBe(0);
  });

  it('the JSON schema ships and describes every config key', () => {
    const schema = JSON.parse(read(ROOT, 'phpleak.schema.json'));
    expect(Object.keys(schema.properties).sort()).toEqual(['$schema', 'baseline', 'exclude', 'extensions', 'include', 'longRunning', 'maxFileSize', 'phpVersion', 'rules']);
    expect(existsSync(join(ROOT, '.pre-commit-hooks.yaml'))).toBe(true);
  });
});

describe('the schema knows every registered rule', () => {
  it('lists each rule id under rules', async () => {
    const { rules } = await import('../../rules/index.js');
    const schema = JSON.parse(read(ROOT, 'phpleak.schema.json'));
    for (const r of rules) expect(Object.keys(schema.properties.rules.properties), r.meta.id).toContain(r.meta.id);
  });
});
