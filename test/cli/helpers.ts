import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// End-to-end helpers: the CLI is run as users run it (`node dist/cli/main.js`, built by
// `npm test` first) on temporary folders and git repositories.

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface Run { code: number; stdout: string; stderr: string }

export function phpleak(args: readonly string[], opts: { cwd: string; input?: string | Buffer; env?: Record<string, string | undefined> }): Run {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, GITHUB_ACTIONS: undefined, CI: 'true', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, input: opts.input ?? '', env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  // A crash (not a usage error) is worth seeing in the test log whatever the test expects.
  if (/internal error|SyntaxError|Error \[ERR_|at .*\.js:\d+/.test(r.stderr)) console.warn(`phpleak ${args.join(' ')} (cwd ${opts.cwd}):\n${r.stderr}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary project folder with the given files (paths relative to it). */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'phpleak-cli-'));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

export function read(dir: string, p: string): string {
  return readFileSync(join(dir, p), 'utf8');
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export function gitRepo(files: Record<string, string>): string {
  const dir = makeProject(files);
  git(dir, 'init', '-q', '-b', 'main');
  return dir;
}

/** PHP snippets whose findings come from the engine itself (stable whatever the rules say). */
export const PHP = {
  clean: '<?php\n\n$total = 0;\nforeach ([1, 2, 3] as $n) {\n    $total += $n;\n}\necho $total;\n',
  syntaxError: '<?php\n\n$a = 1\necho $a;\n',
  bareIgnore: '<?php\n\n// phpleak-ignore-next-line\n$x = 1;\n',
  unusedIgnore: '<?php\n\n$x = 1; // phpleak-ignore-line memory-limit-disabled\necho $x;\n',
  /** A rule finding that fails CI: memory-limit-disabled, a warning in a worker (line 3). */
  memoryLimit: "<?php\n\nini_set('memory_limit', '-1');\nwhile (true) {\n    $job = $queue->pop();\n    $job->run();\n}\n",
} as const;

/** Findings per rule id from `--format json` output. */
export function ruleCounts(jsonText: string): Record<string, number> {
  const r = JSON.parse(jsonText) as { files: { findings: { ruleId: string }[] }[] };
  const out: Record<string, number> = {};
  for (const f of r.files) for (const x of f.findings) out[x.ruleId] = (out[x.ruleId] ?? 0) + 1;
  return out;
}
