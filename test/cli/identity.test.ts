import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phpleak, ROOT } from './helpers.js';

// One finding identity (engine/identity.ts, DESIGN §7) for the baseline, SARIF
// partialFingerprints and GitLab fingerprints: it holds when lines are inserted above every
// finding, when phpleak runs from another folder, and over a subset of files. Real CLI runs on a
// copy of the demo project (26 findings over 10 files, cross-file ones included).

/** A copy of fixtures/demo in a fresh folder `<tmp>/proj`, with a composer.json as real projects have. */
function demoProject(): { parent: string; proj: string } {
  const parent = mkdtempSync(join(tmpdir(), 'phpleak-identity-'));
  const proj = join(parent, 'proj');
  cpSync(join(ROOT, 'fixtures', 'demo'), proj, { recursive: true });
  writeFileSync(join(proj, 'composer.json'), '{ "name": "acme/demo" }\n');
  return { parent, proj };
}

function phpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? phpFiles(p) : n.endsWith('.php') ? [p] : [];
  });
}

/** Inserts lines right after `<?php` in every file: every finding moves down. */
function insertLinesAtTop(proj: string, n = 3): void {
  for (const f of phpFiles(proj)) {
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text.replace(/^<\?php\n/, `<?php\n${'// inserted\n'.repeat(n)}`));
  }
}

interface SarifLog { runs: { results: { ruleId: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] }

function sarifPrints(out: string): string[] {
  return (JSON.parse(out) as SarifLog).runs[0]!.results.map((r) => `${r.ruleId} ${r.partialFingerprints['phpleak/v2']}`).sort();
}
function gitlabPrints(out: string): string[] {
  return (JSON.parse(out) as { check_name: string; fingerprint: string }[]).map((i) => `${i.check_name} ${i.fingerprint}`).sort();
}
function lines(out: string): number[] {
  return (JSON.parse(out) as SarifLog).runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region.startLine);
}

describe('fingerprints (SARIF partialFingerprints, GitLab fingerprint)', { timeout: 180_000 }, () => {
  it('are unchanged after a line is added at the top of every file and when run from another folder', () => {
    const { parent, proj } = demoProject();
    const sarif0 = phpleak(['-j', '1', '--no-progress', '-f', 'sarif'], { cwd: proj });
    const gitlab0 = phpleak(['-j', '1', '--no-progress', '-f', 'gitlab', '--include-info'], { cwd: proj });
    expect(sarif0.code).toBe(1);
    const prints = sarifPrints(sarif0.stdout);
    expect(prints).toHaveLength(26);
    expect(new Set(prints).size).toBe(26);
    expect(gitlabPrints(gitlab0.stdout)).toHaveLength(26);

    insertLinesAtTop(proj, 1);
    const sarif1 = phpleak(['-j', '1', '--no-progress', '-f', 'sarif', 'proj'], { cwd: parent });
    const gitlab1 = phpleak(['-j', '1', '--no-progress', '-f', 'gitlab', '--include-info', '..'], { cwd: join(proj, 'src') });
    // The findings did move (a test that cannot fail is a defect)…
    expect(lines(sarif1.stdout)).not.toEqual(lines(sarif0.stdout));
    // …and every fingerprint stayed.
    expect(sarifPrints(sarif1.stdout)).toEqual(prints);
    expect(gitlabPrints(gitlab1.stdout)).toEqual(gitlabPrints(gitlab0.stdout));
  });

  it('change when the code at the finding changes', () => {
    const { proj } = demoProject();
    const before = sarifPrints(phpleak(['-j', '1', '--no-progress', '-f', 'sarif', 'src/Worker.php'], { cwd: proj }).stdout);
    const f = join(proj, 'src/Worker.php');
    writeFileSync(f, readFileSync(f, 'utf8').replace("ini_set('memory_limit', '-1');", "ini_set('memory_limit',   \"-1\");"));
    const after = sarifPrints(phpleak(['-j', '1', '--no-progress', '-f', 'sarif', 'src/Worker.php'], { cwd: proj }).stdout);
    expect(after.filter((p) => !before.includes(p)).map((p) => p.split(' ')[0])).toEqual(['memory-limit-disabled']);
  });
});

describe('baselines hold', { timeout: 180_000 }, () => {
  it('after lines are inserted at the top of every file, from another folder and over a subset of files', () => {
    const { parent, proj } = demoProject();
    const g = phpleak(['-j', '1', '--no-progress', '--generate-baseline'], { cwd: proj });
    expect(g.code).toBe(0);
    expect(g.stderr).toContain('(26 findings accepted)');
    const b = JSON.parse(readFileSync(join(proj, 'phpleak-baseline.json'), 'utf8')) as { version: number; entries: { message: string; code: string }[] };
    expect(b.version).toBe(2);
    expect(b.entries.every((e) => !/line \d|\.php/.test(e.message) && /^[0-9a-f]{16}$/.test(e.code))).toBe(true);

    insertLinesAtTop(proj, 3);
    expect(phpleak(['-j', '1', '--no-progress'], { cwd: proj })).toMatchObject({ code: 0, stderr: '' });
    // From another folder, naming the project and its baseline.
    expect(phpleak(['-j', '1', '--no-progress', '--baseline', 'proj/phpleak-baseline.json', 'proj'], { cwd: parent })).toMatchObject({ code: 0, stderr: '' });
    // A subset: only the linted files' entries count; the others are not stale.
    expect(phpleak(['-j', '1', '--no-progress', 'src/Worker.php', 'src/ArrayBasedCache.php'], { cwd: proj })).toMatchObject({ code: 0, stderr: '' });
    expect(phpleak(['-j', '1', '--no-progress', '--baseline', '../phpleak-baseline.json', '.'], { cwd: join(proj, 'src') })).toMatchObject({ code: 0, stderr: '' });

    // A new finding in a baselined file is reported, and only it.
    const w = join(proj, 'src/Worker.php');
    writeFileSync(w, readFileSync(w, 'utf8').replace(/\n}\s*$/, "\n    public function again(): void { ini_set('memory_limit', '-1'); }\n}\n"));
    const more = phpleak(['-j', '1', '--no-progress', '-f', 'json', 'src/Worker.php'], { cwd: proj });
    expect(more.code).toBe(1);
    const found = (JSON.parse(more.stdout) as { files: { findings: { ruleId: string; line: number }[] }[] }).files.flatMap((f) => f.findings);
    const lastLine = readFileSync(w, 'utf8').split('\n').findIndex((l) => l.includes('function again')) + 1;
    expect(found.map((f) => [f.ruleId, f.line])).toEqual([['memory-limit-disabled', lastLine]]);
  });

  it('with a config file, the default baseline is found from a subfolder, and a subset run reports no stale entries', () => {
    const { proj } = demoProject();
    writeFileSync(join(proj, 'phpleak.json'), '{ "baseline": "qa/phpleak-baseline.json" }\n');
    expect(phpleak(['-j', '1', '--no-progress', '--generate-baseline'], { cwd: proj }).code).toBe(0);
    insertLinesAtTop(proj, 2);
    // cwd src/: the config is found upward; only src/ is linted, bin/'s entries are not judged.
    expect(phpleak(['-j', '1', '--no-progress'], { cwd: join(proj, 'src') })).toMatchObject({ code: 0, stderr: '' });
    // A fixed finding in a linted file is stale; the entries of the files not linted are not.
    const w = join(proj, 'src/Worker.php');
    writeFileSync(w, readFileSync(w, 'utf8').replace("ini_set('memory_limit', '-1');", "ini_set('memory_limit', '512M');"));
    const r = phpleak(['-j', '1', '--no-progress', 'Worker.php'], { cwd: join(proj, 'src') });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 baseline finding no longer reported (fixed)');
    expect(r.stderr).toContain("../src/Worker.php: memory-limit-disabled: `ini_set('memory_limit', '-1')` turns off PHP's memory limit");
    expect(r.stderr.match(/^ {2}\S/gm)).toHaveLength(1);
  });

  it('a version 1 baseline (long messages with line numbers) is still accepted, with a note to regenerate it', () => {
    const { proj } = demoProject();
    const json = phpleak(['-j', '1', '--no-progress', '-f', 'json'], { cwd: proj });
    const report = JSON.parse(json.stdout) as { files: { path: string; findings: { ruleId: string; line: number }[] }[] };
    const counts = new Map<string, { file: string; rule: string; message: string; count: number }>();
    for (const f of report.files) {
      for (const x of f.findings) {
        const k = `${f.path} ${x.ruleId}`;
        const e = counts.get(k);
        if (e) e.count++;
        // What phpleak 0.1 wrote: a long message naming lines.
        else counts.set(k, { file: f.path, rule: x.ruleId, message: `Something long about it; this file is a worker loop (line ${x.line}), which does not end after one request.`, count: 1 });
      }
    }
    writeFileSync(join(proj, 'phpleak-baseline.json'), JSON.stringify({ version: 1, entries: [...counts.values()] }, null, 2));
    insertLinesAtTop(proj, 1);
    const r = phpleak(['-j', '1', '--no-progress'], { cwd: proj });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no problems');
    expect(r.stderr).toBe('phpleak: phpleak-baseline.json was written by phpleak 0.1 (baseline version 1): its entries are matched by file and rule only; regenerate it with phpleak --generate-baseline to match each finding by its message and code\n');
    // Regenerated: version 2, and the note is gone.
    expect(phpleak(['-j', '1', '--no-progress', '--generate-baseline'], { cwd: proj }).code).toBe(0);
    expect(phpleak(['-j', '1', '--no-progress'], { cwd: proj })).toMatchObject({ code: 0, stderr: '' });
  });

  it('an unknown baseline version is a clear error', () => {
    const { proj } = demoProject();
    writeFileSync(join(proj, 'phpleak-baseline.json'), '{ "version": 7, "entries": [] }');
    const r = phpleak(['-j', '1', '--no-progress'], { cwd: proj });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`phpleak: ${join(proj, 'phpleak-baseline.json')}: version 7 is not supported (expected 2); regenerate it with --generate-baseline\n`);
    expect(dirname(proj)).not.toBe(proj);
  });
});
