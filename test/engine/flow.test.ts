import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { childrenOf, walk } from '../../engine/walk.js';
import { liveRange, type LiveExitKind } from '../../engine/facts/flow.js';
import type { FunctionLike, PhpNode } from '../../engine/nodes.js';

// `acquire()` makes the resource live, `release()` ends it, yields are the probes; the function
// analysed is `f`. Answers are exits as "kind@line" and live probes as lines.

function all(root: PhpNode): PhpNode[] {
  const out: PhpNode[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    stack.push(...childrenOf(n));
  }
  return out;
}

function callNamed(n: PhpNode, name: string): boolean {
  return n.kind === 'call' && n.what.kind === 'name' && n.what.name === name;
}

function run(body: string): { exits: string[]; live: number[]; supported: boolean } {
  const text = `<?php\nfunction f($x) {\n${body}\n}\n`;
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok || parsed.problems.length) throw new Error('parse');
  walk(parsed.program, { enter: new Map(), exit: new Map() });
  const nodes = all(parsed.program);
  const fn = nodes.find((n) => n.kind === 'function') as FunctionLike;
  const acquire = nodes.filter((n) => callNamed(n, 'acquire')).sort((a, b) => a.loc!.start.offset - b.loc!.start.offset)[0]!;
  const releases = nodes.filter((n) => callNamed(n, 'release'));
  const probes = nodes.filter((n) => n.kind === 'yield');
  const r = liveRange({ fn, acquire, releases, probes });
  const line = (n: PhpNode): number => n.loc!.start.line - 2;
  return {
    exits: r.liveExits.map((e) => `${e.kind satisfies LiveExitKind}@${e.kind === 'end' ? 'end' : line(e.node)}`),
    live: r.liveProbes.map(line),
    supported: r.supported,
  };
}

describe('liveRange', () => {
  it('straight line: released before the end', () => {
    expect(run('$p = acquire();\nuse_it($p);\nrelease($p);').exits).toEqual([]);
  });
  it('never released: the end is a live exit', () => {
    expect(run('$p = acquire();\nuse_it($p);').exits).toEqual(['end@end']);
  });
  it('an early return before the release', () => {
    expect(run('$p = acquire();\nif ($x) {\n  return 1;\n}\nrelease($p);\nreturn 2;').exits).toEqual(['return@3']);
  });
  it('a return before the acquire is not live', () => {
    expect(run('if ($x) {\n  return 1;\n}\n$p = acquire();\nrelease($p);').exits).toEqual([]);
  });
  it('released in one branch only', () => {
    expect(run('$p = acquire();\nif ($x) {\n  release($p);\n}').exits).toEqual(['end@end']);
  });
  it('released in both branches', () => {
    expect(run('$p = acquire();\nif ($x) {\n  release($p);\n} else {\n  release($p);\n}').exits).toEqual([]);
  });
  it('a finally that releases covers returns and throws', () => {
    expect(run('$p = acquire();\ntry {\n  if ($x) return 1;\n  throw new E();\n} finally {\n  release($p);\n}').exits).toEqual([]);
  });
  it('a throw before the release, not caught', () => {
    expect(run('$p = acquire();\nif (!$x) {\n  throw new E();\n}\nrelease($p);').exits).toEqual(['throw@3']);
  });
  it('a caught throw flows into the catch, which releases', () => {
    expect(run('$p = acquire();\ntry {\n  throw new E();\n} catch (E $e) {\n  release($p);\n  return;\n}\nrelease($p);').exits).toEqual([]);
  });
  it('acquired in a loop and released after it: reacquired while live', () => {
    expect(run('foreach ($x as $y) {\n  $p = acquire();\n}\nrelease($p);').exits).toEqual(['reacquire@2']);
  });
  it('acquired and released in each iteration', () => {
    expect(run('foreach ($x as $y) {\n  $p = acquire();\n  release($p);\n}').exits).toEqual([]);
  });
  it('a break out of the loop before the release', () => {
    expect(run('while (true) {\n  $p = acquire();\n  if ($x) break;\n  release($p);\n}').exits).toEqual(['end@end']);
  });
  it('an endless loop left only by return', () => {
    expect(run('$p = acquire();\nwhile (true) {\n  if ($x) {\n    release($p);\n    return;\n  }\n}').exits).toEqual([]);
  });
  it('exit() ends the script: not a live exit', () => {
    expect(run('$p = acquire();\nif ($x) {\n  exit(1);\n}\nrelease($p);').exits).toEqual([]);
  });
  it('switch without default may skip the release', () => {
    expect(run('$p = acquire();\nswitch ($x) {\n  case 1:\n    release($p);\n    break;\n}').exits).toEqual(['end@end']);
    expect(run('$p = acquire();\nswitch ($x) {\n  case 1:\n  default:\n    release($p);\n}').exits).toEqual([]);
  });
  it('a release inside a closure does not count', () => {
    expect(run('$p = acquire();\n$f = function () use ($p) { release($p); };').exits).toEqual(['end@end']);
  });
  it('probes: yields while live, not after the release', () => {
    const r = run('yield 0;\n$h = acquire();\nwhile ($x) {\n  yield 1;\n}\nrelease($h);\nyield 2;');
    expect(r.live).toEqual([4]);
  });
  it('goto is unsupported', () => {
    expect(run('$p = acquire();\ngoto a;\na:\nrelease($p);').supported).toBe(false);
  });
});
