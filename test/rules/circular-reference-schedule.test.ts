import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// Code that runs gc_collect_cycles() on its own schedule (a periodic timer, a loop) gets its
// cycles collected within one period (engine/facts/gc-schedule.ts): circular-reference says
// nothing of pure memory cycles there, and a handle held by a cycle is not raised past info.

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'rules', 'circular-reference');
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
const found = (text: string) => lintWith(text, ['circular-reference'], { longRunning: true })
  .filter((f) => f.ruleId === 'circular-reference').map((f) => [f.range.start.line, f.severity, f.message]);
const unscheduled = (text: string): string => text.replaceAll('gc_collect_cycles()', 'gc_status()');

describe('circular-reference in code that collects cycles on a schedule', () => {
  it('is silent about memory cycles, which the timer or the loop frees, and flags them without it', () => {
    const ok = read('ok-collected-on-schedule.php');
    expect(found(ok)).toEqual([]);
    expect(found(unscheduled(ok))).toEqual([
      // Memory-only cycles: a note in long-running code, never a CI failure (rules/circular-reference.ts).
      [18, 'info', 'The listener on `$connection` captures `$connection`: emitter and listener point at each other, a new cycle per call'],
      [42, 'info', '`$walk` holds itself and `$fields` by reference: each call leaves its whole `$fields` to the cycle collector'],
      [65, 'info', '`$order->lines` and `$line->order` form a reference cycle, created anew on every iteration'],
    ]);
  });
  it('keeps a handle held by a cycle at info, and a registration that keeps $this from its destructor as it was', () => {
    const bad = read('bad-collected-on-schedule.php');
    const handle = '`$this->multi` keeps a callback bound to `$this`: the handle stays open until the cycle collector runs';
    const destructor = '`subscribe()` keeps a callback bound to `$this`, so `__destruct()`, which removes it, never runs';
    expect(found(bad)).toEqual([[15, 'info', handle], [36, 'warning', destructor]]);
    expect(found(unscheduled(bad))).toEqual([[15, 'warning', handle], [36, 'warning', destructor]]);
  });
  it('does not take one gc_collect_cycles() at the end of a function for a schedule', () => {
    expect(found(read('bad-collects-once.php'))).toEqual([[9, 'info', 'The listener on `$connection` captures `$connection`: emitter and listener point at each other, a new cycle per call']]);
  });
});

describe('circular-reference severity', () => {
  it('a memory-only cycle is a hint in ordinary code (editor only), a cycle that holds a handle stays a note', () => {
    const text = read('bad-collected-on-schedule.php').replaceAll('gc_collect_cycles()', 'gc_status()');
    const plain = lintWith(text, ['circular-reference'], { path: 'src/Http/Client.php' }).map((f) => [f.range.start.line, f.severity]);
    expect(plain).toEqual([[15, 'info'], [36, 'info']]);
    const memory = "<?php\nfinal class Node {\n    public ?Node $parent = null;\n    public array $children = [];\n    public function add(): void {\n        foreach (range(1, 3) as $i) {\n            $child = new Node();\n            $child->parent = $this;\n            $this->children[] = $child;\n        }\n    }\n}\n";
    expect(lintWith(memory, ['circular-reference'], { path: 'src/Tree/Node.php' }).map((f) => [f.ruleId, f.severity])).toEqual([['circular-reference', 'hint']]);
  });
});
