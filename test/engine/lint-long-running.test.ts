import { describe, expect, it } from 'vitest';
import { lintText, lintTextDetailed } from '../../engine/lint.js';
import { defineRule, type AnyRule } from '../../engine/rule.js';

// lintText resolves a finding's default severity AFTER the walk, so evidence of long-running
// code found anywhere in the file (even after the finding) raises it; ctx.longRunning is a
// getter that is final in program:exit.

const seen: { atCall: boolean[]; atExit: boolean[]; reason: (string | null)[]; isTest: boolean[] } = { atCall: [], atExit: [], reason: [], isTest: [] };

const probe = defineRule({
  meta: {
    id: 'probe', severity: 'info', longRunningSeverity: 'warning', fixable: 'never', description: 'test rule',
    messages: { m: 'echo found' },
  },
  defaultOptions: {},
  create(ctx) {
    return {
      echo(node) { seen.atCall.push(ctx.longRunning); ctx.report({ at: node, messageId: 'm' }); },
      'program:exit'() { seen.atExit.push(ctx.longRunning); seen.reason.push(ctx.longRunningReason); seen.isTest.push(ctx.isTestFile); },
    };
  },
}) as AnyRule;

const plain = defineRule({
  meta: { id: 'plain', severity: 'info', fixable: 'never', description: 'test rule without a long-running severity', messages: { m: 'echo' } },
  defaultOptions: {},
  create(ctx) { return { echo(node) { ctx.report({ at: node, messageId: 'm' }); } }; },
}) as AnyRule;

const WORKER_AFTER = '<?php\necho 1;\nwhile (true) {\n    $job = $queue->pop();\n}\n';
const SCRIPT = '<?php\necho 1;\nforeach ($rows as $r) {}\n';

function reset(): void { seen.atCall = []; seen.atExit = []; seen.reason = []; seen.isTest = []; }

describe('severity in long-running code', () => {
  it('uses the default severity in ordinary code', () => {
    reset();
    const [f] = lintText({ path: 'a.php', text: SCRIPT, rules: [{ rule: probe }] });
    expect(f!.severity).toBe('info');
    expect(seen.atExit).toEqual([false]);
    expect(seen.reason).toEqual([null]);
  });
  it('uses longRunningSeverity when the config says so', () => {
    reset();
    const [f] = lintText({ path: 'a.php', text: SCRIPT, rules: [{ rule: probe }], longRunning: true });
    expect(f!.severity).toBe('warning');
    expect(seen.atCall).toEqual([true]);
    expect(seen.reason[0]).toMatch(/phpleak\.json/);
  });
  it('uses longRunningSeverity when the worker loop comes after the finding', () => {
    reset();
    const r = lintTextDetailed({ path: 'a.php', text: WORKER_AFTER, rules: [{ rule: probe }, { rule: plain }] });
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['plain', 'info'], ['probe', 'warning']]);
    // Read during the walk, before the loop: not known yet; final at program:exit.
    expect(seen.atCall).toEqual([false]);
    expect(seen.atExit).toEqual([true]);
    expect(seen.reason).toEqual(['a worker loop around `pop()` (line 3)']);
    expect(r.longRunning).toEqual({ longRunning: true, fromConfig: false, detected: [{ kind: 'worker-loop', label: 'a worker loop around `pop()`', line: 3 }] });
  });
  it('keeps an explicit severity from config', () => {
    const [f] = lintText({ path: 'a.php', text: WORKER_AFTER, rules: [{ rule: probe, severity: 'hint' }] });
    expect(f!.severity).toBe('hint');
  });
  it('ignores the code when detection is off', () => {
    const [f] = lintText({ path: 'a.php', text: WORKER_AFTER, rules: [{ rule: probe }], detectLongRunning: false });
    expect(f!.severity).toBe('info');
  });
  it('applies to findings kept through ignore comments and sorts as before', () => {
    const text = '<?php\necho 1; // phpleak-ignore-line probe -- fine\necho 2;\npcntl_signal(SIGTERM, fn () => 1);\nwhile (true) { sleep(1); }\n';
    const fs = lintText({ path: 'a.php', text, rules: [{ rule: probe }] });
    expect(fs.map((f) => [f.ruleId, f.range.start.line, f.severity])).toEqual([['probe', 3, 'warning']]);
  });
});

describe('isTestFile', () => {
  it('defaults from the path', () => {
    reset();
    lintText({ path: 'tests/Unit/FooTest.php', text: SCRIPT, rules: [{ rule: probe }] });
    lintText({ path: 'src/Foo.php', text: SCRIPT, rules: [{ rule: probe }] });
    lintText({ path: 'src/Foo.php', text: SCRIPT, rules: [{ rule: probe }], isTestFile: true });
    expect(seen.isTest).toEqual([true, false, true]);
  });
});
