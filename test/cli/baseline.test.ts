import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, PHP, read, ruleCounts } from './helpers.js';

const TWO = "<?php\n\nini_set('memory_limit', '-1');\nini_set('memory_limit', '-1');\n";

describe('baseline', () => {
  it('generate, then accepted; survives a line move; a new finding fails; fixed ones are stale', () => {
    // A warning everywhere (by default it is one only in long-running code), so a new one fails.
    const config = JSON.stringify({ rules: { 'memory-limit-disabled': 'warning' } });
    const p = makeProject({ 'phpleak.json': config, 'src/a.php': TWO, 'src/b.php': PHP.memoryLimit, 'src/ok.php': PHP.clean });
    const g = phpleak(['-j', '1', '--generate-baseline'], { cwd: p });
    expect(g.code).toBe(0);
    expect(g.stdout).toBe('');
    expect(g.stderr).toContain('phpleak-baseline.json with 2 entries (3 findings accepted)');
    const b = JSON.parse(read(p, 'phpleak-baseline.json'));
    expect(b.entries).toEqual([
      { file: 'src/a.php', rule: 'memory-limit-disabled', message: "`ini_set('memory_limit', '-1')` turns off PHP's memory limit: a leak grows until the machine runs out", code: expect.stringMatching(/^[0-9a-f]{16}$/), count: 2 },
      { file: 'src/b.php', rule: 'memory-limit-disabled', message: expect.any(String), code: expect.any(String), count: 1 },
    ]);
    expect(phpleak(['-j', '1'], { cwd: p })).toMatchObject({ code: 0, stderr: '' });

    // Lines move: still accepted (matched by file, rule, message and count, not line).
    writeFileSync(join(p, 'src/a.php'), "<?php\n\n// moved\n\nfunction f() {}\n\nini_set('memory_limit', '-1');\n\nini_set('memory_limit', '-1');\n");
    expect(phpleak(['-j', '1'], { cwd: p })).toMatchObject({ code: 0, stderr: '' });

    // One more than accepted: exactly one is reported.
    writeFileSync(join(p, 'src/a.php'), TWO + "ini_set('memory_limit', '-1');\n");
    const more = phpleak(['-j', '1', '-f', 'json'], { cwd: p });
    expect(more.code).toBe(1);
    expect(ruleCounts(more.stdout)).toEqual({ 'memory-limit-disabled': 1 });
    expect(JSON.parse(more.stdout).baseline.suppressed).toBe(3);

    // Fixed: stale entries are reported on stderr, exit code unaffected.
    writeFileSync(join(p, 'src/a.php'), PHP.clean);
    const fixed = phpleak(['-j', '1'], { cwd: p });
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain('2 baseline findings no longer reported (fixed)');
    expect(fixed.stderr).toContain('src/a.php: memory-limit-disabled ×2');

    // --no-baseline shows everything; a run over one file judges only that file's entries.
    expect(phpleak(['-j', '1', '--no-baseline'], { cwd: p }).code).toBe(1);
    expect(phpleak(['-j', '1', 'src/b.php'], { cwd: p })).toMatchObject({ code: 0, stderr: '' });
  });

  it('--generate-baseline=<file> and --baseline <file>; a baseline works from any cwd', () => {
    const p = makeProject({ 'src/b.php': PHP.memoryLimit });
    expect(phpleak(['-j', '1', '--generate-baseline', 'ci/accepted.json'], { cwd: p }).code).toBe(0);
    expect(existsSync(join(p, 'ci/accepted.json'))).toBe(true);
    expect(JSON.parse(read(p, 'ci/accepted.json')).entries[0].file).toBe('../src/b.php');
    expect(phpleak(['-j', '1'], { cwd: p }).code).toBe(1);
    expect(phpleak(['-j', '1', '--baseline', 'ci/accepted.json'], { cwd: p }).code).toBe(0);
    expect(phpleak(['-j', '1', '--baseline', '../ci/accepted.json', 'b.php'], { cwd: join(p, 'src') }).code).toBe(0);
    // A named baseline that is missing or broken is exit 2.
    expect(phpleak(['--baseline', 'nope.json'], { cwd: p })).toMatchObject({ code: 2 });
    writeFileSync(join(p, 'phpleak-baseline.json'), '{ nope');
    const broken = phpleak([], { cwd: p });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('phpleak-baseline.json: is not valid JSON');
  });

  it('config "baseline" names the default file', () => {
    const p = makeProject({ 'phpleak.json': JSON.stringify({ baseline: 'qa/baseline.json' }), 'a.php': PHP.memoryLimit });
    phpleak(['-j', '1', '--generate-baseline'], { cwd: p });
    expect(existsSync(join(p, 'qa/baseline.json'))).toBe(true);
    expect(phpleak(['-j', '1'], { cwd: p }).code).toBe(0);
  });
});
