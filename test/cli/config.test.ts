import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, PHP, read, ruleCounts } from './helpers.js';

const paths = (stdout: string): string[] => (JSON.parse(stdout) as { files: { path: string }[] }).files.map((f) => f.path);

describe('phpleak.json', () => {
  it('is found upward from the working directory; paths stay relative to cwd', () => {
    const p = makeProject({
      'phpleak.json': JSON.stringify({ rules: { 'memory-limit-disabled': 'error' } }),
      'src/sub/a.php': PHP.memoryLimit,
    });
    const r = phpleak(['-j', '1', '-f', 'json', '--fail-on', 'error'], { cwd: join(p, 'src') });
    expect(r.code).toBe(1);
    expect(paths(r.stdout)).toEqual(['sub/a.php']);
    expect(JSON.parse(r.stdout).files[0].findings[0].severity).toBe('error');
  });

  it('--config names the file; include, exclude and extensions select files', () => {
    const p = makeProject({
      'conf/custom.json': JSON.stringify({ include: ['app', 'lib/**/*.php'], exclude: ['app/generated/**'], extensions: ['php', 'module'] }),
      'app/A.php': PHP.memoryLimit,
      'app/B.module': PHP.memoryLimit,
      'app/generated/G.php': PHP.memoryLimit,
      'lib/x/L.php': PHP.memoryLimit,
      'other/O.php': PHP.memoryLimit,
    });
    const r = phpleak(['-j', '1', '-f', 'json', '-c', 'conf/custom.json'], { cwd: p });
    // Relative globs are resolved against the config file's folder.
    expect(paths(r.stdout)).toEqual([]);
    expect(r.stderr).toContain(`"include" entry ${join(p, 'conf', 'app')} of ${join(p, 'conf', 'custom.json')} does not exist`);
    writeFileSync(join(p, 'custom.json'), read(p, 'conf/custom.json'));
    const r2 = phpleak(['-j', '1', '-f', 'json', '--config', 'custom.json'], { cwd: p });
    expect(paths(r2.stdout)).toEqual(['app/A.php', 'app/B.module', 'lib/x/L.php']);
  });

  it('exclude also applies to files named on the command line (hooks pass names)', () => {
    const p = makeProject({ 'phpleak.json': JSON.stringify({ exclude: ['tests/fixtures/**'] }), 'tests/fixtures/x.php': PHP.memoryLimit });
    expect(phpleak(['-j', '1', 'tests/fixtures/x.php'], { cwd: p }).code).toBe(0);
  });

  it('an invalid config is exit 2 naming the file, the key path and what was expected', () => {
    const cases: [unknown, string][] = [
      [{ rules: { 'memory-limit-disabled': 'loud' } }, 'rules["memory-limit-disabled"]: expected one of "error", "warning", "info", "hint", "off", got "loud"'],
      [{ include: 'src' }, 'include: expected an array of strings'],
      [{ colour: true }, 'colour: unknown key'],
    ];
    for (const [cfg, msg] of cases) {
      const p = makeProject({ 'phpleak.json': JSON.stringify(cfg), 'a.php': PHP.clean });
      const r = phpleak(['-j', '1'], { cwd: p });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(join(p, 'phpleak.json'));
      expect(r.stderr).toContain(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const broken = makeProject({ 'phpleak.json': '{ "rules": ', 'a.php': PHP.clean });
    expect(phpleak([], { cwd: broken })).toMatchObject({ code: 2 });
    expect(phpleak(['-c', 'missing.json'], { cwd: broken }).stderr).toContain('missing.json: cannot be read');
  });

  it('longRunning globs raise rules to their long-running severity', () => {
    const gc = '<?php\n\nfunction work(): void {\n    gc_disable();\n    doWork();\n}\n';
    const p = makeProject({ 'phpleak.json': JSON.stringify({ longRunning: ['bin/**'] }), 'bin/worker.php': gc, 'src/script.php': gc });
    const r = JSON.parse(phpleak(['-j', '1', '-f', 'json', '--fail-on', 'error'], { cwd: p }).stdout);
    const sev = Object.fromEntries(r.files.map((f: { path: string; findings: { severity: string }[] }) => [f.path, f.findings.map((x) => x.severity)]));
    expect(sev['bin/worker.php']).toEqual(['warning']);
    expect(sev['src/script.php']).toEqual(['info']);
  });
});

describe('file discovery', () => {
  it('honours .gitignore (nested, negated), skips vendor/ and node_modules/ unless given', () => {
    const p = makeProject({
      '.gitignore': 'build/\n*.gen.php\n!keep.gen.php\n',
      'src/a.php': PHP.memoryLimit,
      'src/x.gen.php': PHP.memoryLimit,
      'src/keep.gen.php': PHP.memoryLimit,
      'src/sub/.gitignore': 'local.php\n',
      'src/sub/local.php': PHP.memoryLimit,
      'build/b.php': PHP.memoryLimit,
      'vendor/acme/v.php': PHP.memoryLimit,
      'node_modules/n/n.php': PHP.memoryLimit,
      'README.md': '# not php',
    });
    mkdirSync(join(p, '.git'));
    expect(paths(phpleak(['-j', '1', '-f', 'json'], { cwd: p }).stdout)).toEqual(['src/a.php', 'src/keep.gen.php']);
    expect(paths(phpleak(['-j', '1', '-f', 'json', 'vendor/acme'], { cwd: p }).stdout)).toEqual(['vendor/acme/v.php']);
    expect(paths(phpleak(['-j', '1', '-f', 'json', 'build/b.php'], { cwd: p }).stdout)).toEqual(['build/b.php']);
  });

  it('skips stubs generated for IDEs (never executed) unless named', () => {
    const p = makeProject({
      'src/a.php': PHP.memoryLimit,
      '_ide_helper.php': PHP.memoryLimit,
      '_ide_helper_models.php': PHP.memoryLimit,
      '.phpstorm.meta.php/app.meta.php': PHP.memoryLimit,
      'src/ide_helper.php': PHP.memoryLimit,
    });
    expect(paths(phpleak(['-j', '1', '-f', 'json'], { cwd: p }).stdout)).toEqual(['src/a.php', 'src/ide_helper.php']);
    expect(paths(phpleak(['-j', '1', '-f', 'json', '_ide_helper.php'], { cwd: p }).stdout)).toEqual(['_ide_helper.php']);
  });

  it('honours .gitignore outside a git repository too', () => {
    const p = makeProject({ '.gitignore': 'cache/\n', 'a.php': PHP.memoryLimit, 'cache/c.php': PHP.memoryLimit });
    expect(paths(phpleak(['-j', '1', '-f', 'json'], { cwd: p }).stdout)).toEqual(['a.php']);
  });

  it('--stdin lints standard input under --stdin-filename (config globs apply to that name)', () => {
    const p = makeProject({ 'phpleak.json': JSON.stringify({ longRunning: ['bin/**'], exclude: ['gen/**'] }) });
    const gc = '<?php\nfunction w(): void {\n    gc_disable();\n    run();\n}\n';
    const r = phpleak(['--stdin', '--stdin-filename', 'bin/w.php', '-f', 'json'], { cwd: p, input: gc });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.files[0].path).toBe('bin/w.php');
    expect(j.files[0].findings[0].severity).toBe('warning');
    const anon = phpleak(['--stdin'], { cwd: p, input: PHP.memoryLimit });
    expect(anon.code).toBe(1);
    expect(anon.stdout).toMatch(/^<stdin>:\d+:\d+  /);
    const ex = phpleak(['--stdin', '--stdin-filename', 'gen/x.php'], { cwd: p, input: PHP.memoryLimit });
    expect(ex.code).toBe(0);
    expect(ex.stderr).toContain('excluded');
  });

  it('counts per rule are the same whatever --jobs is, in the same order', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`src/f${String(i).padStart(2, '0')}.php`] = i % 3 === 0 ? PHP.memoryLimit : i % 3 === 1 ? PHP.syntaxError : PHP.clean;
    const p = makeProject(files);
    const one = phpleak(['-j', '1', '-f', 'json'], { cwd: p }).stdout;
    const three = phpleak(['-j', '3', '-f', 'json'], { cwd: p }).stdout;
    expect(three).toBe(one);
    expect(ruleCounts(one)).toEqual({ 'memory-limit-disabled': 10, 'parse-error': 10 });
  });
});
