import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { defineRule, type AnyRule } from '../../engine/rule.js';
import { declaredClassesOf } from '../../engine/facts/declared-types.js';
import { fixedIterationCount, iteratesConfiguration } from '../../engine/facts/fixed-iterations.js';
import { callReceiver, isLoop, type Loop } from '../../engine/facts/index.js';
import type { Call } from '../../engine/nodes.js';

// engine/facts/declared-types.ts and engine/facts/fixed-iterations.ts, asked from program:exit
// by a probe rule, as rules ask them.

function receivers(code: string): string[][] {
  const out: string[][] = [];
  const probe = defineRule({
    meta: { id: 'probe', severity: 'info', fixable: 'never', description: 'probe', messages: { m: 'm' } },
    defaultOptions: {},
    create(ctx) {
      return { 'program:exit'() { for (const c of ctx.facts.methodCalls.get('probe') ?? []) out.push(declaredClassesOf(callReceiver(c as Call)!, ctx.facts)); } };
    },
  }) as AnyRule;
  lintText({ path: 'x.php', text: `<?php\n${code}\n`, rules: [{ rule: probe }] });
  return out;
}

function loopCounts(code: string, withScope = false): (number | null)[] {
  return loopFacts(code, (n, facts) => fixedIterationCount(n, withScope ? facts.scopeOf(n) : undefined));
}

function loopFacts<T>(code: string, fact: (n: Loop, facts: import('../../engine/facts/index.js').Facts) => T): T[] {
  const out: T[] = [];
  const loops: Loop[] = [];
  const probe = defineRule({
    meta: { id: 'probe', severity: 'info', fixable: 'never', description: 'probe', messages: { m: 'm' } },
    defaultOptions: {},
    create(ctx) {
      const visit = (n: Loop): void => { loops.push(n); };
      return { foreach: visit, for: visit, while: visit, do: (n) => { if (isLoop(n)) visit(n); }, 'program:exit'() { for (const l of loops) out.push(fact(l, ctx.facts)); } };
    },
  }) as AnyRule;
  lintText({ path: 'x.php', text: `<?php\n${code}\n`, rules: [{ rule: probe }] });
  return out;
}

describe('declaredClassesOf', () => {
  it('reads parameter types, resolved through use imports', () => {
    expect(receivers('namespace App; use Doctrine\\ORM\\EntityManagerInterface; function f(EntityManagerInterface $em) { $em->probe(); }')).toEqual([['Doctrine\\ORM\\EntityManagerInterface']]);
  });
  it('reads union types and skips builtins', () => {
    expect(receivers('function f(\\DOMDocument|string|null $d) { $d->probe(); }')).toEqual([['DOMDocument']]);
  });
  it('reads `new` assignments of a local', () => {
    expect(receivers('$doc = new \\DOMDocument("1.0"); $doc->probe(); (new Foo\\Bar)->probe();')).toEqual([['DOMDocument'], ['Foo\\Bar']]);
  });
  it('reads typed, promoted and @var-documented properties, declared after use', () => {
    const code = [
      'namespace App;',
      'use Doctrine\\Persistence\\ObjectManager;',
      'class A { function f() { $this->a->probe(); $this->b->probe(); $this->c->probe(); $this->d->probe(); }',
      '  public function __construct(private ObjectManager $b, $d) {}',
      '  private \\Doctrine\\ORM\\EntityManager $a;',
      '  /** @var ObjectManager|null */',
      '  private $c;',
      '}',
    ].join('\n');
    expect(receivers(code)).toEqual([['Doctrine\\ORM\\EntityManager'], ['Doctrine\\Persistence\\ObjectManager'], ['Doctrine\\Persistence\\ObjectManager'], []]);
  });
  it('says nothing it does not know', () => {
    expect(receivers('function f($x, array $y) { $x->probe(); $y->probe(); $z = make(); $z->probe(); }')).toEqual([[], [], []]);
  });
});

describe('fixedIterationCount', () => {
  it('counts literal arrays and literal for bounds', () => {
    expect(loopCounts('foreach ([1, 2, 3] as $x) {} for ($i = 0; $i < 10; $i++) {} for ($i = 1; $i <= 10; $i += 2) {} for ($i = 5; $i > 0; $i--) {} for ($i = 0; 4 > $i; ++$i) {}'))
      .toEqual([3, 10, 5, 5, 4]);
  });
  it('with the scope, counts a local list the code spells out and a class constant', () => {
    expect(loopCounts('function f() { $f = ["a", "b"]; if (x()) { $f = ["c"]; } foreach ($f as $x) {} }', true)).toEqual([2]);
    expect(loopCounts('class C { const R = [1, 2, 3]; function f() { foreach (self::R as $r) {} foreach (static::R as $r) {} } }', true)).toEqual([3, 3]);
    expect(loopCounts('function f($p) { $f = ["a"]; $f[] = g(); foreach ($f as $x) {} foreach ($p as $y) {} $h = g(); foreach ($h as $z) {} }', true)).toEqual([null, null, null]);
    expect(loopCounts('function f() { $f = ["a", "b"]; foreach ($f as $x) {} }')).toEqual([null]);
  });
  it('tells loops over configuration set by the constructor', () => {
    const conf = (code: string): boolean[] => loopFacts(code, (n, facts) => iteratesConfiguration(n, facts.scopeOf(n)));
    expect(conf('class C { private array $s; function __construct(array $servers) { $this->s = $servers; } function f() { foreach ($this->s as $x) {} } }')).toEqual([true]);
    expect(conf('class C { function __construct(private array $servers) {} function f() { foreach ($this->servers as $x) {} } }')).toEqual([true]);
    expect(conf('class C { private array $s = []; function __construct(array $s) { $this->s = $s; } function add($x) { $this->s[] = $x; } function f() { foreach ($this->s as $x) {} } }')).toEqual([false]);
    expect(conf('class C { private array $s = []; function f() { foreach ($this->s as $x) {} } }')).toEqual([false]);
  });
  it('is null for anything the input decides', () => {
    expect(loopCounts('foreach ($rows as $r) {} foreach ([...$a, 1] as $x) {} for ($i = 0; $i < $n; $i++) {} for (;;) {} while (true) {} for ($i = 0; $i < 10; $i = f($i)) {}'))
      .toEqual([null, null, null, null, null, null]);
  });
});
