import { describe, expect, it } from 'vitest';
import { keyParameters } from '../../engine/facts/key-sources.js';
import { nodesUnder } from '../../engine/facts/subtree.js';
import type { PhpNode } from '../../engine/nodes.js';
import { factsOf } from '../helpers/facts.js';

// The public parameters a key is made of, followed through the class's own helpers.

function params(body: string): (string[] | null)[] {
  const { facts, program } = factsOf(`<?php\n${body}\n`, { clean: true });
  // The key of every `$…[key] = …` write target, in source order.
  const keys = nodesUnder(program as unknown as PhpNode, true)
    .flatMap((n) => (n.kind === 'offsetlookup' && n.offset && n.parent?.kind === 'assign' && n.parent.left === n ? [n.offset] : []));
  return keys.map((k) => keyParameters(k, facts));
}

describe('key sources', () => {
  it('follows a helper\'s parameter to what every caller passes, skipping literal parts', () => {
    expect(params("class I { private static $c = []; protected static function memo($key, $v) { $key = '_' . $key; self::$c[$key] = $v; }\n"
      + ' public static function camel(string $string) { self::memo($string, 1); } public static function table(string $className) { self::memo($className, 2); } }'))
      .toEqual([['string', 'className']]);
  });
  it('a public parameter directly, and null for what is not a parameter or a helper nobody calls', () => {
    expect(params('class S { private static $c = []; public static function camel(string $value) { self::$c[$value] = 1; } }')).toEqual([['value']]);
    expect(params('class S { private static $c = []; public static function f(object $o) { self::$c[$o->id] = 1; } }')).toEqual([null]);
    expect(params('class S { private static $c = []; private static function f($k) { self::$c[$k] = 1; } }')).toEqual([null]);
    expect(params('class S { private static $c = []; private static function f($k) { self::$c[$k] = 1; } public static function g($u) { self::f(strtolower($u)); } }')).toEqual([null]);
  });
});
