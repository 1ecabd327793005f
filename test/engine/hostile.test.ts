import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LintPool } from '../../dist/engine/pool.js';
import { fixUntilStable } from '../../engine/fixes.js';
import { lintText } from '../../engine/lint.js';
import type { Finding } from '../../engine/types.js';
import { checkFindings } from '../../fuzz/properties.js';
import { rules } from '../../rules/index.js';

// Files nobody means to write but every large tree holds: sizes, encodings, line endings, NUL
// bytes, binary files named .php, templates, pathological expressions. The engine must analyse
// them right or say why not, never throw, never hang, and keep every range inside the text.

const all = rules.map((rule) => ({ rule }));
const lint = (text: string, extra: { maxFileBytes?: number } = {}): Finding[] => lintText({ path: 'hostile.php', text, rules: all, ...extra });
const at = (fs: Finding[]) => fs.map((f) => `${f.ruleId} ${f.range.start.line}:${f.range.start.column}`);
const fix = (text: string): string => fixUntilStable(text, (t) => lint(t), { allowUnsafe: true }).text;

const registry = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'rules', 'index.js')).href;
const pools: LintPool[] = [];
const poolOf = (timeoutMs: number): LintPool => {
  const p = new LintPool({ registry, size: 1, timeoutMs });
  pools.push(p);
  return p;
};
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });
const ruleJobs = rules.map((r) => ({ id: r.meta.id }));

/** A function whose gc_disable() gets a multi-line try/finally fix. */
const FIXABLE = ['<?php', 'function f(array $rows): array', '{', '    gc_disable();', '    $out = [];', '    foreach ($rows as $r) {', '        $out[] = $r;', '    }', '    return $out;', '}', ''];

describe('file size', () => {
  it('a 10 MB file gets one info finding instead of an analysis (default limit 4 MB)', () => {
    const text = `<?php\n${'$a = 1;\n'.repeat(1_300_000)}`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const t0 = Date.now();
    const fs = lint(text);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ ruleId: 'file-skipped', severity: 'info', message: 'skipped: larger than 4 MB (set "maxFileSize" in phpleak.json to analyse it)', range: { start: { line: 1, column: 0, offset: 0 } } });
  });

  it('the limit is configurable and counts UTF-8 bytes, not characters', () => {
    const text = `<?php\n// ${'é'.repeat(300_000)}\ngc_disable();\n`; // 600 KB of UTF-8 in 300,000 characters
    expect(at(lint(text, { maxFileBytes: 1024 * 1024 }))).toEqual(['gc-disabled 3:0']);
    expect(lint(text, { maxFileBytes: 512 * 1024 }).map((f) => f.message)).toEqual(['skipped: larger than 0.5 MB (set "maxFileSize" in phpleak.json to analyse it)']);
  });
});

describe('encodings and line endings', () => {
  it('invalid UTF-8 (decoded with replacement characters) is analysed, with ranges inside the text', () => {
    const text = Buffer.from([...Buffer.from('<?php\n$a = "'), 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, ...Buffer.from('";\n    gc_disable();\n')]).toString('utf8');
    const fs = lint(text);
    expect(at(fs)).toEqual(['gc-disabled 3:4']);
    expect(checkFindings(text, fs)).toEqual([]);
  });

  it('a UTF-8 BOM: positions count it as one character of line 1, and fixes keep it', () => {
    const text = `\uFEFF${FIXABLE.join('\n')}`;
    expect(at(lint(text))).toEqual(['gc-disabled 4:4']);
    const fixed = fix(text);
    expect(fixed).toContain('finally');
    expect(fixed.startsWith('\uFEFF<?php\n')).toBe(true);
  });

  it.each([['CRLF', '\r\n'], ['lone CR', '\r'], ['LF', '\n']])('%s line endings: lines and columns right, and a fix keeps the line endings', (_, eol) => {
    // (a comment right above gc_disable() would be read as the reason for it: keep one line between)
    const text = ['<?php', '$s = "ünïcödé 😀";', '', '$x = 1; gc_disable();', ''].join(eol);
    const fs = lint(text);
    expect(at(fs)).toEqual(['gc-disabled 4:8']);
    expect(checkFindings(text, fs)).toEqual([]);
    const fixed = fix(FIXABLE.join(eol));
    expect(fixed).toContain('} finally {');
    expect(fixed.split(eol).join('')).not.toMatch(/[\r\n]/);
    expect(fixed.split(eol).length).toBeGreaterThan(FIXABLE.length);
  });
});

describe('NUL bytes and binary content', () => {
  it('a NUL byte in code is a parse-error at the byte, named as PHP names it', () => {
    const fs = lint('<?php\n$a = 1;\u0000\ngc_disable();\n');
    expect(fs.map((f) => [f.ruleId, f.message, f.range.start.line, f.range.start.column, f.range.end.column])).toEqual([['parse-error', 'syntax error, unexpected character 0x00', 2, 7, 8]]);
  });

  it('NUL bytes inside strings, comments and inline HTML are fine', () => {
    const text = '\u0000html\u0000<?php\n$a = "\u0000\u0000"; // \u0000\n/* \u0000 */ gc_disable();\n';
    const fs = lint(text);
    expect(at(fs)).toEqual(['gc-disabled 3:8']);
    expect(checkFindings(text, fs)).toEqual([]);
  });

  it('binary content named .php never throws and keeps ranges inside the text (through the pool: any hang is bounded)', async () => {
    let seed = 42;
    const byte = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; };
    const pool = poolOf(5000);
    for (let i = 0; i < 12; i++) {
      const bytes = Buffer.from(Array.from({ length: 4096 * (i + 1) }, byte));
      // half of them open PHP mode first, so the lexer sees the bytes as code
      const text = (i % 2 === 0 ? '<?php ' : '') + bytes.toString(i % 4 < 2 ? 'utf8' : 'latin1');
      const fs = await pool.lint({ path: `bin${i}.php`, text, rules: ruleJobs });
      expect(checkFindings(text, fs), `sample ${i}`).toEqual([]);
      if (i % 2 === 0) expect(fs.map((f) => f.ruleId), `sample ${i}`).toContain('parse-error');
    }
  });
});

describe('templates: HTML with PHP islands', () => {
  it('finds code in each island with columns on the HTML lines, and `?>` ends PHP mode where PHP ends it', () => {
    const text = [
      '<!doctype html>',
      '<body><?php gc_disable(); ?><p>a ?> b</p>',
      '<?= $title ?> <?php $s = "?>"; ?>',
      "  <?php ini_set('memory_limit', '-1') ?>",
      '<?php // a line comment ends at ?> gc_disable(); is HTML here',
      '</body>',
    ].join('\n');
    const fs = lint(text);
    expect(at(fs)).toEqual(['gc-disabled 2:12', 'memory-limit-disabled 4:8']);
    expect(checkFindings(text, fs)).toEqual([]);
  });

  it.each([['?>'], [''], ['<?php'], ['<?php ?>'], ['?>?>?>'], ['<?php ?><?php ?>'], ['<?= ?>']])('%j alone: no crash, no false finding', (text) => {
    const fs = lint(text);
    expect(fs.filter((f) => f.ruleId !== 'parse-error')).toEqual([]);
    expect(checkFindings(text, fs)).toEqual([]);
  });

  it('a file that is only `?>` is clean (PHP prints it as HTML)', () => {
    expect(lint('?>')).toEqual([]);
  });
});

describe('pathological expressions', () => {
  const concat = (n: number): string => `<?php\n$x = "a"${Array.from({ length: n }, (_, i) => ` . $v${i}`).join('')};\ngc_disable();\n`;

  // The 5,000-term case is run end to end by test/cli/hostile.test.ts (about 3 s on one core).

  it('a 50,000-term concatenation ends at the time bound with a parse-error, and the next file is analysed', async () => {
    const pool = poolOf(1000);
    const t0 = Date.now();
    const fs = await pool.lint({ path: 'concat.php', text: concat(50_000), rules: ruleJobs });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(fs.map((f) => f.ruleId)).toEqual(['parse-error']);
    expect(fs[0]!.message).toMatch(/did not finish within 1 s/);
    expect(at(await pool.lint({ path: 'next.php', text: '<?php\ngc_disable();\n', rules: ruleJobs }))).toEqual(['gc-disabled 2:0']);
  });
});
