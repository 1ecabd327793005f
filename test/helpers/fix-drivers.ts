import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

// Behaviour drivers for fixes (docs/architecture.md, "Fix behaviour drivers"). For a fixture
// `fixtures/rules/<id>/<case>.php` with `<case>.fixed.php`, the driver `<case>.driver.php` is a
// small PHP script run as `php <driver> <path-of-code-file>`: it defines the stubs the code
// needs, `require`s `$argv[1]`, exercises the code (for a bound: past the bound, then reads
// back) and prints what a caller could observe. It is run once on the original and once on the
// fixed code; a safe fix must give the same output. `php -l` only proves a fix parses.

export interface DriverRun { status: number | null; stdout: string; stderr: string }

/** `php <driver> <code>`: all errors reported (on stderr, so they cannot hide in stdout), no ini files' surprises. */
export function runDriver(driver: string, code: string): DriverRun {
  const r = spawnSync('php', ['-d', 'error_reporting=-1', '-d', 'display_errors=stderr', '-d', 'memory_limit=256M', '-d', 'zend.assertions=1', driver, code],
    { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Writes `text` to a fresh temporary directory under `name` (drivers may print basenames). */
export function tempCode(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'phpleak-driver-'));
  const path = join(dir, basename(name));
  writeFileSync(path, text);
  return path;
}
