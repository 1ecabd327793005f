import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Helpers for the packaging tests: real tools (git, pre-commit, composer, npm) on temporary
// folders, and a PATH with no Node for the single executable.

export const ROOT = join(import.meta.dirname, '..', '..');

export function tempDir(prefix: string): string { return mkdtempSync(join(tmpdir(), `phpleak-${prefix}-`)); }

export interface Ran { status: number | null; stdout: string; stderr: string }

/** Runs a command; throws with its output when `check` and it does not exit 0. */
export function sh(cmd: string, args: readonly string[], opts: SpawnSyncOptions & { check?: boolean } = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 240_000, ...opts });
  if (r.error) throw r.error;
  const out = { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
  if (opts.check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${out.stdout}\n${out.stderr}`);
  return out;
}

const GIT_ID = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

export function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Ran {
  return sh('git', args, { cwd, env: { ...env, ...GIT_ID }, check: true });
}

/** A fresh clone of this repository's committed HEAD (what a user's tool fetches); returns [dir, commit]. */
export function cloneRepo(into: string): [string, string] {
  const dir = join(into, 'phpleak-clone');
  git(into, ['clone', '-q', '--no-hardlinks', ROOT, dir]);
  return [dir, git(dir, ['rev-parse', 'HEAD']).stdout.trim()];
}

/**
 * A folder of links to every program on the usual PATH except Node's (node, npm, npx, …): the
 * machine as a PHP team's, where node may even sit in /usr/bin beside php and git.
 */
export function pathWithoutNode(into: string): string {
  const bin = join(into, 'no-node-bin');
  mkdirSync(bin, { recursive: true });
  const skip = /^(node|nodejs|npm|npx|corepack|yarn|pnpm)$/;
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    let names: string[];
    try { names = readdirSync(d); } catch { continue; }
    for (const n of names) if (!skip.test(n) && !existsSync(join(bin, n))) symlinkSync(join(d, n), join(bin, n));
  }
  const found = spawnSync('sh', ['-c', 'command -v node npm npx'], { env: { PATH: bin }, encoding: 'utf8' });
  if (found.stdout.trim() !== '') throw new Error(`node is still on the PATH: ${found.stdout}`);
  return bin;
}

/** Environment for a tool run: no inherited Node or npm settings, the given PATH and HOME. */
export function cleanEnv(path: string, home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: path, HOME: home, LANG: 'C.UTF-8', CI: 'true', ...extra };
}
