import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, phpleak, PHP, ruleCounts } from './helpers.js';

describe('--staged', () => {
  it('lints the index content, not the working tree, with repo-relative paths', () => {
    const repo = gitRepo({ 'src/a.php': PHP.clean, "src/we ird 'name'.php": PHP.clean, 'src/untouched.php': PHP.memoryLimit, 'notes.txt': 'x' });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'init');
    // Staged: a.php with a finding; then the working tree is cleaned but not staged.
    writeFileSync(join(repo, 'src/a.php'), PHP.memoryLimit);
    writeFileSync(join(repo, "src/we ird 'name'.php"), PHP.syntaxError);
    writeFileSync(join(repo, 'src/new.php'), PHP.clean);
    git(repo, 'add', 'src/a.php', "src/we ird 'name'.php", 'src/new.php', 'notes.txt');
    writeFileSync(join(repo, 'src/a.php'), PHP.clean);
    writeFileSync(join(repo, 'src/new.php'), PHP.memoryLimit);
    // From a subfolder: paths are still relative to the repository root.
    const r = phpleak(['--staged', '-f', 'json', '-j', '1'], { cwd: join(repo, 'src') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.summary.files).toBe(3);
    expect(j.files.map((f: { path: string }) => f.path)).toEqual(['src/a.php', "src/we ird 'name'.php"]);
    expect(ruleCounts(r.stdout)).toEqual({ 'memory-limit-disabled': 1, 'parse-error': 1 });
    // The working tree lint sees the other picture.
    expect(ruleCounts(phpleak(['-f', 'json', '-j', '1'], { cwd: repo }).stdout)).toEqual({ 'memory-limit-disabled': 2, 'parse-error': 1 });
  });

  it('in a repository without commits, with nothing staged, and outside a repository', () => {
    const repo = gitRepo({ 'a.php': PHP.memoryLimit });
    expect(phpleak(['--staged', '-j', '1'], { cwd: repo })).toMatchObject({ code: 0, stderr: '' });
    git(repo, 'add', 'a.php');
    expect(phpleak(['--staged', '-j', '1'], { cwd: repo }).code).toBe(1);
    // Limited to the given paths.
    expect(phpleak(['--staged', '-j', '1', 'lib'], { cwd: repo }).code).toBe(0);
    const outside = phpleak(['--staged'], { cwd: '/' });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^phpleak: --staged needs a git repository/);
  });

  it('refuses --fix (it would write the working tree, not the index)', () => {
    const repo = gitRepo({});
    const r = phpleak(['--staged', '--fix'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--staged');
  });
});
