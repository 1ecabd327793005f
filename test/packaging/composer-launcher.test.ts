import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sh, tempDir } from './helpers.js';

// bin/phpleak, the Composer package's launcher, with a stand-in for the ~100 MB executable
// (a shell script, packed by the same scripts/composer-package.mjs): it unpacks once, checks
// the checksum, passes arguments, streams and the exit code through, and refuses what it
// cannot run with exit 2 and one line saying why. The real executable: sea.test.ts.

const FAKE = '#!/bin/sh\necho "ran $*"\nexit ${FAKE_EXIT:-0}\n';

function makePackage(): string {
  const tmp = tempDir('launcher');
  const exe = join(tmp, 'fake-exe');
  writeFileSync(exe, FAKE);
  chmodSync(exe, 0o755);
  const pkg = join(tmp, 'pkg');
  mkdirSync(pkg);
  sh(process.execPath, [join(ROOT, 'scripts', 'composer-package.mjs'), exe, pkg, '--level', '1'], { check: true });
  return pkg;
}

const env = (pkg: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: join(pkg, 'home'), ...extra });
const unpacked = (pkg: string): string[] => readdirSync(join(pkg, 'bin')).filter((f) => f.startsWith('.phpleak-'));

describe('the Composer launcher (bin/phpleak)', () => {
  it('unpacks the executable once and runs it with the arguments, output and exit code passed through', () => {
    const pkg = makePackage();
    expect(readdirSync(pkg).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'composer.json', 'phpleak.schema.json']);
    const first = sh(join(pkg, 'bin', 'phpleak'), ['--format', 'json', 'a b.php'], { env: env(pkg) });
    expect(first).toEqual({ status: 0, stdout: 'ran --format json a b.php\n', stderr: '' });
    expect(unpacked(pkg)).toHaveLength(1);
    expect(unpacked(pkg)[0]).toMatch(/^\.phpleak-[0-9a-f]{16}$/);
    expect(sh(join(pkg, 'bin', 'phpleak'), ['x'], { env: env(pkg, { FAKE_EXIT: '1' }) })).toEqual({ status: 1, stdout: 'ran x\n', stderr: '' });
    expect(sh(join(pkg, 'bin', 'phpleak-lsp'), ['--stdio'], { env: env(pkg) }).stdout).toBe('ran lsp --stdio\n');
    expect(unpacked(pkg)).toHaveLength(1);
  });

  it('refuses an archive that does not match its checksum, and keeps nothing of it', () => {
    const pkg = makePackage();
    sh('sh', ['-c', `printf '#!/bin/sh\\necho evil\\n' | gzip > "${join(pkg, 'bin', 'phpleak-linux-x64.gz')}"`], { check: true });
    const r = sh(join(pkg, 'bin', 'phpleak'), ['x'], { env: env(pkg) });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^phpleak: .*phpleak-linux-x64\.gz does not unpack to the executable named in .*phpleak-linux-x64\.sha256 \(a damaged download\? reinstall the package\)\n$/);
    expect(readdirSync(join(pkg, 'bin')).filter((f) => f.startsWith('.phpleak-'))).toEqual([]);
  });

  it('says what is missing when the package has no executable, and which platforms it serves', () => {
    const pkg = makePackage();
    const fakeBin = join(pkg, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'uname'), '#!/bin/sh\ncase "$1" in -s) echo Darwin ;; -m) echo arm64 ;; esac\n');
    chmodSync(join(fakeBin, 'uname'), 0o755);
    const mac = sh(join(pkg, 'bin', 'phpleak'), [], { env: env(pkg, { PATH: `${fakeBin}:${process.env.PATH}` }) });
    expect(mac.status).toBe(2);
    expect(mac.stderr).toMatch(/^phpleak: the Composer package ships an executable for Linux x86-64 only \(this is Darwin arm64\); elsewhere install phpleak with npm/);

    rmSync(join(pkg, 'bin', 'phpleak-linux-x64.gz'));
    const missing = sh(join(pkg, 'bin', 'phpleak'), [], { env: env(pkg) });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/phpleak-linux-x64\.gz is missing: this copy of phpleak\/phpleak has no executable/);
    expect(existsSync(join(pkg, 'home'))).toBe(false);
  });
});
