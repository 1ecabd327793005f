import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sh, tempDir } from './helpers.js';

// action.yml (the GitHub Action of docs/ci.md): its run step is run here with bash as a runner
// would (GITHUB_ACTION_PATH, GITHUB_OUTPUT, the inputs in the environment) on the demo; the
// upload step is github/codeql-action/upload-sarif with the file that step wrote. The YAML is
// read with Python's yaml (pre-commit's dependency): skipped where it is missing.

const hasYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

interface Step { name: string; id?: string; shell?: string; run?: string; uses?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Action { inputs: Record<string, { default: string }>; runs: { using: string; steps: Step[] } }

function loadAction(): Action {
  const r = sh('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', join(ROOT, 'action.yml')], { check: true });
  return JSON.parse(r.stdout) as Action;
}

/** Runs the `Run phpleak` step with the given inputs (defaults for the others). */
function runLintStep(action: Action, inputs: Record<string, string>, cwd: string): { status: number | null; outputs: string; stderr: string } {
  const step = action.runs.steps.find((s) => s.id === 'lint')!;
  const value = (name: string): string => inputs[name] ?? action.inputs[name]!.default;
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: join(cwd, 'github-output'), CI: 'true' };
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = v.replace(/\$\{\{ inputs\.([\w-]+) \}\}/g, (_, n: string) => value(n));
  writeFileSync(env.GITHUB_OUTPUT!, '');
  const r = spawnSync('bash', ['-e', '-c', step.run!], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, outputs: readFileSync(env.GITHUB_OUTPUT!, 'utf8'), stderr: r.stderr };
}

describe.skipIf(!hasYaml)('the GitHub Action (action.yml)', () => {
  it('writes the SARIF log, reports the exit code and hands the log to upload-sarif', () => {
    const action = loadAction();
    expect(action.runs.using).toBe('composite');
    const cwd = tempDir('action');
    const demo = join(ROOT, 'fixtures', 'demo');
    const r = runLintStep(action, { paths: demo }, cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs).toBe('exit-code=1\n');
    const sarif = JSON.parse(readFileSync(join(cwd, 'phpleak.sarif'), 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const json = JSON.parse(sh(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), '--format', 'json', demo], { cwd }).stdout) as { summary: { findings: number } };
    expect(sarif.runs[0]!.results.length).toBe(json.summary.findings);

    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.with).toEqual({ sarif_file: '${{ inputs.sarif-file }}', category: '${{ inputs.category }}' });
    const fail = action.runs.steps.at(-1)!;
    expect(fail.if).toBe("${{ inputs.fail-on-findings == 'true' && steps.lint.outputs.exit-code == '1' }}");
  });

  it('passes inputs as words, never as shell code, and fails the step on a usage error', () => {
    const action = loadAction();
    const cwd = tempDir('action');
    const r = runLintStep(action, { paths: '$(touch pwned) `touch pwned2` ;touch pwned3', args: '--fail-on error' }, cwd);
    for (const f of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(cwd, f))).toBe(false);
    expect(r.status).toBe(2);
    expect(r.outputs).toBe('exit-code=2\n');
  });
});
