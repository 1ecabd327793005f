import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// --staged: the content of staged files as it is in the git index (what the commit will hold),
// not the working tree. git is always called with an argument array, never through a shell,
// so file names with spaces, quotes or `$` are passed as they are.

export class GitError extends Error {}

export interface StagedFile {
  /** Path relative to the repository root, `/`-separated (as git prints it). */
  rel: string;
  abs: string;
  /** The staged blob's bytes. */
  content: Buffer;
}

function git(cwd: string, args: string[], input?: Buffer | string): Buffer {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (r.error) throw new GitError(`--staged needs git (${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : r.error.message})`);
  if (r.status !== 0) {
    const msg = r.stderr.toString().trim().split('\n')[0] ?? '';
    throw new GitError(`git ${args[0]} failed: ${msg || `exit code ${r.status}`}`);
  }
  return r.stdout;
}

export function repoRoot(cwd: string): string {
  try {
    return git(cwd, ['rev-parse', '--show-toplevel']).toString().trim();
  } catch (e) {
    if (e instanceof GitError && /not a git repository/i.test(e.message)) throw new GitError(`--staged needs a git repository, and ${cwd} is not in one`);
    throw e;
  }
}

/**
 * Staged files (added, copied, modified, renamed: not deleted) whose blob is read from the index.
 * `accept` filters by repo-relative path before any blob is read.
 */
export function stagedFiles(cwd: string, accept: (abs: string, rel: string) => boolean): { root: string; files: StagedFile[] } {
  const root = repoRoot(cwd);
  const names = git(root, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--no-renames', '--'])
    .toString('utf8').split('\0').filter((n) => n !== '');
  const wanted = names.filter((rel) => accept(resolve(root, rel), rel));
  if (wanted.length === 0) return { root, files: [] };
  // Blob ids of the index entries (stage 0), then all contents in one `cat-file --batch`.
  const staged = git(root, ['ls-files', '--stage', '-z', '--', ...wanted.map((w) => `:(literal)${w}`)]).toString('utf8')
    .split('\0').filter((l) => l !== '')
    .map((l) => { const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(l); return m ? { mode: m[1]!, sha: m[2]!, stage: m[3]!, rel: m[4]! } : null; })
    .filter((x): x is NonNullable<typeof x> => x !== null && x.stage === '0' && x.mode !== '160000' && x.mode !== '120000');
  if (staged.length === 0) return { root, files: [] };
  const out = git(root, ['cat-file', '--batch'], staged.map((s) => s.sha).join('\n') + '\n');
  const files: StagedFile[] = [];
  let pos = 0;
  for (const s of staged) {
    const nl = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, nl).toString('utf8');
    const m = /^([0-9a-f]+) blob (\d+)$/.exec(header);
    if (!m) throw new GitError(`git cat-file returned an unexpected header for ${s.rel}: ${header}`);
    const size = Number(m[2]);
    const content = out.subarray(nl + 1, nl + 1 + size);
    pos = nl + 1 + size + 1;
    files.push({ rel: s.rel, abs: resolve(root, s.rel), content: Buffer.from(content) });
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { root, files };
}
