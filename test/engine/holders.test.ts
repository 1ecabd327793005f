import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import { Facts } from '../../engine/facts/index.js';
import { flowOf, receiverIsHolder, type Holder } from '../../engine/facts/holders.js';
import { callReceiver, methodName } from '../../engine/facts/names.js';
import type { Call, New, PhpNode } from '../../engine/nodes.js';

/** Walks `text`, then answers for the `new Target(...)` expression: its holders and returned flag. */
function flow(text: string): { holders: string[]; returned: boolean; resetBy: string[] } {
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok) throw new Error('parse');
  const facts = new Facts();
  let target: New | null = null;
  walk(parsed.program, {
    enter: new Map([['new', [(n: PhpNode) => { if (n.kind === 'new' && n.what.kind === 'name' && n.what.name === 'Target') target = n; }]]]),
    exit: new Map(), anyEnter: (n) => facts.enter(n), anyExit: (n) => facts.exit(n),
  });
  const f = flowOf(target!, facts);
  const text2 = (h: Holder): string => h.kind === 'var' ? `$${h.name}` : h.kind === 'prop' ? `$this->${h.name}` : h.kind === 'static-prop' ? `${h.cls}::$${h.name}` : 'object';
  const resets = (facts.methodCalls.get('reset') ?? []) as Call[];
  const resetBy = resets.filter((c) => f.holders.some((h) => receiverIsHolder(callReceiver(c)!, h, c, facts))).map((c) => `${methodName(c)}@${c.loc!.start.line}`);
  return { holders: f.holders.map(text2), returned: f.returned, resetBy };
}

describe('flowOf', () => {
  it('follows assignment, pushHandler and local variables', () => {
    const r = flow('<?php\nfunction f() {\n$h = new Target();\n$logger = new Logger("a");\n$logger->pushHandler($h);\n$logger->reset();\n}');
    expect(r.holders).toEqual(['$h', '$logger']);
    expect(r.resetBy).toEqual(['reset@6']);
  });
  it('sees array items of a constructor and the property that keeps the result', () => {
    const r = flow('<?php\nclass S { function __construct() { $this->logger = new Logger("a", [new Target()]); }\n function reset() { $this->logger->reset(); } }');
    expect(r.holders).toEqual(['object', '$this->logger']);
    expect(r.resetBy).toEqual(['reset@3']);
  });
  it('reports a returned value and does not confuse same-named variables of other functions', () => {
    const r = flow('<?php\nfunction f() { $h = new Target(); return $h; }\nfunction g($h) { $h->reset(); }');
    expect(r.returned).toBe(true);
    expect(r.resetBy).toEqual([]);
  });
  it('counts a reset in a closure that captures the variable', () => {
    const r = flow('<?php\nfunction f($loop) { $l = new Target(); $loop->addPeriodicTimer(1, function () use ($l) { $l->reset(); }); }');
    expect(r.resetBy).toEqual(['reset@2']);
  });
});
