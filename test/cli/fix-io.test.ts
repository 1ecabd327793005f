import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, makeProject, phpleak, PHP, read, type Run } from './helpers.js';

// --fix against a hostile file system, with real failures: a file-size limit (ulimit -f), a full
// tmpfs, an immutable file and a read-only mount (we run as root: chmod does not stop us), a
// concurrent writer and a FIFO swapped in while the run is under way.

const FIXED = '<?php\n\n$x = 1;\necho $x;\n';
const root = process.getuid?.() === 0;
const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length > 0) try { cleanups.pop()!(); } catch { /* best effort */ } });

interface JsonReport { files: { path: string; findings: { ruleId: string; severity: string; message: string }[] }[] }
const findings = (r: Run): string[] => (JSON.parse(r.stdout) as JsonReport).files.flatMap((f) => f.findings.map((x) => `${f.path} ${x.ruleId} ${x.severity}: ${x.message}`));
const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.phpleak-'));

/** A PHP file of about `kb` KB whose only fix is the unused ignore on its last line. */
function bigFixable(kb: number): string {
  const lines = ['<?php', ''];
  for (let i = 0; lines.join('\n').length < kb * 1024; i++) lines.push(`$v${i} = ${i};`);
  return lines.join('\n') + '\n$x = 1; // phpleak-ignore-line memory-limit-disabled\necho $x;\n';
}

function tryRun(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
}

/** A tmpfs of `size` mounted on a fresh folder, or null when mounting is not allowed here. */
function tmpfs(size: string): string | null {
  const dir = makeProject({});
  if (!tryRun('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])) return null;
  cleanups.push(() => { spawnSync('umount', ['-l', dir]); rmSync(dir, { recursive: true, force: true }); });
  return dir;
}

function expectNotWritten(r: Run, file: string, reason: RegExp): void {
  expect(r.code).toBe(2);
  const all = findings(r);
  const error = all.find((f) => f.startsWith(`${file} fix-not-written error: `));
  expect(error).toBeDefined();
  expect(error!).toMatch(reason);
  // The file's findings are those of its unchanged text: the unused ignore is still there.
  expect(all).toContain(`${file} unused-ignore info: Unused ignore: \`memory-limit-disabled\` reports nothing here, so this ignore can go (it would hide a future finding).`);
  expect(r.stderr).toMatch(new RegExp(`phpleak: ${file.replace('.', '\\.')}: fixes not written: the file `));
}

describe('--fix on a full or read-only disk leaves every file whole and fails the run', () => {
  it('a file-size limit (ulimit -f, SIGXFSZ ignored): EFBIG, the file is unchanged, exit 2, no temporary file left', () => {
    const text = bigFixable(24);
    const p = makeProject({ 'big.php': text, 'small.php': PHP.unusedIgnore });
    // 16 KB: the small file can be written, the big one cannot (its fixed text is 24 KB).
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 16; exec "${process.execPath}" "${CLI}" -j 1 --no-progress --fix -f json`], { cwd: p, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const run: Run = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    expectNotWritten(run, 'big.php', /^big\.php fix-not-written error: 1 fix was not written: the file cannot be written \(EFBIG: file too large for this process or file system\)$/);
    expect(read(p, 'big.php')).toBe(text);
    expect(read(p, 'small.php')).toBe(FIXED);
    expect(run.stderr).toContain('phpleak: applied 1 fix in 1 file (unused-ignore ×1)');
    expect(leftovers(p)).toEqual([]);
  });

  it('the human report of that run says it failed, never "no problems"', () => {
    const text = bigFixable(24);
    const p = makeProject({ 'big.php': text });
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 16; exec "${process.execPath}" "${CLI}" -j 1 --no-progress --fix`], { cwd: p, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('no problems');
    expect(r.stdout).toContain('1 fix was not written: the file cannot be written (EFBIG');
    expect(r.stdout).toMatch(/✖ 2 problems \(1 error, 1 info\)/);
    expect(r.stderr).toContain('phpleak: no fix written (1 file could not be written)');
  });

  it('a full tmpfs: ENOSPC, the file is unchanged', (ctx) => {
    const dir = tmpfs('64k');
    if (!dir) return ctx.skip(); // mount not permitted (not root, or no CAP_SYS_ADMIN)
    const text = bigFixable(24);
    writeFileSync(join(dir, 'big.php'), text);
    // Fill the rest of the file system.
    const fill = spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'fill')}`, 'bs=1k', 'count=1000'], { encoding: 'utf8' });
    expect(fill.stderr).toMatch(/No space left on device/);
    const r = phpleak(['-j', '1', '--fix', '-f', 'json', 'big.php'], { cwd: dir });
    expectNotWritten(r, 'big.php', /the file cannot be written \(ENOSPC: no space left on the device\)$/);
    expect(readFileSync(join(dir, 'big.php'), 'utf8')).toBe(text);
    expect(leftovers(dir)).toEqual([]);
  });

  it('an immutable file (chattr +i): EPERM, the file is unchanged', (ctx) => {
    const p = makeProject({ 'a.php': PHP.unusedIgnore });
    if (!tryRun('chattr', ['+i', join(p, 'a.php')])) return ctx.skip(); // no chattr, or a file system without it
    cleanups.push(() => spawnSync('chattr', ['-i', join(p, 'a.php')]));
    const r = phpleak(['-j', '1', '--fix', '-f', 'json'], { cwd: p });
    expectNotWritten(r, 'a.php', /the file cannot be written \(EPERM: operation not permitted\)$/);
    expect(read(p, 'a.php')).toBe(PHP.unusedIgnore);
    expect(leftovers(p)).toEqual([]);
  });

  it('a read-only mount: EROFS, the file is unchanged', (ctx) => {
    const dir = tmpfs('1m');
    if (!dir) return ctx.skip();
    writeFileSync(join(dir, 'a.php'), PHP.unusedIgnore);
    expect(tryRun('mount', ['-o', 'remount,ro', dir])).toBe(true);
    const r = phpleak(['-j', '1', '--fix', '-f', 'json', '.'], { cwd: dir });
    expectNotWritten(r, 'a.php', /the file cannot be written \(EROFS: read-only file system\)$/);
    expect(readFileSync(join(dir, 'a.php'), 'utf8')).toBe(PHP.unusedIgnore);
  });

  it('without --fix the same project exits 1 as before (the failure is the write, not the finding)', () => {
    const p = makeProject({ 'a.php': PHP.unusedIgnore });
    expect(phpleak(['-j', '1', '--fail-on', 'info'], { cwd: p }).code).toBe(1);
  });
});

describe('what --fix keeps', () => {
  it('mode, owner, BOM and CRLF bytes; the file is replaced through a rename (a new inode)', () => {
    const text = '\uFEFF' + PHP.unusedIgnore.replace(/\n/g, '\r\n');
    const p = makeProject({ 'a.php': text });
    const f = join(p, 'a.php');
    chmodSync(f, 0o640);
    if (root) chownSync(f, 4321, 4322);
    const ino = statSync(f).ino;
    const r = phpleak(['-j', '1', '--fix'], { cwd: p });
    expect(r.code).toBe(0);
    expect(readFileSync(f).equals(Buffer.from('\uFEFF' + FIXED.replace(/\n/g, '\r\n')))).toBe(true);
    const st = statSync(f);
    expect(st.mode & 0o7777).toBe(0o640);
    if (root) expect([st.uid, st.gid]).toEqual([4321, 4322]);
    expect(st.ino).not.toBe(ino);
    expect(leftovers(p)).toEqual([]);
  });

  it('a symlink to a file inside the linted tree: the target is fixed and the link stays a link', () => {
    const p = makeProject({ 'src/real/a.php': PHP.unusedIgnore });
    symlinkSync('real/a.php', join(p, 'src', 'link.php'));
    const r = phpleak(['-j', '1', '--fix', 'src/link.php'], { cwd: p });
    expect(r.code).toBe(0);
    expect(lstatSync(join(p, 'src', 'link.php')).isSymbolicLink()).toBe(true);
    expect(read(p, 'src/real/a.php')).toBe(FIXED);
  });

  it('a symlink to a file outside the linted tree is not written: an error, exit 2', () => {
    const outside = makeProject({ 'lib/a.php': PHP.unusedIgnore });
    const p = makeProject({ 'src/ok.php': PHP.clean });
    symlinkSync(join(outside, 'lib', 'a.php'), join(p, 'src', 'link.php'));
    const r = phpleak(['-j', '1', '--fix', '-f', 'json', 'src'], { cwd: p });
    expectNotWritten(r, 'src/link.php', /the file is a symbolic link to .*\/lib\/a\.php, outside the linted folders; not written$/);
    expect(read(outside, 'lib/a.php')).toBe(PHP.unusedIgnore);
    expect(lstatSync(join(p, 'src', 'link.php')).isSymbolicLink()).toBe(true);
  });
});

describe('what --fix keeps (folders)', () => {
  it('a file under a symlinked folder pointing out of the linted tree is not written', () => {
    const outside = makeProject({ 'lib/a.php': PHP.unusedIgnore });
    const p = makeProject({ 'src/ok.php': PHP.unusedIgnore });
    symlinkSync(join(outside, 'lib'), join(p, 'src', 'lib'));
    const r = phpleak(['-j', '1', '--fix', '-f', 'json', 'src'], { cwd: p });
    expectNotWritten(r, 'src/lib/a.php', /the file is reached through a symbolic link to a folder, at .*\/lib\/a\.php, outside the linted folders; not written$/);
    expect(read(outside, 'lib/a.php')).toBe(PHP.unusedIgnore);
    expect(read(p, 'src/ok.php')).toBe(FIXED);
  });
});

/** Runs the CLI in the background; `whenRead(file)` resolves once the run has read that file. */
function background(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { c.kill('SIGKILL'); reject(new Error(`phpleak hung (killed after 90 s); stderr: ${stderr}`)); }, 90_000);
    c.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

/**
 * Resolves once `file` has been read. Its access time is set days back first: the first read
 * then updates it (Linux relatime), and discovery only stats files, never reads them. Lint reads
 * come after discovery is complete, so this is also the signal that discovery is over.
 */
function readSignal(file: string): () => Promise<void> {
  const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  utimesSync(file, old, statSync(file).mtime);
  const before = statSync(file).atimeMs;
  return async () => {
    for (let i = 0; i < 9000; i++) {
      if (statSync(file).atimeMs !== before) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${file} was never read`);
  };
}

/** Whether a read updates an old access time here (not on noatime mounts): readSignal needs it. */
function atimeWorks(dir: string): boolean {
  const f = join(dir, '.atime-probe');
  writeFileSync(f, 'x');
  const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  utimesSync(f, old, old);
  const before = statSync(f).atimeMs;
  readFileSync(f);
  const works = statSync(f).atimeMs !== before;
  unlinkSync(f);
  return works;
}

/** Files slow enough to lint (a few seconds with one worker) to hold a window open. */
function slowFiles(n: number): Record<string, string> {
  const body = Array.from({ length: 300 }, (_, i) => `    public function m${i}(array $rows): array\n    {\n        $out = [];\n        foreach ($rows as $k => $v) {\n            $out[$k] = strtoupper((string) $v) . '-' . ${i};\n        }\n        return $out;\n    }\n`).join('\n');
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${String(i).padStart(2, '0')}.php`, `<?php\n\nfinal class Slow${i}\n{\n${body}}\n`]));
}

describe('races with the file system', () => {
  it('a file saved by someone else while --fix runs is not overwritten: an error, exit 2', async (ctx) => {
    const p = makeProject({ 'a.php': PHP.unusedIgnore, ...slowFiles(8) });
    if (!atimeWorks(p)) return ctx.skip(); // a noatime mount: the moment of the read cannot be seen
    const wasRead = readSignal(join(p, 'a.php'));
    const run = background(['-j', '1', '--no-progress', '--fix', '-f', 'json'], p);
    await wasRead();
    const saved = PHP.unusedIgnore.replace('echo $x;', 'echo $x + 1;');
    writeFileSync(join(p, 'a.php'), saved);
    const r = await run;
    expect(read(p, 'a.php')).toBe(saved);
    expect(r.code).toBe(2);
    expect(findings(r)).toContain('a.php fix-not-written error: 1 fix was not written: the file changed while phpleak ran; not written');
    expect(r.stderr).toContain('phpleak: a.php: fixes not written: the file changed while phpleak ran; not written');
    expect(leftovers(p)).toEqual([]);
  }, 120_000);

  it('a file replaced by a FIFO after discovery is reported as unreadable, never waited on', async (ctx) => {
    const p = makeProject({ 'a.php': PHP.clean, ...slowFiles(6), 'zz.php': PHP.memoryLimit });
    if (!atimeWorks(p)) return ctx.skip(); // a noatime mount: the moment of the read cannot be seen
    const wasRead = readSignal(join(p, 'a.php'));
    const run = background(['-j', '1', '--no-progress', '-f', 'json'], p);
    await wasRead();
    unlinkSync(join(p, 'zz.php'));
    if (!tryRun('mkfifo', [join(p, 'zz.php')])) return ctx.skip();
    const r = await run;
    // Discovered as a regular file (so a finding, not the "not a regular file; not linted" notice).
    expect(findings(r)).toContain('zz.php file-skipped warning: could not be read (not a regular file); it was not analysed');
    expect(r.stderr).not.toContain('not linted');
  }, 120_000);
});

describe('reports and baselines never replace source code', () => {
  it('-o and --generate-baseline onto a linted file or any .php file are refused (exit 2, nothing written); --force writes', () => {
    const p = makeProject({ 'src/A.php': PHP.memoryLimit, 'other.php': PHP.clean, 'phpleak.json': JSON.stringify({ include: ['src'], extensions: ['php', 'inc'] }) });
    for (const [args, msg] of [
      [['-o', 'src/A.php'], '-o '], [['--generate-baseline=src/A.php'], '--generate-baseline '],
    ] as const) {
      const r = phpleak(['-j', '1', ...args], { cwd: p });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`phpleak: ${msg}${join(p, 'src', 'A.php')}: that file is being linted; not writing the ${msg === '-o ' ? 'report' : 'baseline'} there (add --force to write it anyway)\n`);
      expect(read(p, 'src/A.php')).toBe(PHP.memoryLimit);
    }
    for (const name of ['other.php', 'report.inc', 'new.PHP']) {
      const r = phpleak(['-j', '1', '-o', name], { cwd: p });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/: a \.(php|inc) file is source code; not writing the report there \(add --force to write it anyway\)\n$/);
    }
    expect(read(p, 'other.php')).toBe(PHP.clean);
    expect(existsSync(join(p, 'report.inc'))).toBe(false);
    const forced = phpleak(['-j', '1', '-f', 'json', '-o', 'report.inc', '--force'], { cwd: p });
    expect(forced.code).toBe(1);
    expect(JSON.parse(read(p, 'report.inc')).summary.findings).toBe(1);
  });

  it('-o at a folder, or under a regular file: one plain line, exit 2, never "internal error"', () => {
    const p = makeProject({ 'a.php': PHP.clean });
    mkdirSync(join(p, 'out'));
    const dir = phpleak(['-j', '1', '-o', 'out'], { cwd: p });
    expect(dir.code).toBe(2);
    expect(dir.stderr).toBe(`phpleak: cannot write the report to ${join(p, 'out')}: is a directory\n`);
    const under = phpleak(['-j', '1', '-o', 'a.php/report.txt', '--force'], { cwd: p });
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(`phpleak: cannot write the report to ${join(p, 'a.php', 'report.txt')}: a parent of it is a file, not a folder\n`);
    const base = phpleak(['-j', '1', '--generate-baseline=out'], { cwd: p });
    expect(base.code).toBe(2);
    expect(base.stderr).toBe(`phpleak: cannot write the baseline to ${join(p, 'out')}: is a directory\n`);
  });

  it('a report written over an existing one is replaced atomically and keeps its mode', () => {
    const p = makeProject({ 'a.php': PHP.memoryLimit, 'report.json': 'old' });
    chmodSync(join(p, 'report.json'), 0o600);
    const r = phpleak(['-j', '1', '-f', 'json', '-o', 'report.json'], { cwd: p });
    expect(r.code).toBe(1);
    expect(JSON.parse(read(p, 'report.json')).summary.findings).toBe(1);
    expect(statSync(join(p, 'report.json')).mode & 0o777).toBe(0o600);
    expect(leftovers(p)).toEqual([]);
  });
});
