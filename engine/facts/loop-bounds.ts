import type { Loop, PhpNode } from '../nodes.js';
import { isLoop } from '../nodes.js';
import { isWithin } from './ancestry.js';
import { nodesUnder } from './subtree.js';
import { functionName, varName } from './names.js';
import type { Scope } from './scopes.js';

// Does a loop stop after a number of iterations or items that the code fixes, whatever the
// size of its input? (`for ($i = 0; $i < $n; $i++)`, `while (count($rows) < 100 && …)`,
// `if (++$read >= $limit) break;`.)

const RELATIONAL = new Set(['<', '<=', '>', '>=', '==', '===']);
const SIZE_FUNCTIONS = new Set(['count', 'sizeof', 'strlen', 'mb_strlen', 'ftell']);

/** Variables that count within `loop`: incremented, decremented or added to (`$i++`, `$n += 1`). */
export function loopCounters(loop: Loop, scope: Scope): Set<string> {
  const out = new Set<string>();
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.role !== 'compound' || !isWithin(a.node, loop)) continue;
    const via = a.via;
    if (!via) continue;
    if (via.kind === 'pre' || via.kind === 'post' || (via.kind === 'assign' && (via.operator === '+=' || via.operator === '-='))) out.add(a.name);
  }
  return out;
}

/** Is `n` a measure of progress: `count(…)`, `strlen(…)`, a counter, or `$i++`/`++$i` on one? */
function isMeasure(n: PhpNode, counters: ReadonlySet<string>): boolean {
  if (n.kind === 'call') {
    const fn = functionName(n);
    return fn !== null && SIZE_FUNCTIONS.has(fn);
  }
  if (n.kind === 'pre' || n.kind === 'post') return isMeasure(n.what, counters);
  const v = varName(n);
  return v !== null && counters.has(v);
}

/** Does the condition `cond` compare a measure of progress with something? */
function comparesMeasure(cond: PhpNode, counters: ReadonlySet<string>): boolean {
  return nodesUnder(cond).some((n) => n.kind === 'bin' && RELATIONAL.has(n.type)
    && (isMeasure(n.left, counters) || isMeasure(n.right, counters)));
}

/** The tests of a loop (while/do/for; a foreach has none). */
function loopTests(loop: Loop): PhpNode[] {
  switch (loop.kind) {
    case 'while': case 'do': return [loop.test];
    case 'for': return loop.test;
    case 'foreach': return [];
  }
}

/** Does `jump` (a break/return/throw inside `loop`) leave `loop`? */
function leavesLoop(jump: PhpNode, loop: Loop): boolean {
  if (jump.kind !== 'break') return true;
  const lvl = jump.level && jump.level.kind === 'number' ? Number(jump.level.value) : 1;
  let depth = 0;
  for (let p = jump.parent; p && p !== loop; p = p.parent) {
    if (isLoop(p) || p.kind === 'switch') depth++;
  }
  return depth < lvl;
}

/**
 * Does `loop` stop at a count bound: a test, or the condition of an `if` that leaves the loop,
 * compares a size (`count`, `strlen`, `ftell`) or a counter of the loop with a limit?
 */
export function stopsAtCount(loop: Loop, scope: Scope): boolean {
  const counters = loopCounters(loop, scope);
  if (loop.kind === 'for') for (const i of loop.increment) { const v = varName(i.kind === 'pre' || i.kind === 'post' ? i.what : null); if (v) counters.add(v); }
  if (loopTests(loop).some((t) => comparesMeasure(t, counters))) return true;
  if (!loop.body) return false;
  for (const n of nodesUnder(loop.body)) {
    if (n.kind !== 'if') continue;
    if (!comparesMeasure(n.test, counters)) continue;
    const branches = [n.body, n.alternate].filter((b): b is PhpNode => b !== null);
    const leaves = branches.some((b) => nodesUnder(b).some((j) => (j.kind === 'break' || j.kind === 'return' || j.kind === 'throw') && leavesLoop(j, loop)));
    if (leaves) return true;
  }
  return false;
}
