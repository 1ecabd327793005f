import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { globalConstants, resolveScalar } from '../../engine/facts/values.js';
import type { Call, PhpNode, Program } from '../../engine/nodes.js';

// Each snippet ends with a call to probe(X): the answer is what X resolves to.
function resolve(code: string): unknown {
  const { facts, program } = factsOf(`<?php\n${code}\n`, { clean: true });
  const probes = facts.functionCalls.get('probe') ?? [];
  const probe = probes[probes.length - 1] as Call;
  return resolveScalar(probe.arguments[0], facts, globalConstants(program, facts));
}

describe('resolveScalar', () => {
  it('reads literals, signed numbers and string casts', () => {
    expect(resolve("probe('-1');")).toBe('-1');
    expect(resolve('probe(-1);')).toBe(-1);
    expect(resolve("probe((string) -1);")).toBe('-1');
  });
  it('follows const, define() and class constants of this file', () => {
    expect(resolve("const A = '-1'; probe(A);")).toBe('-1');
    expect(resolve("namespace App; const A = 'x'; probe(\\App\\A);")).toBe('x');
    expect(resolve("define('B', 7); probe(B);")).toBe(7);
    expect(resolve("class K { const C = 'c'; function f() { probe(self::C); } }")).toBe('c');
    expect(resolve("class K { const C = 'c'; } probe(K::C);")).toBe('c');
  });
  it('follows a local variable written exactly once before the use', () => {
    expect(resolve("function f() { $x = '-1'; probe($x); }")).toBe('-1');
    expect(resolve("function f() { $x = '1'; $x = '2'; probe($x); }")).toBeNull();
    expect(resolve("function f() { probe($x); $x = '1'; }")).toBeNull();
    expect(resolve("function f($x = '1') { probe($x); }")).toBeNull();
    expect(resolve("function f() { $x = '1'; $x .= '2'; probe($x); }")).toBeNull();
    expect(resolve("function f() { foreach ([1] as $x) { probe($x); } }")).toBeNull();
  });
  it('answers null for what the file does not determine', () => {
    expect(resolve('probe(UNKNOWN);')).toBeNull();
    expect(resolve('probe(Other::C);')).toBeNull();
    expect(resolve("probe($a ? '1' : '2');")).toBeNull();
    expect(resolve('probe(getenv("X"));')).toBeNull();
  });
});
