import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import { nodesUnder } from '../../engine/facts/subtree.js';
import type { PhpNode } from '../../engine/nodes.js';

describe('nodesUnder', () => {
  const parsed = parsePhp('<?php foreach ($a as $x) { $y = fn () => $z; f($x); }', 'x.php');
  if (!parsed.ok) throw new Error('parse');
  walk(parsed.program, { enter: new Map(), exit: new Map() });
  const loop = parsed.program.children[0]!;
  const vars = (ns: PhpNode[]): string[] => ns.filter((n) => n.kind === 'variable').map((n) => String((n as { name: unknown }).name));
  it('lists the subtree in source order without entering functions', () => {
    expect(nodesUnder(loop)[0]).toBe(loop);
    expect(vars(nodesUnder(loop))).toEqual(['a', 'x', 'y', 'x']);
  });
  it('enters functions when asked', () => {
    expect(vars(nodesUnder(loop, true))).toEqual(['a', 'x', 'y', 'z', 'x']);
  });
});
