import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { defineRule, withLongRunningNote, type AnyRule } from '../../engine/rule.js';
import { lintWith } from '../helpers/lint.js';

// meta.longRunningEffect: the engine, not each rule, says in the details why a finding's
// severity is raised in long-running code, and points at the evidence with a related location;
// the one-line message never changes (engine/rule.ts, engine/identity.ts, docs/long-running.md).

const noted = defineRule({
  meta: {
    id: 'noted', severity: 'info', longRunningSeverity: 'warning', longRunningEffect: 'it grows until the process exits',
    fixable: 'never', description: 'test rule', messages: { m: 'echo found' }, details: { m: 'An echo.' },
  },
  defaultOptions: {},
  create(ctx) { return { echo(node) { ctx.report({ at: node, messageId: 'm' }); } }; },
}) as AnyRule;

const WORKER = '<?php\necho 1;\nwhile (true) {\n    $job = $queue->pop();\n}\n';

describe('the long-running note', () => {
  it('is a sentence after the details', () => {
    expect(withLongRunningNote('It grows.', 'this file is X', 'Y')).toBe('It grows. This file is X, which does not end after one request, so Y.');
    expect(withLongRunningNote('It grows', 'w', 'e')).toBe('It grows. W, which does not end after one request, so e.');
    expect(withLongRunningNote(undefined, 'w', 'e')).toBe('W, which does not end after one request, so e.');
  });
  it('is absent in ordinary code', () => {
    const [f] = lintText({ path: 'a.php', text: '<?php\necho 1;\n', rules: [{ rule: noted }] });
    expect(f!.message).toBe('echo found');
    expect(f!.details).toBe('An echo.');
    expect(f!.related).toEqual([]);
    expect(f!.severity).toBe('info');
  });
  it('names the evidence found later in the file', () => {
    const [f] = lintText({ path: 'a.php', text: WORKER, rules: [{ rule: noted }] });
    expect(f!.severity).toBe('warning');
    expect(f!.message).toBe('echo found');
    expect(f!.details).toBe('An echo. This file is a worker loop around `pop()` (line 3), which does not end after one request, so it grows until the process exits.');
    expect(f!.related.map((r) => [r.range.start.line, r.range.start.column, r.message])).toEqual([
      [3, 0, 'long-running: a worker loop around `pop()`, which does not end after one request, so it grows until the process exits'],
    ]);
  });
  it('names the config when the globs say so, and stays when config pins the severity', () => {
    const [f] = lintText({ path: 'a.php', text: '<?php\necho 1;\n', rules: [{ rule: noted, severity: 'hint' }], longRunning: true });
    expect(f!.severity).toBe('hint');
    expect(f!.message).toBe('echo found');
    expect(f!.details).toMatch(/\. This file is code configured as long-running \("longRunning" in phpleak\.json\), which does not end/);
    expect(f!.related).toEqual([]);
  });
});

describe('the five rules of issue 5 in long-running code', () => {
  const worker = (body: string): string => `<?php\n${body}\nwhile (true) {\n    $job = $queue->pop();\n    $job->run();\n}\n`;
  const cases: [string, string, string, string][] = [
    ['unbounded-cache', 'function f($value) { static $c = []; if (isset($c[$value])) { return $c[$value]; } return $c[$value] = g($value); }', 'warning', 'error'],
    // A socket: data whose size the peer decides (a local import by name is info, another path silent).
    // Kept across calls (a local is a peak freed on return: warning at most, also in a worker).
    ['file-read-into-array', 'function readMail($p) { static $lines = []; $h = fsockopen($p, 110); while (($l = fgets($h)) !== false) { $lines[] = $l; } return $lines; }', 'warning', 'error'],
    // A cycle of memory only: the collector frees it (a hint, a note where the process lives on).
    ['circular-reference', 'foreach ($rows as $r) { $a = new A(); $b = new B(); $a->b = $b; $b->a = $a; }', 'hint', 'info'],
    ['query-log-enabled', 'DB::enableQueryLog();', 'warning', 'error'],
    ['orm-identity-map-growth', 'foreach ($stmt->fetchAll() as $row) { $em->persist(Item::fromRow($row)); }', 'warning', 'error'],
  ];
  for (const [id, body, plain, raised] of cases) {
    it(`${id}: ${plain} → ${raised}, and the details say why; the message stays`, () => {
      const [p] = lintWith(`<?php\n${body}\n`, [id]);
      expect(p?.severity).toBe(plain);
      expect(p!.details).not.toMatch(/does not end after one request/);
      const [w] = lintWith(worker(body), [id]);
      expect(w?.severity).toBe(raised);
      expect(w!.message).toBe(p!.message);
      expect(w!.details).toMatch(/\. This file is a worker loop around `pop\(\)` \(line 3\), which does not end after one request, so [^;]+\.$/);
      expect(w!.details!.match(/does not end after one request/g)).toHaveLength(1);
      expect(w!.related.filter((r) => r.message.startsWith('long-running: a worker loop around `pop()`')).map((r) => r.range.start.line)).toEqual([3]);
    });
  }
});
