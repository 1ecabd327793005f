import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE } from '../helpers/talk.js';
import { lspSession } from './lsp-session.js';
import { cleanEnv, cloneRepo, git, pathWithoutNode, ROOT, sh, tempDir } from './helpers.js';

// The single executable (npm run build:sea) as a PHP team uses it, with no Node on the PATH:
// it lints the demo exactly as the npm CLI does, serves LSP over stdio, installs with
// `composer require --dev` from a path repository (offline) as vendor/bin/phpleak, and runs as
// the `phpleak-composer` pre-commit hook. Built once for the file (about half a minute).

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SERVER = join(ROOT, 'dist', 'server', 'main.js');
const supported = process.platform === 'linux' && process.arch === 'x64';
const hasComposer = spawnSync('composer', ['--version'], { stdio: 'ignore', env: { ...process.env, COMPOSER_ALLOW_SUPERUSER: '1' } }).status === 0;
const hasPreCommit = spawnSync('pre-commit', ['--version'], { stdio: 'ignore' }).status === 0;

let tmp: string;
let exe: string;
let noNode: string;
let home: string;

function npmCli(args: readonly string[], cwd = ROOT) {
  return sh(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
}

describe.skipIf(!supported)('the single executable (linux-x64)', () => {
  beforeAll(() => {
    tmp = tempDir('sea');
    sh(process.execPath, [join(ROOT, 'scripts', 'build-sea.mjs'), join(tmp, 'sea')], { cwd: ROOT, check: true });
    exe = join(tmp, 'sea', 'phpleak-linux-x64');
    noNode = pathWithoutNode(tmp);
    home = join(tmp, 'home');
    mkdirSync(home);
  }, 300_000);
  // The executable is ~100 MB, and the Composer test unpacks another copy.
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('lints the demo with no node on the PATH, as the npm CLI does (exit code, stylish and JSON output)', () => {
    const env = cleanEnv(noNode, home, { NO_COLOR: '1' });
    const sea = sh(exe, ['--no-progress', 'fixtures/demo'], { cwd: ROOT, env });
    const npm = npmCli(['--no-progress', 'fixtures/demo']);
    expect(sea.stderr).toBe('');
    expect(sea.status).toBe(1);
    expect(sea.stdout).toMatch(/unbounded-cache/);
    expect(sea.stdout).toBe(npm.stdout);
    const seaJson = sh(exe, ['--format', 'json', 'fixtures/demo'], { cwd: ROOT, env });
    expect(seaJson.status).toBe(1);
    expect(JSON.parse(seaJson.stdout)).toEqual(JSON.parse(npmCli(['--format', 'json', 'fixtures/demo']).stdout));
    // Rule docs and the version come from the executable itself, not from a package folder.
    expect(sh(exe, ['explain', 'unbounded-cache'], { cwd: tmp, env }).stdout).toBe(npmCli(['explain', 'unbounded-cache'], tmp).stdout);
    expect(sh(exe, ['--version'], { cwd: tmp, env }).stdout).toBe(npmCli(['--version'], tmp).stdout);
  }, 180_000);

  it('serves LSP over stdio as `phpleak lsp --stdio` and as `phpleak-lsp --stdio`, with the diagnostics and hover of the npm server', async () => {
    const root = join(tmp, 'lsp');
    mkdirSync(join(root, 'src'), { recursive: true });
    const file = join(root, 'src', 'ArrayBasedCache.php');
    writeFileSync(file, CACHE);
    const env = cleanEnv(noNode, home);
    const sea = await lspSession(exe, ['lsp', '--stdio'], { cwd: root, env, root, file });
    const npm = await lspSession(process.execPath, [SERVER, '--stdio'], { cwd: root, env: process.env, root, file });
    expect(sea.init.serverInfo).toEqual(npm.init.serverInfo);
    expect(sea.init.capabilities).toEqual(npm.init.capabilities);
    expect(sea.diagnostics.map((d) => [d.code, d.range.start.line + 1])).toEqual([['unbounded-cache', 8]]);
    expect(sea.diagnostics).toEqual(npm.diagnostics);
    expect(sea.hover).toEqual(npm.hover);
    expect(sea.exitCode).toBe(0);
    expect(sea.stderr).toBe('');

    const link = join(tmp, 'phpleak-lsp');
    symlinkSync(exe, link);
    const byName = await lspSession(link, ['--stdio'], { cwd: root, env, root, file });
    expect(byName.diagnostics).toEqual(npm.diagnostics);
  }, 180_000);

  describe.skipIf(!hasComposer)('Composer', () => {
    it('`composer require --dev phpleak/phpleak` from a path repository gives vendor/bin/phpleak and vendor/bin/phpleak-lsp, run with no node on the PATH', () => {
      const [clone] = cloneRepo(tmp);
      // What the release workflow does before committing the package: the executable goes in bin/.
      sh(process.execPath, [join(clone, 'scripts', 'composer-package.mjs'), exe, '--level', '1'], { cwd: clone, check: true });
      const app = join(tmp, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'composer.json'), JSON.stringify({
        name: 'acme/app',
        repositories: [
          { type: 'path', url: clone, options: { versions: { 'phpleak/phpleak': '0.1.0' } } },
          { 'packagist.org': false },
        ],
      }, null, 4));
      cpSync(join(ROOT, 'fixtures', 'demo'), join(app, 'fixtures', 'demo'), { recursive: true });
      const env = cleanEnv(noNode, home, { COMPOSER_HOME: join(home, '.composer'), COMPOSER_DISABLE_NETWORK: '1', COMPOSER_ALLOW_SUPERUSER: '1', NO_COLOR: '1' });
      sh('composer', ['require', '--dev', '--no-interaction', 'phpleak/phpleak'], { cwd: app, env, check: true });
      expect(existsSync(join(app, 'vendor', 'bin', 'phpleak'))).toBe(true);

      const run = sh(join(app, 'vendor', 'bin', 'phpleak'), ['--no-progress', 'fixtures/demo'], { cwd: app, env });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      expect(run.stdout).toBe(npmCli(['--no-progress', 'fixtures/demo']).stdout);
      // Unpacked once, then run directly.
      expect(sh(join(app, 'vendor', 'bin', 'phpleak'), ['--version'], { cwd: app, env }).stdout).toBe(npmCli(['--version']).stdout);
      expect(sh(join(app, 'vendor', 'bin', 'phpleak-lsp'), ['--version'], { cwd: app, env }).stdout).toMatch(/^phpleak-lsp \d+\.\d+\.\d+\n$/);

      if (!hasPreCommit) return;
      // The `phpleak-composer` pre-commit hook runs that vendor/bin/phpleak (language: system).
      git(app, ['init', '-q', '-b', 'main'], env);
      const rev = git(clone, ['rev-parse', 'HEAD']).stdout.trim();
      writeFileSync(join(app, '.pre-commit-config.yaml'), `repos:\n  - repo: ${clone}\n    rev: ${rev}\n    hooks:\n      - id: phpleak-composer\n`);
      const pcEnv = { ...env, PRE_COMMIT_HOME: join(tmp, 'pre-commit-home') };
      sh('pre-commit', ['install'], { cwd: app, env: pcEnv, check: true });
      writeFileSync(join(app, 'ArrayBasedCache.php'), CACHE);
      git(app, ['add', 'ArrayBasedCache.php', '.pre-commit-config.yaml'], pcEnv);
      const blocked = sh('git', ['commit', '-m', 'cache'], { cwd: app, env: { ...pcEnv, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
      expect(blocked.status, blocked.stdout + blocked.stderr).toBe(1);
      expect(blocked.stdout + blocked.stderr).toMatch(/^phpleak\.+Failed$/m);
      expect(blocked.stdout + blocked.stderr).toMatch(/\b8:59\b.*\bwarning\b.*unbounded-cache/);
    }, 300_000);
  });
});
