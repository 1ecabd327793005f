import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, PHP, ruleCounts } from './helpers.js';

describe('exit codes and usage errors', () => {
  it('0 on a clean project, 1 with findings, 2 on usage errors (one line on stderr)', () => {
    const clean = makeProject({ 'a.php': PHP.clean });
    expect(phpleak(['-j', '1'], { cwd: clean })).toMatchObject({ code: 0, stderr: '' });
    const dirty = makeProject({ 'a.php': PHP.memoryLimit });
    expect(phpleak(['-j', '1'], { cwd: dirty }).code).toBe(1);
    for (const args of [['--frobnicate'], ['-f', 'xml'], ['--fail-on', 'fatal'], ['--jobs', '0'], ['--shard', '3/2'], ['--rule', 'nope'], ['--fix', '--fix-dry-run'], ['--format']]) {
      const r = phpleak(args, { cwd: clean });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^phpleak: /);
    }
    expect(phpleak(['--frobnicate'], { cwd: clean }).stderr).toContain('unknown option --frobnicate');
    expect(phpleak(['--no-progres'], { cwd: clean }).stderr).toContain('did you mean --no-progress');
  });

  it('--fail-on sets the lowest failing severity', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit, 'b.php': PHP.unusedIgnore.replace('memory-limit-disabled', 'gc-disabled') });
    expect(phpleak(['-j', '1'], { cwd: p }).code).toBe(1);
    expect(phpleak(['-j', '1', '--fail-on', 'error'], { cwd: p }).code).toBe(0);
    expect(phpleak(['-j', '1', '--fail-on', 'info', '--rule', 'memory-limit-disabled=off'], { cwd: p }).code).toBe(1);
    expect(phpleak(['-j', '1', '--fail-on', 'warning', '--rule', 'memory-limit-disabled=off'], { cwd: p }).code).toBe(0);
  });

  it('--rule overrides severities and turns rules off; an unknown id is a usage error', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit });
    const r = phpleak(['-j', '1', '-f', 'json', '--rule', 'memory-limit-disabled=error', '--fail-on', 'error'], { cwd: p });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).files[0].findings[0].severity).toBe('error');
    expect(phpleak(['-j', '1', '--rule', 'memory-limit-disabled=off'], { cwd: p }).code).toBe(0);
    const bad = phpleak(['--rule', 'memory-limit=off'], { cwd: p });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown rule id "memory-limit"');
  });

  it('a missing path is exit 2', () => {
    const p = makeProject({ 'a.php': PHP.clean });
    const r = phpleak(['nope', 'a.php'], { cwd: p });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('phpleak: no such file or folder: nope\n');
  });

  it('--help and --version', () => {
    const p = makeProject({});
    expect(phpleak(['--help'], { cwd: p }).stdout).toContain('--generate-baseline');
    expect(phpleak(['--version'], { cwd: p }).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('one bad file never stops the others', () => {
  it('reports a parse error and goes on; symlink loops and dangling links do not hang; odd names work', () => {
    const p = makeProject({
      'src/broken.php': PHP.syntaxError,
      'src/ok.php': PHP.memoryLimit,
      "src/we ird/quo'te\"s ünï 名前.php": PHP.memoryLimit,
      'src/huge.php': '<?php\n' + '$a = 1;\n'.repeat(200_000),
    });
    symlinkSync('..', join(p, 'src', 'loop'));
    symlinkSync(join(p, 'does-not-exist.php'), join(p, 'src', 'dangling.php'));
    writeFileSync(join(p, 'phpleak.json'), JSON.stringify({ maxFileSize: 1 }));
    const r = phpleak(['-j', '2', '-f', 'json'], { cwd: p });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.summary.files).toBe(4);
    expect(ruleCounts(r.stdout)).toEqual({ 'parse-error': 1, 'memory-limit-disabled': 2, 'file-skipped': 1 });
    expect(json.files.map((f: { path: string }) => f.path)).toContain("src/we ird/quo'te\"s ünï 名前.php");
  });

  it('lints a file given by name whatever its extension', () => {
    const p = makeProject({ 'script.inc': PHP.memoryLimit });
    mkdirSync(join(p, 'empty'));
    expect(phpleak(['-j', '1', 'script.inc'], { cwd: p }).code).toBe(1);
    expect(phpleak(['-j', '1', 'empty'], { cwd: p }).code).toBe(0);
  });
});

describe('colours and progress', () => {
  it('no colour when not on a TTY, --color forces it, NO_COLOR and --no-color win over FORCE_COLOR', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit });
    const esc = /\u001b\[/;
    expect(phpleak(['-j', '1'], { cwd: p }).stdout).not.toMatch(esc);
    expect(phpleak(['-j', '1', '--color'], { cwd: p }).stdout).toMatch(esc);
    expect(phpleak(['-j', '1'], { cwd: p, env: { FORCE_COLOR: '1' } }).stdout).toMatch(esc);
    expect(phpleak(['-j', '1'], { cwd: p, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toMatch(esc);
    expect(phpleak(['-j', '1', '--no-color'], { cwd: p, env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(esc);
  });

  it('no progress bar off a TTY; --quiet keeps only failing findings and no notices', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit, 'b.php': PHP.unusedIgnore });
    const r = phpleak(['-j', '1', '--progress'], { cwd: p, env: { CI: undefined } });
    expect(r.stderr).toBe('');
    expect(phpleak(['-j', '1', '--no-progress'], { cwd: p }).stderr).toBe('');
    const q = phpleak(['-j', '1', '-q', '-f', 'json'], { cwd: p });
    expect(ruleCounts(q.stdout)).toEqual({ 'memory-limit-disabled': 1 });
  });
});
