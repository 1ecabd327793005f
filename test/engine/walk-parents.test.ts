import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import type { PhpNode } from '../../engine/nodes.js';

describe('walk parent links', () => {
  it('sets the parent of a node and of its direct children before its enter handlers run', () => {
    const parsed = parsePhp('<?php\nnamespace A;\n$x = new B($c, [1]);\n', 't.php');
    if (!parsed.ok) throw new Error('parse');
    const seen: string[] = [];
    walk(parsed.program, {
      enter: new Map([['new', [(n: PhpNode) => {
        if (n.kind !== 'new') return;
        seen.push(`${n.what.parent === n}`, ...n.arguments.map((a) => `${a.parent === n}`));
        let top: PhpNode = n.what;
        while (top.parent) top = top.parent;
        seen.push(top.kind);
      }]]]),
      exit: new Map(),
    });
    expect(seen).toEqual(['true', 'true', 'true', 'program']);
  });
});
