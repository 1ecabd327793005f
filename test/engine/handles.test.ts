import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { Facts } from '../../engine/facts/index.js';
import { closeIn, handleSourceOf, isHandleClose } from '../../engine/facts/handles.js';
import type { PhpNode } from '../../engine/nodes.js';

function factsOfCode(code: string): Facts {
  return factsOf(`<?php\n${code}\n`, { clean: true }).facts;
}

/** What the argument of the last `probe(…)` holds: the opener's name, or null. */
function source(code: string): string | null {
  const facts = factsOfCode(code);
  const probe = facts.functionCalls.get('probe')!.at(-1)!;
  const src = handleSourceOf(probe.arguments[0]!, facts.scopeOf(probe));
  if (!src) return null;
  return src.kind === 'new' ? 'new' : (src.what as { name: string }).name;
}

describe('handleSourceOf', () => {
  it('sees openers directly, silenced, chained and behind ?:', () => {
    expect(source("probe(fopen('a', 'r'));")).toBe('fopen');
    expect(source("probe(@opendir('d'));")).toBe('opendir');
    expect(source("probe($h = proc_open('ls', [], $p));")).toBe('proc_open');
    expect(source("probe(curl_init() ?: null);")).toBe('curl_init');
    expect(source("probe(new \\SplFileObject('f'));")).toBe('new');
  });
  it('follows a local variable assigned an opener in the same function', () => {
    expect(source("function f() { $h = fsockopen('h', 80); probe($h); }")).toBe('fsockopen');
    expect(source("function f() { if (!$h = @fopen('a', 'r')) { return; } probe($h); }")).toBe('fopen');
  });
  it('does not guess: parameters, other functions and non-handles are unknown', () => {
    expect(source('function f($h) { probe($h); }')).toBeNull();
    expect(source("$h = fopen('a', 'r'); function f() { probe($h); }")).toBeNull();
    expect(source("function f() { $l = fgets(STDIN); probe($l); }")).toBeNull();
    expect(source("probe(new \\ArrayObject());")).toBeNull();
  });
});

describe('closing', () => {
  it('recognises closers and closers passed as callables', () => {
    const facts = factsOfCode("fclose($h); array_map('fclose', $hs); array_walk($hs, 'strtolower'); pclose(...);");
    const calls = facts.scopes[0]!.calls.filter((c) => c.what.kind === 'name');
    expect(calls.map((c) => isHandleClose(c))).toEqual([true, true, false, true]);
  });
  it('looks into closures defined in the function', () => {
    const facts = factsOfCode('function f($h) { $g = function () use ($h) { fclose($h); }; }\nfunction g() { fread($h, 1); }');
    const [f, g] = facts.scopes.filter((s) => s.kind === 'function');
    expect(closeIn(f!)).not.toBeNull();
    expect(closeIn(g!)).toBeNull();
  });
});
