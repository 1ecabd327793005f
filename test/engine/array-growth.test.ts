import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import { Facts } from '../../engine/facts/index.js';
import type { Access } from '../../engine/facts/access.js';
import {
  growingWrite, isConstantKey, isEntryEviction, isOneTimeFill, isReset, isSelfUpdate, keyChain, sizeCheckOf,
} from '../../engine/facts/array-growth.js';
import { stopsAtCount } from '../../engine/facts/loop-bounds.js';
import { isFileObject, streamOrigin, streamReadOf } from '../../engine/facts/streams.js';
import { isLoop, type Loop } from '../../engine/nodes.js';
import type { SourceFile } from '../../engine/source.js';
import { SourceFile as File } from '../../engine/source.js';

/** Walks `body` inside `function f($h, $x, \SplFileObject $spl)` and returns the file and its facts. */
function analyse(body: string): { facts: Facts; file: SourceFile; accesses: Access[]; loops: Loop[] } {
  const text = `<?php\nfunction f($h, $x, \\SplFileObject $spl) {\n${body}\n}\n`;
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok || parsed.problems.length) throw new Error(`parse: ${parsed.problems.map((p) => p.message).join()}`);
  const facts = new Facts();
  const loops: Loop[] = [];
  walk(parsed.program, { enter: new Map(), exit: new Map(), anyEnter: (n) => { facts.enter(n); if (isLoop(n)) loops.push(n); }, anyExit: (n) => facts.exit(n) });
  const scope = facts.scopes.find((s) => s.name === 'f')!;
  return { facts, file: new File('t.php', text, parsed.program), accesses: scope.accesses, loops };
}

function of(body: string, name: string): Access[] {
  return analyse(body).accesses.filter((a) => a.name === name);
}

describe('array growth facts', () => {
  it('finds writes that add entries with run-time keys', () => {
    const grows = (stmt: string): boolean => of(stmt, 'c').some((a) => growingWrite(a) !== null);
    expect(grows('$c[$k] = 1;')).toBe(true);
    expect(grows('$c[] = 1;')).toBe(true);
    expect(grows('$c[$k] ??= 1;')).toBe(true);
    expect(grows('$c[\'a\'][$k] = 1;')).toBe(true);
    expect(grows('array_push($c, 1);')).toBe(true);
    expect(grows('$c[$k] = &$v;')).toBe(true);
    expect(grows('$c[\'total\'] = 1;')).toBe(false);
    expect(grows('$c[self::X] = 1; $c[Foo::class] = 1; $c[static::class] = 1; $c[__CLASS__] = 1; $c[get_class($this)] = 1;')).toBe(false);
    expect(grows('$c[$k] .= "x";')).toBe(false);
    expect(grows('$c[$k]++;')).toBe(false);
    expect(grows('$c = [];')).toBe(false);
    expect(grows('echo $c[$k];')).toBe(false);
  });

  it('reads key chains innermost first', () => {
    const w = of('$c[$a][][\'x\'] = 1;', 'c')[0]!;
    const keys = keyChain(w).map((k) => (k === false ? '[]' : k.kind));
    expect(keys).toEqual(['variable', '[]', 'string']);
  });

  it('tells constant keys from run-time ones', () => {
    const key = (expr: string) => { const w = of(`$c[${expr}] = 1;`, 'c')[0]!; return isConstantKey(keyChain(w)[0] as never); };
    expect(key("'a'")).toBe(true);
    expect(key('-1')).toBe(true);
    expect(key("'p' . self::X")).toBe(true);
    expect(key('$k')).toBe(false);
    expect(key('"$a:$b"')).toBe(false);
    expect(key('$o::class')).toBe(false);
    expect(key('get_class($o)')).toBe(false);
  });

  it('finds evictions and resets', () => {
    const evicts = (stmt: string) => of(stmt, 'c').some(isEntryEviction);
    expect(evicts('unset($c[$k]);')).toBe(true);
    expect(evicts('array_shift($c);')).toBe(true);
    expect(evicts('array_splice($c, 0, 1);')).toBe(true);
    expect(evicts('$c = array_slice($c, -10);')).toBe(true);
    expect(evicts('unset($c);')).toBe(false);
    expect(evicts('sort($c);')).toBe(false);
    const resets = (stmt: string) => of(stmt, 'c').some(isReset);
    expect(resets('$c = [];')).toBe(true);
    expect(resets('$c = array();')).toBe(true);
    expect(resets('$c = null;')).toBe(true);
    expect(resets('unset($c);')).toBe(true);
    expect(resets('$c = [1];')).toBe(false);
  });

  it('finds size checks that decide control flow, not emptiness checks', () => {
    const regions = (body: string) => of(body, 'c').map(sizeCheckOf).filter((r) => r !== null).map((r) => r!.kind);
    expect(regions('if (count($c) >= 10) { $c = []; }')).toEqual(['if']);
    expect(regions('if (\\count($c) > $max && $x) { $c = []; }')).toEqual(['if']);
    expect(regions('while (count($c) > 10) { array_shift($c); }')).toEqual(['while']);
    expect(regions('$y = count($c) < 10 ? 1 : 2;')).toEqual(['retif']);
    expect(regions('if (count($c) > 0) { echo 1; }')).toEqual([]);
    expect(regions('if (count($c)) { echo 1; }')).toEqual([]);
    expect(regions('$n = count($c) + 1;')).toEqual([]);
  });

  it('tells one-time fills from accumulation', () => {
    const once = (body: string): boolean => {
      const { file, accesses } = analyse(body);
      const all = accesses.filter((a) => a.name === 'c');
      return all.filter((a) => growingWrite(a)).every((w) => isOneTimeFill(file, w, all));
    };
    expect(once('$c = []; foreach ($x as $k) { $c[$k] = 1; }')).toBe(true);
    expect(once('if ($c === null) { foreach ($x as $k) { $c[$k] = 1; } }')).toBe(true);
    expect(once('if ($c) { return $c; } foreach ($x as $k) { $c[] = $k; }')).toBe(true);
    expect(once('$c[$x] = $x; load($c); $c = [];')).toBe(true);
    expect(once('$c[$x] = 1;')).toBe(false);
    expect(once('if (!isset($c[$x])) { $c[$x] = 1; }')).toBe(false);
    expect(once('if (count($c) > 0 && isset($c[$x])) { return $c[$x]; } $c[$x] = 1;')).toBe(false);
    expect(once('$c = $c + []; $c[$x] = 1;')).toBe(false);
  });

  it('tells aggregates computed from the array itself', () => {
    const upd = (stmt: string) => { const all = of(stmt, 'c'); return all.filter((a) => growingWrite(a)).some((a) => isSelfUpdate(a, all)); };
    expect(upd('$c[$k] = ($c[$k] ?? 0) + 1;')).toBe(true);
    expect(upd('$c[$k] = array_merge($c[$k] ?? [], $x);')).toBe(true);
    expect(upd('$c[$k] = $x;')).toBe(false);
  });
});

describe('stream reading loops', () => {
  const reads = (body: string): boolean[] => {
    const { facts, loops } = analyse(body);
    const scope = facts.scopes.find((s) => s.name === 'f')!;
    return loops.map((l) => streamReadOf(l, scope) !== null);
  };

  it('recognises the reading calls and sources', () => {
    expect(reads('while (($l = fgets($h)) !== false) {}')).toEqual([true]);
    expect(reads('while (!feof($h)) { $l = fgets($h); }')).toEqual([true]);
    expect(reads('while ($r = fgetcsv($h)) {} while ($b = fread($h, 10)) {} while ($s = stream_get_line($h, 9)) {}')).toEqual([true, true, true]);
    expect(reads('foreach (file("x") as $l) {}')).toEqual([true]);
    expect(reads('foreach ($spl as $l) {}')).toEqual([true]);
    expect(reads('$o = new \\SplFileObject("x"); foreach ($o as $l) {}')).toEqual([true]);
    expect(reads('while (!$spl->eof()) { $r = $spl->fgetcsv(); }')).toEqual([true]);
    expect(reads('foreach ($x as $l) {}')).toEqual([false]);
  });

  it('gives the read to the innermost loop, and not to a loop that opens a file per iteration', () => {
    expect(reads('foreach ($x as $p) { while (($l = fgets($h)) !== false) {} }')).toEqual([false, true]);
    expect(reads('foreach ($x as $p) { $g = fopen($p, "r"); $first = fgets($g); }')).toEqual([false]);
  });

  it('follows SplFileObject variables without looping on cycles', () => {
    const { facts } = analyse('$a = $b; $b = $a; foreach ($a as $l) {}');
    const scope = facts.scopes.find((s) => s.name === 'f')!;
    const v = scope.accesses.find((a) => a.name === 'a' && a.role === 'read')!;
    expect(isFileObject(v.node, scope)).toBe(false);
  });
});

describe('where a read stream comes from', () => {
  const origin = (body: string): string[] => {
    const { facts, loops } = analyse(body);
    const scope = facts.scopes.find((s) => s.name === 'f')!;
    return loops.map((l) => { const r = streamReadOf(l, scope); return r ? streamOrigin(r, scope, null) : 'none'; });
  };
  it('tells sockets, URLs, input, memory, fixed paths and unknown ones apart', () => {
    expect(origin('$s = @fsockopen($x, 110); while ($l = fgets($s)) {}')).toEqual(['remote']);
    expect(origin('$s = fopen("ftp://" . $x, "r"); while ($l = fgets($s)) {}')).toEqual(['remote']);
    expect(origin('while ($l = fgets(STDIN)) {}')).toEqual(['input']);
    expect(origin('$s = fopen($_FILES["f"]["tmp_name"], "r"); while ($l = fgets($s)) {}')).toEqual(['input']);
    expect(origin('$s = fopen("php://temp", "r+"); while ($l = fgets($s)) {}')).toEqual(['memory']);
    expect(origin('$p = __DIR__ . "/a.txt"; foreach (file($p) as $l) {}')).toEqual(['fixed']);
    expect(origin('foreach (new \\SplFileObject(self::FILE) as $l) {}')).toEqual(['fixed']);
    expect(origin('$s = fopen($x, "r"); while ($l = fgets($s)) {}')).toEqual(['unknown']);
    expect(origin('while ($l = fgets($h)) {}')).toEqual(['unknown']);
  });
});

describe('loops that stop at a count', () => {
  const bounded = (body: string): boolean => {
    const { facts, loops } = analyse(body);
    const scope = facts.scopes.find((s) => s.name === 'f')!;
    return stopsAtCount(loops[0]!, scope);
  };

  it('sees count, counters and breaks', () => {
    expect(bounded('while (count($c) < 10 && ($l = fgets($h)) !== false) { $c[] = $l; }')).toBe(true);
    expect(bounded('for ($i = 0; $i < 5; $i++) { $c[] = fgets($h); }')).toBe(true);
    expect(bounded('while (($l = fgets($h)) !== false) { $c[] = $l; if (++$n >= 10) { break; } }')).toBe(true);
    expect(bounded('while (($l = fgets($h)) !== false) { $c[] = $l; $n++; if ($n > 10) return; }')).toBe(true);
    expect(bounded('while (!feof($h) && ftell($h) < 1000) { $c[] = fgets($h); }')).toBe(true);
  });

  it('does not take other comparisons or inner breaks for a bound', () => {
    expect(bounded('while (($l = fgets($h)) !== false) { $c[] = $l; }')).toBe(false);
    expect(bounded('for ($i = 0; ($l = fgets($h)) !== false; $i++) { $c[] = $l; }')).toBe(false);
    expect(bounded('while (($l = fgets($h)) !== false) { foreach ($x as $y) { if (++$n > 3) break; } $c[] = $l; }')).toBe(false);
    expect(bounded('while (($l = fgets($h)) !== false) { if (strlen($l) > 3) { continue; } $c[] = $l; }')).toBe(false);
  });
});
