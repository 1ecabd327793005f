import { beforeEach, describe, expect, it } from 'vitest';
import { forgetParses, keptParse, splicedParses } from '../../engine/incremental-cache.js';
import { lintTextDetailed, type LintResult } from '../../engine/lint.js';
import { rules } from '../../rules/index.js';

// While the user types, a keystroke that breaks the syntax of the member it lands in (the first
// `/` of `//`) is answered "deferred" when the request allows it (`deferBroken`): no full parse,
// the kept tree untouched, so the next keystroke that repairs the member splices as if the
// broken text never came. The language server analyses a deferred text in full only after a
// pause (server/scheduler.ts). The property test (test/engine/incremental.test.ts) runs the
// random edits this way too.

const settings = rules.map((rule) => ({ rule }));
const PATH = 'src/Worker.php';
const BASE = `<?php
class Worker
{
    public function first(): void
    {
    }

    public function a(): void
    {
        $x = 1;
    }

    public function b(): void
    {
        gc_disable();
    }
}
`;

const lint = (text: string, opts: { incremental?: string; deferBroken?: boolean } = {}): LintResult =>
  lintTextDetailed({ path: PATH, text, rules: settings, summary: true, ...opts });

beforeEach(() => forgetParses());

describe('deferring a text whose edited member no longer parses', () => {
  it('answers deferred with the time of the last full analysis, keeps the tree, and the repairing keystroke splices', () => {
    lint(BASE, { incremental: 'doc' });
    const kept = keptParse('doc');
    const broken = BASE.replace('$x = 1;', '$x = 1; /');
    const r = lint(broken, { incremental: 'doc', deferBroken: true });
    expect(r.findings).toEqual([]);
    expect(r.summary).toBeUndefined();
    expect(r.deferred?.fullMs).toBeGreaterThan(0);
    expect(keptParse('doc')).toBe(kept);

    // Asked again without deferral (the pause, or a request that needs it): the full analysis.
    const full = lint(broken, { incremental: 'doc' });
    expect(full).toEqual(lint(broken));
    expect(full.findings.map((f) => [f.ruleId, f.message, f.range.start, f.range.end])).toEqual([
      ['parse-error', 'syntax error, unexpected token "/"', { line: 10, column: 16, offset: 120 }, { line: 10, column: 17, offset: 121 }],
      ['gc-disabled', 'gc_disable() turns off the cycle collector and nothing in this function turns it back on', { line: 15, column: 8, offset: 173 }, { line: 15, column: 20, offset: 185 }],
    ]);

    const before = splicedParses();
    const repaired = BASE.replace('$x = 1;', '$x = 1; //');
    const again = lint(repaired, { incremental: 'doc', deferBroken: true });
    expect(again.deferred).toBeUndefined();
    expect(splicedParses()).toBe(before + 1);
    expect(again).toEqual(lint(repaired));
  });

  it('also defers a broken first member and a member half-typed after the last one, which are never spliced', () => {
    lint(BASE, { incremental: 'doc' });
    const inFirst = BASE.replace('    public function first(): void\n    {\n', '    public function first(): void\n    {\n        $y = \n');
    expect(lint(inFirst, { incremental: 'doc', deferBroken: true }).deferred).toBeDefined();
    const atEnd = BASE.replace('        gc_disable();\n    }\n', '        gc_disable();\n    }\n\n    public func\n');
    expect(lint(atEnd, { incremental: 'doc', deferBroken: true }).deferred).toBeDefined();
    // Completed, the new member parses: analysed at once.
    const completed = BASE.replace('        gc_disable();\n    }\n', '        gc_disable();\n    }\n\n    public function c(): void {}\n');
    expect(lint(completed, { incremental: 'doc', deferBroken: true })).toEqual(lint(completed));
  });

  it('does not take an interface method, which stops before its `;`, for a broken one', () => {
    const iface = '<?php\ninterface Store\n{\n    public function get(string $key): mixed;\n\n    public function set(string $key, mixed $value): void;\n}\n';
    lint(iface, { incremental: 'doc' });
    for (const edited of [iface.replace('get(string', 'get( string'), iface.replace('set(string', 'set( string')]) {
      const r = lint(edited, { incremental: 'doc', deferBroken: true });
      expect(r.deferred).toBeUndefined();
      expect(r).toEqual(lint(edited));
    }
  });

  it('analyses at once a clean edit, a broken edit across two members, and a first text', () => {
    expect(lint(BASE, { incremental: 'doc', deferBroken: true })).toEqual(lint(BASE));
    const clean = BASE.replace('$x = 1;', '$x = 12;');
    expect(lint(clean, { incremental: 'doc', deferBroken: true })).toEqual(lint(clean));
    // The end of a() and the head of b() deleted: no one member holds the edit.
    const across = BASE.replace('    }\n\n    public function b(): void\n', '');
    const r = lint(across, { incremental: 'doc', deferBroken: true });
    expect(r.deferred).toBeUndefined();
    expect(r).toEqual(lint(across));
    expect(r.findings.map((f) => f.ruleId)).toContain('parse-error');
    forgetParses();
    const first = BASE.replace('$x = 1;', '$x = 1; /');
    const opened = lint(first, { incremental: 'doc', deferBroken: true });
    expect(opened.deferred).toBeUndefined();
    expect(opened).toEqual(lint(first));
  });
});
