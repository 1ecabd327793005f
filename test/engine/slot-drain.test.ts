import { describe, expect, it } from 'vitest';
import { growingWrite } from '../../engine/facts/array-growth.js';
import { slotDrainOf } from '../../engine/facts/resets.js';
import { SourceFile } from '../../engine/source.js';
import { factsOf } from '../helpers/facts.js';

// A batch buffer whose slot the paired method empties after using it (engine/facts/resets.ts
// slotDrainOf): directly, or through a setter it passes `[]`.

function drain(body: string): string | null {
  const text = `<?php\n${body}\n`;
  const { facts, program } = factsOf(text, { clean: true });
  const cls = facts.classes[0]!;
  const accesses = cls.accesses.filter((a) => a.name === 'b');
  const v = slotDrainOf(new SourceFile('t.php', text, program), cls, accesses, accesses.filter((a) => growingWrite(a) !== null));
  return v ? `${v.kind} ${v.method}` : null;
}

const ADD = 'static function add($m, $r) { self::$b[get_class($m)][$r][] = $m; }';
const GET = 'static function get($m, $r) { return self::$b[get_class($m)][$r] ?? []; }';
const SET = 'static function set($m, $r, array $v) { self::$b[get_class($m)][$r] = $v; }';

describe('slot drains', () => {
  it('a paired load() that reads the slot, then empties it through a setter or directly', () => {
    expect(drain(`class B { private static array $b = []; ${ADD} ${GET} ${SET} static function load($m, $r) { $all = self::get($m, $r); run($all); self::set($m, $r, []); } }`)).toBe('after-use load');
    expect(drain(`class B { private static array $b = []; ${ADD} static function load($m, $r) { $all = self::$b[get_class($m)][$r] ?? []; self::$b[get_class($m)][$r] = []; run($all); } }`)).toBe('after-use load');
    // Emptying the class's whole slot empties the relation's slot under it.
    expect(drain(`class B { private static array $b = []; ${ADD} static function load($m) { run(self::$b[get_class($m)] ?? []); self::$b[get_class($m)] = []; } }`)).toBe('after-use load');
  });
  it('not a setter nobody calls with [], not a forget() that never uses the batch, not another slot', () => {
    expect(drain(`class B { private static array $b = []; ${ADD} ${GET} ${SET} }`)).toBeNull();
    expect(drain(`class B { private static array $b = []; ${ADD} static function forget($m, $r) { self::$b[get_class($m)][$r] = []; } }`)).toBeNull();
    expect(drain(`class B { private static array $b = []; ${ADD} static function load($m, $r) { run(self::$b[get_class($m)][$r] ?? []); self::$b[$r] = []; } }`)).toBeNull();
  });
});
