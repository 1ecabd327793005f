import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { repetitionOf, type Repetition } from '../../engine/facts/repetition.js';
import type { PhpNode } from '../../engine/nodes.js';

// The probe is the call `here()`; the answer names why it runs repeatedly.
function why(code: string): string | null {
  const { facts } = factsOf(`<?php\n${code}\n`, { clean: true });
  const here = facts.functionCalls.get('here')![0]!;
  const describe = (r: Repetition | null): string | null => {
    if (!r) return null;
    if (r.kind === 'loop') return `loop:${r.loop.kind}`;
    if (r.kind === 'callback') return 'callback';
    return `caller@${r.via.loc!.start.line - 1}>${describe(r.repetition)}`;
  };
  return describe(repetitionOf(here, facts));
}

describe('repetitionOf', () => {
  it('finds the loop around the node', () => {
    expect(why('foreach ($xs as $x) { here(); }')).toBe('loop:foreach');
    expect(why('while (true) { if ($a) { here(); } }')).toBe('loop:while');
    expect(why('for (here(); $i < 3; $i++) {}')).toBeNull();
  });
  it('treats a callback of an iterating builtin as a loop, not any closure', () => {
    expect(why('array_map(fn ($x) => here(), $xs);')).toBe('callback');
    expect(why('array_filter($xs, function ($x) { return here(); });')).toBe('callback');
    expect(why('$f = function () { here(); };')).toBeNull();
    expect(why('foreach ($xs as $x) { $fs[] = function () { here(); }; }')).toBeNull();
  });
  it('finds a caller in this file that calls the function in a loop', () => {
    expect(why('function f() { here(); }\nforeach ($xs as $x) { f(); }')).toBe('caller@2>loop:foreach');
    expect(why("function f() { here(); }\narray_map('f', $xs);")).toBe('caller@2>callback');
    expect(why('function f() { here(); }\nf();')).toBeNull();
  });
  it('finds method callers through $this, self and callables, within the class', () => {
    const cls = (body: string): string => `class A {\nfunction m() { here(); }\nfunction run($xs) {\n${body}\n}\n}`;
    expect(why(cls('foreach ($xs as $x) { $this->m(); }'))).toBe('caller@4>loop:foreach');
    expect(why(cls('while (true) { self::m(); }'))).toBe('caller@4>loop:while');
    expect(why(cls('array_map([$this, "m"], $xs);'))).toBe('caller@4>callback');
    expect(why(cls('array_map($this->m(...), $xs);'))).toBe('caller@4>callback');
    expect(why(cls('$this->m();'))).toBeNull();
    expect(why(`${cls('$this->m();')}\nforeach ($xs as $x) { $other->m(); }`)).toBeNull();
  });
  it('follows callers a few levels up', () => {
    expect(why('function f() { here(); }\nfunction g() { f(); }\nwhile (true) { g(); }')).toBe('caller@2>caller@3>loop:while');
  });
});
