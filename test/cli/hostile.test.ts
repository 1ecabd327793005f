import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, phpleak } from './helpers.js';

// The CLI on trees with hostile files, run as users run it (`node dist/cli/main.js`): every file
// is reported or said to be skipped, the run ends, and one odd file never stops the others.

interface JsonFinding { ruleId: string; severity: string; line: number; column: number; message: string }
interface JsonReport { summary: { files: number }; files: { path: string; findings: JsonFinding[] }[] }
const json = (stdout: string): JsonReport => JSON.parse(stdout) as JsonReport;
const byFile = (r: JsonReport): Record<string, string[]> =>
  Object.fromEntries(r.files.map((f) => [f.path, f.findings.map((x) => `${x.ruleId} ${x.line}:${x.column}`)]));

/** A function whose gc_disable() gets a multi-line try/finally fix. */
const FIXABLE = ['<?php', 'function f(array $rows): array', '{', '    gc_disable();', '    $out = [];', '    foreach ($rows as $r) {', '        $out[] = $r;', '    }', '    return $out;', '}', ''];
/** gc_disable() on line 4, column 9 (1-based), after a line with characters outside the BMP. */
const placed = (eol: string): string => ['<?php', '$s = "ünï 😀 名前";', '', '$x = 1; gc_disable();', ''].join(eol);

describe('size limit', () => {
  it('a 10 MB file is one info finding "skipped: larger than 4 MB"; maxFileSize in phpleak.json moves the limit', () => {
    const p = makeProject({ 'big.php': `<?php\n${'$a = 1;\n'.repeat(1_300_000)}gc_disable();\n`, 'mid.php': `<?php\n${'$a = 1;\n'.repeat(75_000)}gc_disable();\n` });
    const r = phpleak(['-j', '2', '-f', 'json'], { cwd: p });
    expect(r.code).toBe(0); // info findings only
    const files = json(r.stdout).files;
    expect(files.find((f) => f.path === 'big.php')!.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([['file-skipped', 'info', 'skipped: larger than 4 MB (set "maxFileSize" in phpleak.json to analyse it)']]);
    expect(files.find((f) => f.path === 'mid.php')!.findings.map((f) => f.ruleId)).toEqual(['gc-disabled']);
    writeFileSync(join(p, 'phpleak.json'), JSON.stringify({ maxFileSize: 0.5 }));
    const small = json(phpleak(['-j', '2', '-f', 'json'], { cwd: p }).stdout);
    expect(small.files.map((f) => [f.path, f.findings.map((x) => x.message)])).toEqual([
      ['big.php', ['skipped: larger than 0.5 MB (set "maxFileSize" in phpleak.json to analyse it)']],
      ['mid.php', ['skipped: larger than 0.5 MB (set "maxFileSize" in phpleak.json to analyse it)']],
    ]);
  });
});

describe('line endings in every format', () => {
  const all = (re: RegExp, o: string): [number, number][] => [...o.matchAll(re)].map((m) => [Number(m[1]), Number(m[2])]);
  const formats: [string, (out: string) => [number, number][]][] = [
    ['stylish', (o) => all(/^\S+:(\d+):(\d+)\s+\w+\s+gc_disable/gm, o)],
    ['json', (o) => json(o).files.flatMap((f) => f.findings.map((x): [number, number] => [x.line, x.column]))],
    ['sarif', (o) => (JSON.parse(o) as { runs: { results: { locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[] }[] }[] }).runs[0]!.results.map((r): [number, number] => [r.locations[0]!.physicalLocation.region.startLine, r.locations[0]!.physicalLocation.region.startColumn])],
    ['checkstyle', (o) => all(/<error line="(\d+)" column="(\d+)"/g, o)],
    ['junit', (o) => all(/\.php:(\d+):(\d+):/g, o)],
    ['github', (o) => all(/line=(\d+),col=(\d+)/g, o)],
    ['gitlab', (o) => (JSON.parse(o) as { location: { positions: { begin: { line: number; column: number } } } }[]).map((e): [number, number] => [e.location.positions.begin.line, e.location.positions.begin.column])],
  ];
  it('CRLF, lone CR and LF: the finding is on line 4, column 9 in every format', () => {
    const p = makeProject({ 'crlf.php': placed('\r\n'), 'cr.php': placed('\r'), 'lf.php': placed('\n') });
    for (const [format, where] of formats) {
      // gc-disabled is info: --include-info, or junit, github and gitlab leave it out.
      const r = phpleak(['-j', '2', '-f', format, '--include-info'], { cwd: p });
      expect(r.stderr, format).toBe('');
      expect(where(r.stdout), format).toEqual([[4, 9], [4, 9], [4, 9]]);
    }
  });

  it('--fix keeps CRLF, lone-CR and LF line endings and a BOM; a file that is not UTF-8 is not rewritten', () => {
    const latin1 = Buffer.concat([Buffer.from('<?php\n// caf'), Buffer.from([0xe9]), Buffer.from(`\n${FIXABLE.slice(1).join('\n')}`)]);
    const p = makeProject({ 'crlf.php': FIXABLE.join('\r\n'), 'cr.php': FIXABLE.join('\r'), 'lf.php': FIXABLE.join('\n'), 'bom.php': `\uFEFF${FIXABLE.join('\r\n')}` });
    writeFileSync(join(p, 'latin1.php'), latin1);
    const r = phpleak(['-j', '2', '--fix', '--fix-unsafe'], { cwd: p }); // the gc-disabled fix is unsafe
    expect(r.stderr).toContain('not fixed (not UTF-8, would be corrupted): latin1.php');
    for (const [file, eol] of [['crlf.php', '\r\n'], ['cr.php', '\r'], ['lf.php', '\n'], ['bom.php', '\r\n']] as const) {
      const fixed = readFileSync(join(p, file), 'utf8');
      expect(fixed, file).toContain('} finally {');
      expect(fixed.split(eol).join(''), file).not.toMatch(/[\r\n]/);
    }
    expect(readFileSync(join(p, 'bom.php'), 'utf8').startsWith('\uFEFF<?php\r\n')).toBe(true);
    expect(readFileSync(join(p, 'latin1.php')).equals(latin1)).toBe(true);
  });
});

describe('odd content', () => {
  it('NUL bytes, binary content, templates, a lone `?>`, a 5,000-term concatenation: each reported, none stops the run', () => {
    let seed = 7;
    const binary = Buffer.from(Array.from({ length: 64 * 1024 }, () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; }));
    const concat = `<?php\n$x = "a"${Array.from({ length: 5000 }, (_, i) => ` . $v${i}`).join('')};\ngc_disable();\n`;
    const p = makeProject({
      'nul.php': '<?php\n$a = 1;\u0000\ngc_disable();\n',
      'nul-in-string.php': '<?php\n$a = "\u0000";\ngc_disable();\n',
      'template.php': '<body><?php gc_disable(); ?><p>?></p>\n<?php // ends here ?> gc_disable(); is text\n',
      'close-only.php': '?>',
      'empty.php': '',
      'concat.php': concat,
    });
    writeFileSync(join(p, 'binary.php'), binary);
    writeFileSync(join(p, 'binary-code.php'), Buffer.concat([Buffer.from('<?php '), binary]));
    const t0 = Date.now();
    const r = phpleak(['-j', '2', '-f', 'json'], { cwd: p });
    const ms = Date.now() - t0;
    expect(r.code).toBe(1);
    const files = byFile(json(r.stdout));
    expect(json(r.stdout).summary.files).toBe(8);
    expect(files['nul.php']).toEqual(['parse-error 2:8']);
    expect(files['nul-in-string.php']).toEqual(['gc-disabled 3:1']);
    expect(files['template.php']).toEqual(['gc-disabled 1:13']);
    expect(files['close-only.php']).toBeUndefined();
    expect(files['empty.php']).toBeUndefined();
    expect(files['concat.php']).toEqual(['gc-disabled 3:1']);
    expect(files['binary-code.php']![0]).toMatch(/^parse-error /);
    expect(r.stdout).not.toContain('internal-error');
    expect(r.stdout).not.toContain('\u0000');
    // measured: ~5 s with --jobs 2 on a loaded 2-core machine, most of it the concatenation
    expect(ms).toBeLessThan(45_000);
  });
});

describe('the file system', () => {
  it('symlink loops do not hang and nothing is linted twice; links that cannot be followed are said', () => {
    const p = makeProject({ 'src/a.php': '<?php\ngc_disable();\n', 'src/sub/b.php': '<?php\ngc_disable();\n' });
    symlinkSync('.', join(p, 'src', 'self'));
    symlinkSync('..', join(p, 'src', 'sub', 'up'));
    symlinkSync('y.php', join(p, 'src', 'x.php'));
    symlinkSync('x.php', join(p, 'src', 'y.php'));
    const r = phpleak(['-j', '2', '-f', 'json'], { cwd: p });
    expect(Object.keys(byFile(json(r.stdout))).sort()).toEqual(['src/a.php', 'src/sub/b.php']);
    expect(json(r.stdout).summary.files).toBe(2);
    expect(r.stderr).toMatch(/src\/x\.php: a broken symbolic link \(ELOOP\); not linted/);
    expect(r.stderr).toMatch(/src\/y\.php: a broken symbolic link \(ELOOP\); not linted/);
  });

  it('unreadable files, dangling links and FIFOs named .php are reported, and the other files go on', () => {
    const p = makeProject({ 'ok.php': '<?php\ngc_disable();\n', 'locked.php': '<?php\ngc_disable();\n' });
    symlinkSync(join(p, 'gone.php.orig'), join(p, 'gone.php'));
    const fifo = spawnSync('mkfifo', [join(p, 'pipe.php')]);
    // As root (CI containers) chmod 000 does not stop a read: a link to /proc/self/mem does
    // (reading its first page fails with EIO).
    const root = process.getuid?.() === 0;
    chmodSync(join(p, 'locked.php'), 0o000);
    if (root && existsSync('/proc/self/mem')) symlinkSync('/proc/self/mem', join(p, 'mem.php'));
    const r = phpleak(['-j', '2', '-f', 'json'], { cwd: p });
    chmodSync(join(p, 'locked.php'), 0o644);
    expect(r.code).toBe(1);
    const files = byFile(json(r.stdout));
    expect(files['ok.php']).toEqual(['gc-disabled 2:1']);
    const unreadable = json(r.stdout).files.flatMap((f) => f.findings.filter((x) => x.ruleId === 'file-skipped').map((x) => [f.path, x.severity, x.message]));
    if (!root) expect(unreadable).toContainEqual(['locked.php', 'warning', 'could not be read (EACCES); it was not analysed']);
    if (root && existsSync('/proc/self/mem')) expect(unreadable).toContainEqual(['mem.php', 'warning', 'could not be read (EIO); it was not analysed']);
    expect(unreadable.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/gone\.php: a broken symbolic link \(ENOENT\); not linted/);
    if (fifo.status === 0) expect(r.stderr).toMatch(/pipe\.php: not a regular file; not linted/);
  });

  it('a FIFO named on the command line is not read (no hang)', () => {
    const p = makeProject({ 'ok.php': '<?php\n' });
    mkdirSync(join(p, 'd'));
    if (spawnSync('mkfifo', [join(p, 'd', 'pipe.php')]).status !== 0) return;
    const r = phpleak(['-j', '1', 'd/pipe.php', 'ok.php'], { cwd: p });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/pipe\.php: not a regular file; not linted/);
  });
});
