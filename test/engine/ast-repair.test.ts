import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import type { PhpNode } from '../../engine/nodes.js';
import { walk } from '../../engine/walk.js';
import { VISITOR_KEYS } from '../../engine/visitor-keys.js';

function nodes(text: string): PhpNode[] {
  const r = parsePhp(text, 'x.php');
  if (!r.ok) throw new Error('did not parse');
  const out: PhpNode[] = [];
  walk(r.program, { enter: new Map(), exit: new Map(), anyEnter: (n) => out.push(n) });
  return out;
}

describe('broken code gives an AST true to nodes.ts (engine/ast-repair.ts)', () => {
  it.each([
    ['<?php $a = ;'],
    ['<?php $a = 1 + ;'],
    ['<?php f(1, , 2);'],
    ['<?php $x[;'],
    ['<?php foreach ( as $v) {}'],
    ['<?php namespace'],
    ['<?php $a = $b ? : ;'],
    ['<?php new ;'],
  ])('%j has no undefined children and no holes in child lists', (text) => {
    for (const n of nodes(text)) {
      for (const key of VISITOR_KEYS[n.kind]) {
        const v = (n as unknown as Record<string, unknown>)[key];
        expect(v, `${n.kind}.${key}`).not.toBeUndefined();
        if (Array.isArray(v)) for (const c of v) expect(typeof c === 'object' && c !== null && 'kind' in c, `${n.kind}.${key}[]`).toBe(true);
      }
      if (n.kind === 'identifier' || n.kind === 'name' || n.kind === 'namespace') expect(typeof n.name).toBe('string');
    }
  });
  it('a missing required child is a zero-width noop at the end of its parent', () => {
    const stmt = nodes('<?php $a = 1 + ;').find((n) => n.kind === 'bin');
    expect(stmt?.kind === 'bin' && stmt.right.kind).toBe('noop');
  });
  it('valid code is untouched: constructors keep their statics (type names parse)', () => {
    expect(parsePhp('<?php class A { public function f(int $a): void {} }', 'x.php')).toMatchObject({ ok: true, problems: [] });
  });
});
