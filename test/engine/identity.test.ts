import { describe, expect, it } from 'vitest';
import { BaselineMatcher, createBaseline, parseBaseline, serializeBaseline } from '../../engine/baseline.js';
import { codeHash, fingerprints, identityOf, normalisedCode } from '../../engine/identity.js';
import { lintText } from '../../engine/lint.js';
import { ruleById } from '../helpers/lint.js';

// The finding identity (engine/identity.ts): rule, project-relative file, line-free message,
// normalised code; and the baseline's matching passes built on it.

const rule = ruleById.get('memory-limit-disabled')!;
const lint = (text: string) => lintText({ path: 'a.php', text, rules: [{ rule }] });

const A = "<?php\nini_set('memory_limit', '-1');\nfunction f() {\n    ini_set('memory_limit', -1);\n}\n";
const MOVED = "<?php\n// one\n// two\n\n  ini_set( 'memory_limit',\n     '-1' );\nfunction f()\n{\n\tini_set('memory_limit', -1);\n}\n";

describe('finding identity', () => {
  it('normalised code: the finding text without whitespace, at most 240 characters', () => {
    const [f] = lint(A);
    expect(normalisedCode(A, f!)).toBe("ini_set('memory_limit','-1')");
    const long = `<?php\n$a = [${'1, '.repeat(200)}];\n`;
    const at = (offset: number) => ({ line: 1, column: 0, offset });
    expect(normalisedCode(long, { range: { start: at(6), end: at(long.length) } })).toBe(`$a=[${'1,'.repeat(118)}`);
    expect(normalisedCode(undefined, f!)).toBe('');
  });
  it('survives inserted lines, re-indentation and re-wrapping; changes with the code', () => {
    const before = lint(A);
    const after = lint(MOVED);
    expect(after.map((f) => f.range.start.line)).not.toEqual(before.map((f) => f.range.start.line));
    expect(fingerprints('src/a.php', MOVED, after)).toEqual(fingerprints('src/a.php', A, before));
    expect(identityOf('src/a.php', after[0]!, MOVED)).toEqual({ rule: 'memory-limit-disabled', file: 'src/a.php', message: before[0]!.message, code: codeHash("ini_set('memory_limit','-1')") });
    const edited = A.replace("'-1'", "'-1' /* on purpose */");
    expect(fingerprints('src/a.php', edited, lint(edited))[0]).not.toBe(fingerprints('src/a.php', A, before)[0]);
    expect(fingerprints('lib/a.php', A, before)[0]).not.toBe(fingerprints('src/a.php', A, before)[0]);
  });
  it('identical findings on identical code get distinct fingerprints', () => {
    const text = "<?php\nini_set('memory_limit', '-1');\nini_set('memory_limit', '-1');\n";
    const p = fingerprints('a.php', text, lint(text));
    expect(p).toHaveLength(2);
    expect(new Set(p).size).toBe(2);
  });
});

describe('baseline matching by identity', () => {
  it('the finding on new code is the one reported when a file gains one more', () => {
    const one = "<?php\nini_set('memory_limit', '-1');\n";
    const b = createBaseline([{ file: 'a.php', findings: lint(one), text: one }]);
    expect(b.version).toBe(2);
    expect(parseBaseline(serializeBaseline(b), 'x')).toEqual(b);
    // The new one comes first in the file: position alone would accept it.
    const two = "<?php\n\\ini_set('memory_limit', '-1');\nini_set('memory_limit', '-1');\n";
    const found = lint(two);
    expect(found[0]!.message).toBe(found[1]!.message);
    const m = new BaselineMatcher(b);
    const r = m.filter('a.php', found, two);
    expect(r.suppressed).toBe(1);
    expect(r.kept.map((f) => f.range.start.line)).toEqual([2]);
    expect(m.stale(() => true)).toEqual([]);
  });
  it('an edited line at a finding still matches on rule and message', () => {
    const one = "<?php\nini_set('memory_limit', '-1');\n";
    const b = createBaseline([{ file: 'a.php', findings: lint(one), text: one }]);
    const edited = "<?php\nini_set('memory_limit', '-1'); // TODO\n\\ini_set('memory_limit', '-1');\n";
    const r = new BaselineMatcher(b).filter('a.php', lint(edited), edited);
    expect(r.suppressed).toBe(1);
    expect(r.kept).toHaveLength(1);
  });
  it('version 1 entries match by file and rule up to their count', () => {
    const v1 = parseBaseline(JSON.stringify({ version: 1, entries: [{ file: 'a.php', rule: 'memory-limit-disabled', message: 'an old long message (line 2)', count: 1 }] }), 'x');
    const m = new BaselineMatcher(v1);
    expect(m.legacy).toBe(true);
    const two = "<?php\nini_set('memory_limit', '-1');\nini_set('memory_limit', \"-1\");\n";
    expect(m.filter('a.php', lint(two), two).kept.map((f) => f.range.start.line)).toEqual([3]);
    expect(() => parseBaseline('{"version":3,"entries":[]}', 'b.json')).toThrow('version 3 is not supported (expected 2); regenerate it with --generate-baseline');
  });
});
