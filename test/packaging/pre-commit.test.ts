import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE } from '../helpers/talk.js';
import { cloneRepo, git, sh, tempDir } from './helpers.js';

// The documented pre-commit hook (docs/pre-commit.md), installed by the real pre-commit from a
// fresh clone of this repository: pre-commit builds a `language: node` environment (the
// system's Node, through nodeenv), runs `npm install`, `npm pack` and `npm install -g` of the
// clone, then runs the hook on the staged PHP files. Skipped where pre-commit is missing.

const hasPreCommit = spawnSync('pre-commit', ['--version'], { stdio: 'ignore' }).status === 0
  && spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;

const CLEAN = '<?php\n\nfunction total(array $xs): int\n{\n    return array_sum($xs);\n}\n';

describe.skipIf(!hasPreCommit)('pre-commit with the phpleak hook (language: node)', () => {
  it('installs from a clone, blocks a commit that adds a leak with the finding printed, and lets a clean one through', () => {
    const tmp = tempDir('pre-commit');
    const [clone, rev] = cloneRepo(tmp);
    const project = join(tmp, 'project');
    git(tmp, ['init', '-q', '-b', 'main', project]);
    writeFileSync(join(project, '.pre-commit-config.yaml'), `repos:\n  - repo: ${clone}\n    rev: ${rev}\n    hooks:\n      - id: phpleak\n`);
    const env = { ...process.env, PRE_COMMIT_HOME: join(tmp, 'pre-commit-home'), CI: 'true' };
    sh('pre-commit', ['install'], { cwd: project, env, check: true });
    // Installing the environment takes the time (npm install and tsc in the clone): once, here.
    sh('pre-commit', ['install-hooks'], { cwd: project, env, check: true, timeout: 420_000 });

    writeFileSync(join(project, 'ArrayBasedCache.php'), CACHE);
    git(project, ['add', '.']);
    const blocked = spawnSync('git', ['commit', '-m', 'cache'], { cwd: project, env: { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' }, encoding: 'utf8', timeout: 120_000 });
    expect(blocked.status, blocked.stdout + blocked.stderr).toBe(1);
    expect(blocked.stdout + blocked.stderr).toMatch(/^phpleak\.+Failed$/m);
    // The finding (whatever the message's wording): the write into the cache, line 8 column 59.
    expect(blocked.stdout + blocked.stderr).toContain('ArrayBasedCache.php');
    expect(blocked.stdout + blocked.stderr).toMatch(/\b8:59\b.*\bwarning\b.*unbounded-cache/);
    expect(sh('git', ['rev-list', '--all', '--count'], { cwd: project }).stdout.trim()).toBe('0');

    git(project, ['rm', '-q', '--cached', 'ArrayBasedCache.php']);
    writeFileSync(join(project, 'total.php'), CLEAN);
    git(project, ['add', 'total.php', '.pre-commit-config.yaml']);
    const passed = spawnSync('git', ['commit', '-m', 'clean'], { cwd: project, env: { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' }, encoding: 'utf8', timeout: 120_000 });
    expect(passed.status, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout + passed.stderr).toMatch(/^phpleak\.+Passed$/m);
    rmSync(tmp, { recursive: true, force: true });
  }, 600_000);
});
