import { execFileSync, spawnSync } from 'node:child_process';

/** Is a `php` binary available? CI installs php-cli; locally the php -l checks are skipped without it. */
export const hasPhp: boolean = (() => {
  try { execFileSync('php', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

/** `php -l` on text; returns null when it passes, else PHP's message. */
export function phpLint(text: string): string | null {
  const r = spawnSync('php', ['-d', 'display_errors=1', '-l'], { input: text, encoding: 'utf8' });
  return r.status === 0 ? null : (r.stdout + r.stderr).trim();
}
