import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeAction } from 'vscode-languageserver/node.js';
import { git, gitRepo, phpleak } from '../cli/helpers.js';
import { LspClient } from '../server/lsp-client.js';

// phpleak reads PHP as text. Whatever a file, a file name or a configuration says, the CLI and
// the language server never run it, include it, evaluate it, load a config as code, hand a
// name to a shell, or write outside their cache folder.

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** A folder that stays empty unless analysed code runs: every payload below writes into it. */
function markerDir(): string { return mkdtempSync(join(tmpdir(), 'phpleak-marker-')); }

/** PHP files whose execution (by php, include, eval, a shell, a phar stub) would write into `m`. */
function payloads(m: string): Record<string, string> {
  const put = (name: string): string => `file_put_contents(${JSON.stringify(join(m, name))}, 'x');`;
  return {
    'direct.php': `<?php\n${put('direct')}\ngc_disable();\n`,
    'halt.php': `<?php\n${put('halt')}\n__halt_compiler();\n\u0000\u0001 binary data after the halt ${put('after-halt')}`,
    'phar-stub.php': `<?php\nPhar::mapPhar('x.phar');\n${put('phar')}\ninclude 'phar://x.phar/index.php';\n__HALT_COMPILER(); ?>\r\n\u0000\u0000\u0000GBMB`,
    'includes.php': `<?php\ninclude __DIR__ . '/payload.inc';\nrequire_once 'payload.inc';\n$f = 'payload.inc';\ninclude $f;\n`,
    'payload.inc': `<?php\n${put('included')}\n`,
    'evals.php': `<?php\neval(${JSON.stringify(put('eval'))});\nassert(${JSON.stringify(put('assert'))});\ncreate_function('', ${JSON.stringify(put('create-function'))});\n`,
    'shell.php': `<?php\n\`touch ${join(m, 'backtick')}\`;\nsystem('touch ${join(m, 'system')}');\nshell_exec('touch ${join(m, 'shell-exec')}');\n`,
    'autoload.php': `<?php\nspl_autoload_register(function ($c) { ${put('autoload')} });\nnew Missing();\n`,
    'phpleak.php': `<?php\n${put('phpleak-php')}\nreturn ['rules' => []];\n`,
  };
}

/** A `php` (and `sh`-free) binary first on PATH that records any call: phpleak must never run PHP. */
function trapPath(m: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'phpleak-trap-'));
  for (const name of ['php', 'php8.2', 'phpunit']) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "$0 $*" >> ${JSON.stringify(join(m, 'php-called'))}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return `${bin}:${process.env.PATH ?? ''}`;
}

const clients: LspClient[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.stop())); });

/** Starts the language server with `env` merged into its environment. */
async function lspWith(env: Record<string, string>, root: string): Promise<LspClient> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const c = await LspClient.start({ root, settings: { debounceMs: 0 } });
    clients.push(c);
    return c;
  } finally {
    for (const k of Object.keys(env)) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
  }
}

describe('analysed code is never executed, included or evaluated', () => {
  it('the CLI (lint, --fix, --fix-dry-run, --cache, --stdin, --staged) leaves no trace of running any of it, and never runs php', () => {
    const m = markerDir();
    const files = payloads(m);
    const repo = gitRepo(files);
    const env = { PATH: trapPath(m) };
    for (const args of [['-f', 'json'], ['--fix', '--fix-unsafe'], ['--fix-dry-run'], ['--cache']]) {
      const r = phpleak(['-j', '2', ...args], { cwd: repo, env });
      expect(r.code, args.join(' ')).toBeLessThan(2);
    }
    for (const name of ['halt.php', 'phar-stub.php']) {
      const text = files[name]!;
      expect(phpleak(['--stdin', '--stdin-filename', name, '--fix-unsafe', '--fix'], { cwd: repo, input: text, env }).code).toBeLessThan(2);
    }
    git(repo, 'add', '-A');
    expect(phpleak(['--staged', '-j', '1'], { cwd: repo, env }).code).toBeLessThan(2);
    expect(readdirSync(m)).toEqual([]);
    expect(existsSync('/tmp/phpleak-pwned')).toBe(false);
  });

  it('the language server (open, hover, code actions) leaves no trace either', async () => {
    const m = markerDir();
    const root = mkdtempSync(join(tmpdir(), 'phpleak-sec-lsp-'));
    const c = await lspWith({ PATH: trapPath(m) }, root);
    for (const [name, text] of Object.entries(payloads(m))) {
      const uri = c.write(name, text);
      await c.open(uri, text, 1);
      const ds = await c.diagnosticsFor(uri, 1);
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
      const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } }, context: { diagnostics: ds } });
      expect(Array.isArray(actions)).toBe(true);
    }
    expect(readdirSync(m)).toEqual([]);
  });
});

describe('configuration is JSON, never code', () => {
  const jsConfigs = (m: string): Record<string, string> => Object.fromEntries(
    ['phpleak.js', 'phpleak.cjs', 'phpleak.mjs', 'phpleak.config.js', '.phpleakrc.js', 'phpleak.json.js'].map((n) => [n, `require('fs').writeFileSync(${JSON.stringify(join(m, n))}, 'x'); module.exports = {};\n`]),
  );

  it('phpleak.js/.cjs/.mjs next to phpleak.json (or instead of it) are never loaded, by the CLI or the server', async () => {
    const m = markerDir();
    const withJson = gitRepo({ ...jsConfigs(m), 'phpleak.json': JSON.stringify({ rules: { 'gc-disabled': 'error' } }), 'a.php': '<?php\ngc_disable();\n' });
    const r = phpleak(['-j', '1', '-f', 'json'], { cwd: withJson });
    expect(r.stdout).toContain('"severity": "error"');
    const alone = gitRepo({ ...jsConfigs(m), 'a.php': '<?php\ngc_disable();\n' });
    expect(phpleak(['-j', '1'], { cwd: alone }).code).toBe(0);
    expect(phpleak(['-j', '1', '-c', 'phpleak.js'], { cwd: alone }).code).toBe(2);
    const c = await lspWith({}, withJson);
    const uri = pathToFileURL(join(withJson, 'a.php')).href;
    await c.open(uri, '<?php\ngc_disable();\n', 1);
    expect((await c.diagnosticsFor(uri, 1)).map((d) => d.severity)).toEqual([1]);
    expect(readdirSync(m)).toEqual([]);
  });

  it('a phpleak.json that holds JavaScript is a configuration error (exit 2), not code', () => {
    const m = markerDir();
    const p = gitRepo({ 'phpleak.json': `module.exports = (require('fs').writeFileSync(${JSON.stringify(join(m, 'json-as-js'))}, 'x'), {});\n`, 'a.php': '<?php\n' });
    const r = phpleak(['-j', '1'], { cwd: p });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^phpleak: .*phpleak\.json/);
    expect(readdirSync(m)).toEqual([]);
  });
});

describe('the cache writes only inside its folder', () => {
  it('hostile names (../../x.php as --stdin-filename, names with dots, quotes, newlines) never place a file outside it', () => {
    const outer = mkdtempSync(join(tmpdir(), 'phpleak-cache-'));
    const project = join(outer, 'project');
    const sub = join(project, 'sub');
    mkdirSync(sub, { recursive: true });
    const names = ['a.php', '..a.php', 'results-0000000000000000.json.php', 'x\ny.php', "it's \"q\".php", '-rf.php'];
    for (const n of names) writeFileSync(join(sub, n), '<?php\ngc_disable();\n');
    writeFileSync(join(project, 'phpleak.json'), '{}');
    const before = tree(outer);
    const cacheDir = join(project, 'cache dir');
    // twice: the second run reads the cache and writes it back
    for (let i = 0; i < 2; i++) expect(phpleak(['-j', '2', '--cache', '--cache-location', 'cache dir', 'sub'], { cwd: project }).code).toBe(0);
    for (const hostile of ['../../x.php', '../../../../../../tmp/phpleak-cache-escape.php', '/etc/passwd.php']) {
      const r = phpleak(['--cache', '--cache-location', 'cache dir', '--stdin', '--stdin-filename', hostile, '--fix'], { cwd: sub, input: '<?php\ngc_disable();\n' });
      expect(r.code, hostile).toBeLessThan(2);
      expect(r.stdout, hostile).toBe('<?php\ngc_disable();\n');
    }
    const after = tree(outer).filter((f) => !before.includes(f));
    expect(after.length).toBeGreaterThan(0);
    for (const f of after) expect(f, 'a new file outside the cache folder').toMatch(/^project\/(sub\/)?cache dir\/results-[0-9a-f]{16}\.json$/);
    expect(existsSync('/tmp/phpleak-cache-escape.php')).toBe(false);
    expect(existsSync(cacheDir) || existsSync(join(sub, 'cache dir'))).toBe(true);
    // the cache holds the names as data
    const cached = readdirSync(cacheDir).map((n) => readFileSync(join(cacheDir, n), 'utf8')).join('');
    expect(cached).toContain('x\\ny.php');
  });
});

describe('file names never reach a shell', () => {
  const NAMES = ['$(touch pwned-subst).php', '; touch pwned-semicolon.php', '`touch pwned-backtick`.php', 'a | touch pwned-pipe.php', "it's \"quoted\" & spaced ü 名前.php", '-rf.php', '--help.php'];

  it('--staged, lint and --fix take names with $(…), ;, |, backticks, quotes, spaces, Unicode and leading dashes as they are', () => {
    const repo = gitRepo(Object.fromEntries(NAMES.map((n) => [`src/${n}`, '<?php\nfunction f(array $r): array\n{\n    gc_disable();\n    $o = [];\n    foreach ($r as $x) {\n        $o[] = $x;\n    }\n    return $o;\n}\n'])));
    git(repo, 'add', '-A');
    const staged = phpleak(['--staged', '-j', '1', '-f', 'json'], { cwd: repo });
    expect(staged.stderr).toBe('');
    const paths = (JSON.parse(staged.stdout) as { files: { path: string }[] }).files.map((f) => f.path).sort();
    expect(paths).toEqual(NAMES.map((n) => `src/${n}`).sort());
    expect(phpleak(['-j', '2', '-f', 'json'], { cwd: repo }).code).toBe(0);
    expect(phpleak(['-j', '2', '--fix', '--fix-unsafe'], { cwd: repo }).code).toBe(0);
    for (const n of NAMES) expect(readFileSync(join(repo, 'src', n), 'utf8'), n).toContain('} finally {');
    // given by name on the command line, too (after --, as a hook passes them)
    expect(phpleak(['-j', '1', '--', ...NAMES.map((n) => `src/${n}`)], { cwd: repo }).code).toBe(0);
    const created = tree(repo).filter((f) => /pwned/.test(f) && !f.startsWith('src/') && !f.startsWith('.git/'));
    expect(created).toEqual([]);
    expect(readdirSync(repo).filter((f) => /pwned/.test(f))).toEqual([]);
  });

  it('the language server takes such names in URIs as they are', async () => {
    const root = mkdtempSync(join(tmpdir(), 'phpleak-sec-names-'));
    const c = await lspWith({}, root);
    for (const n of NAMES) {
      const uri = c.write(`src/${n}`, '<?php\ngc_disable();\n');
      await c.open(uri, '<?php\ngc_disable();\n', 1);
      expect((await c.diagnosticsFor(uri, 1)).map((d) => d.code), n).toEqual(['gc-disabled']);
    }
    expect(readdirSync(root).filter((f) => /pwned/.test(f))).toEqual([]);
  });

  it('no source file spawns through a shell or builds a command line from a string', () => {
    const src = ['cli', 'engine', 'server'].flatMap((d) => tree(join(import.meta.dirname, '..', '..', d)).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));
    expect(src.length).toBeGreaterThan(20);
    for (const f of src) {
      const text = readFileSync(join(import.meta.dirname, '..', '..', f), 'utf8');
      expect(text, f).not.toMatch(/shell:\s*true/);
      // child_process only through the argument-array functions (exec/execSync run a shell)
      for (const imp of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(?:node:)?child_process'/g)) {
        const names = imp[1]!.split(',').map((x) => x.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter(Boolean);
        for (const n of names) expect(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'ChildProcess', 'SpawnSyncReturns'], `${f} imports ${n}`).toContain(n);
      }
      expect(text, f).not.toMatch(/import\s+\*\s+as\s+\w+\s+from\s+'(?:node:)?child_process'|require\('(?:node:)?child_process'\)/);
      expect(text, f).not.toMatch(/\beval\s*\(|new Function\s*\(/);
      expect(text, f).not.toMatch(/from 'node:vm'|require\('vm'\)/);
    }
  });
});
