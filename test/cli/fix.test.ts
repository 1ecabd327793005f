import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak, PHP, read } from './helpers.js';

// The fixes used here: unused-ignore (an engine fix, safe) and gc-disabled (safe when a
// gc_enable() follows, unsafe when it wraps the rest of the function).

const UNSAFE_ONLY = '<?php\n\nfunction work(): void\n{\n    gc_disable();\n    doWork();\n}\n';

describe('--fix', () => {
  it('applies safe fixes, re-lints, reports what remains and a summary', () => {
    const p = makeProject({ 'a.php': PHP.unusedIgnore, 'b.php': PHP.syntaxError + '// phpleak-ignore-line memory-limit-disabled\n', 'c.php': UNSAFE_ONLY });
    const before = read(p, 'b.php');
    const r = phpleak(['-j', '1', '--fix'], { cwd: p });
    expect(read(p, 'a.php')).toBe('<?php\n\n$x = 1;\necho $x;\n');
    // A file that does not parse is never touched; an unsafe fix needs --fix-unsafe.
    expect(read(p, 'b.php')).toBe(before);
    expect(read(p, 'c.php')).toBe(UNSAFE_ONLY);
    expect(r.stderr).toContain('phpleak: applied 1 fix in 1 file (unused-ignore ×1)');
    expect(r.stdout).not.toContain('a.php');
    expect(r.stdout).toContain('b.php');
    expect(r.code).toBe(1);
  });

  it('--fix-unsafe also applies unsafe fixes, and the result parses', () => {
    const p = makeProject({ 'c.php': UNSAFE_ONLY });
    const r = phpleak(['-j', '1', '--fix', '--fix-unsafe'], { cwd: p });
    const after = read(p, 'c.php');
    expect(after).not.toBe(UNSAFE_ONLY);
    expect(after).toContain('finally');
    expect(r.stderr).toContain('gc-disabled ×1');
    expect(phpleak(['-j', '1', '-f', 'json', '--rule', 'gc-disabled=error', '--fail-on', 'error'], { cwd: p }).code).toBe(0);
  });

  it('--fix-dry-run prints a unified diff that git apply accepts, and changes nothing', () => {
    const p = makeProject({ 'src/a b.php': PHP.unusedIgnore, 'c.php': PHP.clean });
    const r = phpleak(['-j', '1', '--fix-dry-run'], { cwd: p });
    expect(r.stdout).toBe('--- a/src/a b.php\n+++ b/src/a b.php\n@@ -1,4 +1,4 @@\n <?php\n \n-$x = 1; // phpleak-ignore-line memory-limit-disabled\n+$x = 1;\n echo $x;\n');
    expect(read(p, 'src/a b.php')).toBe(PHP.unusedIgnore);
    expect(r.stderr).toContain('would apply 1 fix');
    writeFileSync(join(p, 'fix.diff'), r.stdout);
    const apply = spawnSync('git', ['apply', '--check', '--unidiff-zero', 'fix.diff'], { cwd: p, encoding: 'utf8' });
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
  });

  it('--stdin --fix prints the fixed source', () => {
    const p = makeProject({});
    const r = phpleak(['--stdin', '--fix'], { cwd: p, input: PHP.unusedIgnore });
    expect(r.stdout).toBe('<?php\n\n$x = 1;\necho $x;\n');
    expect(r.code).toBe(0);
    const clean = phpleak(['--stdin', '--fix'], { cwd: p, input: PHP.clean });
    expect(clean.stdout).toBe(PHP.clean);
  });

  it('keeps CRLF line endings and never rewrites a file that is not UTF-8', () => {
    const crlf = PHP.unusedIgnore.replace(/\n/g, '\r\n');
    const latin1 = Buffer.concat([Buffer.from("<?php\n$s = '"), Buffer.from([0xe9]), Buffer.from("'; // phpleak-ignore-line memory-limit-disabled\n")]);
    const p = makeProject({ 'crlf.php': crlf });
    writeFileSync(join(p, 'latin1.php'), latin1);
    const r = phpleak(['-j', '1', '--fix'], { cwd: p });
    expect(read(p, 'crlf.php')).toBe('<?php\r\n\r\n$x = 1;\r\necho $x;\r\n');
    expect(readFileSync(join(p, 'latin1.php')).equals(latin1)).toBe(true);
    expect(r.stderr).toContain('not fixed (not UTF-8, would be corrupted): latin1.php');
  });
});

describe('--stdin --fix on a file that is not linted', () => {
  it('prints the input unchanged (an editor replaces its buffer with the output)', () => {
    const p = makeProject({ 'phpleak.json': JSON.stringify({ exclude: ['gen/**'] }) });
    const r = phpleak(['--stdin', '--fix', '--stdin-filename', 'gen/x.php'], { cwd: p, input: PHP.unusedIgnore });
    expect(r.stdout).toBe(PHP.unusedIgnore);
    expect(r.code).toBe(0);
  });
});
