import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { all, parseXml } from './xml.js';
import { makeProject, phpleak, PHP, read } from './helpers.js';

// CI conveniences (issue 13 point 6): several reports in one run, GitHub annotations under
// Actions, --max-warnings, errors first in annotations, info left out of review formats.

// a/ sorts before b/: a warning file ahead of an error file, plus an info finding.
const FILES = {
  'a/Warn.php': PHP.bareIgnore,
  'b/Broken.php': PHP.syntaxError,
  'c/Unused.php': PHP.unusedIgnore,
};

const kinds = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('::')).map((l) => l.slice(0, l.indexOf(' ')) + ' ' + /file=([^,]+)/.exec(l)![1]);

describe('several reports in one run', () => {
  it('--format name:file writes each report to its file and the one without a file to stdout', () => {
    const p = makeProject(FILES);
    const r = phpleak(['-j', '1', '-f', 'sarif:reports/phpleak.sarif', '-f', 'stylish', '-f', 'checkstyle:cs.xml', '-f', 'json:out.json'], { cwd: p });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^a\/Warn\.php:3:1 /);
    expect(r.stdout).toContain('3 problems');
    const sarif = JSON.parse(read(p, 'reports/phpleak.sarif'));
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['invalid-ignore', 'parse-error', 'unused-ignore']);
    expect(all(parseXml(read(p, 'cs.xml')), 'error').map((e) => e.attrs.source)).toEqual(['phpleak.invalid-ignore', 'phpleak.parse-error', 'phpleak.unused-ignore']);
    expect(JSON.parse(read(p, 'out.json')).summary.findings).toBe(3);
  });

  it('-o is the file of the one format without a file; nothing then goes to stdout', () => {
    const p = makeProject(FILES);
    const r = phpleak(['-j', '1', '-f', 'github:ann.txt', '-f', 'json', '-o', 'out.json'], { cwd: p });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(read(p, 'out.json')).summary.findings).toBe(3);
    expect(kinds(read(p, 'ann.txt'))).toEqual(['::error b/Broken.php', '::warning a/Warn.php']);
  });

  it('two reports to stdout, -o with two formats without a file, or one file twice: exit 2 before linting', () => {
    const p = makeProject(FILES);
    const cases: [string[], string][] = [
      [['-f', 'stylish', '-f', 'json'], 'phpleak: 2 formats to standard output (stylish, json); name all but one\'s file: -f json:<file>\n'],
      [['-f', 'sarif', '-f', 'json', '-o', 'x'], 'phpleak: -o/--output: 2 formats without a file (sarif, json); name each one\'s file: -f json:<file>\n'],
      [['-f', 'sarif:x', '-o', 'y'], 'phpleak: -o/--output: every --format already names its file\n'],
      [['-f', 'sarif:r.sarif', '-f', 'json:./r.sarif'], `phpleak: two reports to the same file ${join(p, 'r.sarif')}\n`],
      [['-f', 'sarif:'], 'phpleak: -f sarif: expects a file name after the colon\n'],
      [['-f', 'xml:out.xml'], 'phpleak: -f expects one of stylish, json, sarif, checkstyle, junit, github, gitlab, got "xml:out.xml"\n'],
    ];
    for (const [args, msg] of cases) {
      const r = phpleak(['-j', '1', ...args], { cwd: p });
      expect([r.code, r.stderr, r.stdout], args.join(' ')).toEqual([2, msg, '']);
    }
    expect(existsSync(join(p, 'r.sarif'))).toBe(false);
  });
});

describe('GitHub Actions', () => {
  it('adds annotations to the default report under GITHUB_ACTIONS=true, errors first, info left out', () => {
    const p = makeProject(FILES);
    const r = phpleak(['-j', '1'], { cwd: p, env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(1);
    const stylish = r.stdout.slice(0, r.stdout.indexOf('\n::'));
    expect(stylish).toMatch(/^a\/Warn\.php:3:1 [\s\S]*3 problems/);
    expect(kinds(r.stdout)).toEqual(['::error b/Broken.php', '::warning a/Warn.php']);
    // Not when the user chose the formats.
    for (const args of [['-f', 'stylish'], ['-f', 'json'], ['-f', 'sarif:x.sarif', '-f', 'stylish']]) {
      expect(phpleak(['-j', '1', ...args], { cwd: p, env: { GITHUB_ACTIONS: 'true' } }).stdout, args.join(' ')).not.toMatch(/^::/m);
    }
    // Not outside Actions.
    expect(phpleak(['-j', '1'], { cwd: p }).stdout).not.toMatch(/^::/m);
  });

  it('--include-info and --min-severity bring info back or narrow every report', () => {
    const p = makeProject(FILES);
    expect(kinds(phpleak(['-j', '1', '-f', 'github', '--include-info'], { cwd: p }).stdout))
      .toEqual(['::error b/Broken.php', '::warning a/Warn.php', '::notice c/Unused.php']);
    const junit = parseXml(phpleak(['-j', '1', '-f', 'junit'], { cwd: p }).stdout);
    expect(all(junit, 'failure').map((f) => f.attrs.type)).toEqual(['warning', 'error']);
    const stylish = phpleak(['-j', '1', '--min-severity', 'error'], { cwd: p });
    expect(stylish.stdout).toMatch(/^b\/Broken\.php:3:6 /);
    expect(stylish.stdout).toContain('1 problem');
    // The exit code still counts every finding (--fail-on warning: the warning fails).
    expect(phpleak(['-j', '1', '-f', 'github', '--min-severity', 'error', 'a'], { cwd: p })).toMatchObject({ code: 1, stdout: '' });
  });
});

describe('--max-warnings', () => {
  it('exits 1 when there are more warnings than allowed, whatever --fail-on says', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit, 'b.php': PHP.memoryLimit, 'c.php': PHP.unusedIgnore });
    const over = phpleak(['-j', '1', '-q', '--fail-on', 'error', '--max-warnings', '1'], { cwd: p });
    expect([over.code, over.stderr]).toEqual([1, 'phpleak: 2 warnings, more than --max-warnings 1\n']);
    expect(phpleak(['-j', '1', '-q', '--fail-on', 'error', '--max-warnings', '2'], { cwd: p })).toMatchObject({ code: 0, stderr: '' });
    expect(phpleak(['-j', '1', '--max-warnings', '-1'], { cwd: p })).toMatchObject({ code: 2, stderr: 'phpleak: --max-warnings expects a value\n' });
    expect(phpleak(['-j', '1', '--max-warnings=x'], { cwd: p })).toMatchObject({ code: 2, stderr: 'phpleak: --max-warnings expects a number of warnings (0 or more), got "x"\n' });
  });
});
