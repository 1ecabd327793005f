import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import { Facts } from '../../engine/facts/index.js';
import { keyParameters } from '../../engine/facts/key-sources.js';
import type { PhpNode } from '../../engine/nodes.js';

// The public parameters a key is made of, followed through the class's own helpers.

function params(body: string): (string[] | null)[] {
  const text = `<?php\n${body}\n`;
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok || parsed.problems.length) throw new Error('parse');
  const facts = new Facts();
  const keys: PhpNode[] = [];
  walk(parsed.program, {
    enter: new Map(), exit: new Map(),
    anyEnter: (n) => {
      facts.enter(n);
      if (n.kind === 'offsetlookup' && n.offset && n.parent?.kind === 'assign' && n.parent.left === n) keys.push(n.offset);
    },
    anyExit: (n) => facts.exit(n),
  });
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
