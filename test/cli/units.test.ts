import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../cli/args.js';
import { unifiedDiff } from '../../cli/diff.js';
import { escapeData, escapeProperty } from '../../cli/formatters/github.js';
import { createProgress } from '../../cli/progress.js';
import { inShard, shardOf } from '../../cli/shard.js';
import { BaselineMatcher, createBaseline, parseBaseline, serializeBaseline } from '../../engine/baseline.js';
import type { Finding } from '../../engine/types.js';

describe('argument parsing', () => {
  it('reads short, long, inline and repeated flags', () => {
    const o = parseArgs(['-f', 'sarif', '-o=out.sarif', '-j2', '--rule', 'a-b=off', '--rule=c=error', '--shard', '2/5', 'src', '--', '-weird.php']);
    expect(o).toMatchObject({ format: 'sarif', output: 'out.sarif', jobs: 2, ruleOverrides: { 'a-b': 'off', c: 'error' }, shard: { index: 2, total: 5 }, paths: ['src', '-weird.php'] });
  });
  it('takes --generate-baseline\'s optional file only as =file or a .json word', () => {
    expect(parseArgs(['--generate-baseline', 'src']).generateBaseline).toBe(true);
    expect(parseArgs(['--generate-baseline', 'src']).paths).toEqual(['src']);
    expect(parseArgs(['--generate-baseline', 'b.json']).generateBaseline).toBe('b.json');
    expect(parseArgs(['--generate-baseline=x']).generateBaseline).toBe('x');
  });
  it('subcommands and their arguments', () => {
    expect(parseArgs(['explain', 'x']).command).toBe('explain');
    expect(parseArgs(['rules', '--format', 'json']).format).toBe('json');
    expect(parseArgs(['./rules']).command).toBe('lint');
    expect(() => parseArgs(['explain'])).toThrow(UsageError);
    expect(() => parseArgs(['rules', '-f', 'sarif'])).toThrow(UsageError);
  });
  it('rejects contradictions', () => {
    for (const a of [['--stdin', 'x.php'], ['--stdin-filename', 'x'], ['--fix-unsafe'], ['--baseline', 'b', '--no-baseline'], ['--staged', '--shard', '1/2'], ['-j', '-1'], ['--output']]) {
      expect(() => parseArgs(a), a.join(' ')).toThrow(UsageError);
    }
  });
});

describe('unified diff', () => {
  const apply = (a: string, patch: string): string => {
    if (patch === '') return a;
    const src = a.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    const out: string[] = [];
    let pos = 0;
    const lines = patch.split('\n').slice(2, -1);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      const m = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(l);
      if (m) {
        const start = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1;
        while (pos < start) out.push(src[pos++]!);
        continue;
      }
      const noNl = lines[i + 1] === '\\ No newline at end of file';
      const text = l.slice(1) + (noNl ? '' : '\n');
      if (l[0] === ' ') { out.push(src[pos++]!); } else if (l[0] === '-') { pos++; } else if (l[0] === '+') { out.push(text); }
      if (noNl) i++;
    }
    while (pos < src.length) out.push(src[pos++]!);
    return out.join('');
  };
  it('applies back to the new text (property)', () => {
    const line = fc.constantFrom('a', 'b', 'c', '', '<?php', '$x = 1;');
    const text = fc.array(line, { maxLength: 30 }).chain((ls) => fc.boolean().map((nl) => ls.join('\n') + (nl && ls.length ? '\n' : '')));
    fc.assert(fc.property(text, text, (a, b) => { expect(apply(a, unifiedDiff('f', a, b))).toBe(b); }), { numRuns: 300 });
  });
  it('is empty for equal texts', () => { expect(unifiedDiff('f', 'x\n', 'x\n')).toBe(''); });
});

describe('github escaping', () => {
  it('escapes as @actions/core does', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
});

describe('shards', () => {
  it('every path lands in exactly one shard, spread evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const p = `src/Module${i}/File.php`;
      const s = shardOf(p, 4);
      expect([1, 2, 3, 4].filter((k) => inShard(p, { index: k, total: 4 }))).toEqual([s]);
      counts[s - 1]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
});

describe('progress', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, s: { isTTY, columns: 80, write: (x: string) => { out.push(x); return true; } } as unknown as NodeJS.WriteStream };
  };
  it('draws on a TTY after a while, never in CI or off a TTY', async () => {
    const tty = stream(true);
    const p = createProgress(tty.s, true, {});
    p.update(1, 10);
    expect(tty.out).toEqual([]);
    await new Promise((r) => setTimeout(r, 550));
    p.update(5, 10);
    expect(tty.out.join('')).toContain('5/10 files');
    p.done();
    expect(tty.out[tty.out.length - 1]).toBe('\r\u001b[2K');
    for (const [isTTY, env] of [[true, { CI: 'true' }], [false, {}]] as const) {
      const x = stream(isTTY);
      const q = createProgress(x.s, true, env);
      await new Promise((r) => setTimeout(r, 520));
      q.update(5, 10);
      q.done();
      expect(x.out).toEqual([]);
    }
  });
});

describe('baseline matching (engine/baseline.ts)', () => {
  const at = { line: 1, column: 0, offset: 0 };
  const f = (ruleId: string, message: string): Finding => ({ ruleId, severity: 'warning', message, range: { start: at, end: at }, related: [], fixes: [] });
  it('round-trips, counts, and reports what is left as stale', () => {
    const b = createBaseline([{ file: 'a.php', findings: [f('r', 'm'), f('r', 'm'), f('s', 'n')] }, { file: 'b.php', findings: [] }]);
    expect(parseBaseline(serializeBaseline(b), 'x')).toEqual(b);
    const m = new BaselineMatcher(b);
    const r = m.filter('a.php', [f('r', 'm'), f('r', 'm'), f('r', 'm'), f('t', 'o')]);
    expect(r.suppressed).toBe(2);
    expect(r.kept.map((x) => x.ruleId)).toEqual(['r', 't']);
    expect(m.stale(() => true)).toEqual([{ file: 'a.php', rule: 's', message: 'n', code: expect.stringMatching(/^[0-9a-f]{16}$/), count: 1 }]);
    expect(m.stale(() => false)).toEqual([]);
  });
  it('rejects malformed files with a reason', () => {
    expect(() => parseBaseline('{"entries":[{"file":1}]}', 'b.json')).toThrow(/entries\[0\]/);
    expect(() => parseBaseline('[]', 'b.json')).toThrow(/"entries"/);
  });
});
