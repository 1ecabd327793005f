import type { Loop, PhpNode } from '../nodes.js';
import { literalValue, varName } from './names.js';

// How many times does a loop run when the code itself fixes it? `foreach ([$a, $b] as …)`
// runs twice and `for ($i = 0; $i < 10; $i++)` ten times whatever the input: cost that grows
// per iteration (copies, managed entities) stays small there. Anything else: null (unknown).

/** The number of iterations the loop's own text fixes, or null. */
export function fixedIterationCount(loop: Loop): number | null {
  if (loop.kind === 'foreach') {
    const src = loop.source;
    if (src.kind !== 'array') return null;
    if (src.items.some((it) => it.kind === 'entry' && it.unpack)) return null;
    return src.items.length;
  }
  if (loop.kind === 'for') return forCount(loop);
  return null;
}

function forCount(loop: Extract<Loop, { kind: 'for' }>): number | null {
  if (loop.init.length !== 1 || loop.test.length !== 1 || loop.increment.length !== 1) return null;
  const init = loop.init[0]!;
  if (init.kind !== 'assign' || init.operator !== '=') return null;
  const counter = varName(init.left);
  const start = numberOf(init.right);
  if (counter === null || start === null) return null;
  const step = stepOf(loop.increment[0]!, counter);
  if (step === null || step === 0) return null;
  const test = loop.test[0]!;
  if (test.kind !== 'bin') return null;
  // Normalise to `$i OP end`.
  let op = test.type;
  let end: number | null;
  if (varName(test.left) === counter) end = numberOf(test.right);
  else if (varName(test.right) === counter) { end = numberOf(test.left); op = FLIP[op] ?? ''; }
  else return null;
  if (end === null) return null;
  let n: number;
  if (step > 0 && (op === '<' || op === '<=' || op === '!=' || op === '!==')) n = Math.ceil((end - start + (op === '<=' ? 1 : 0)) / step);
  else if (step < 0 && (op === '>' || op === '>=' || op === '!=' || op === '!==')) n = Math.ceil((start - end + (op === '>=' ? 1 : 0)) / -step);
  else return null;
  return Number.isFinite(n) ? Math.max(0, n) : null;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '!=': '!=', '!==': '!==' };

function numberOf(n: PhpNode): number | null {
  const v = literalValue(n);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** `$i++`, `++$i`, `$i--`, `$i += 2`, `$i -= 1`, `$i = $i + 1`: the step, else null. */
function stepOf(n: PhpNode, counter: string): number | null {
  if ((n.kind === 'post' || n.kind === 'pre') && varName(n.what) === counter) return n.type === '+' ? 1 : n.type === '-' ? -1 : null;
  if (n.kind === 'assign' && varName(n.left) === counter) {
    if (n.operator === '+=' || n.operator === '-=') {
      const k = numberOf(n.right);
      return k === null ? null : n.operator === '+=' ? k : -k;
    }
    if (n.operator === '=' && n.right.kind === 'bin' && varName(n.right.left) === counter && (n.right.type === '+' || n.right.type === '-')) {
      const k = numberOf(n.right.right);
      return k === null ? null : n.right.type === '+' ? k : -k;
    }
  }
  return null;
}

/** How many times a nest of loops runs its body in all, when every loop's count is fixed; else null. */
export function fixedIterationTotal(loops: readonly Loop[]): number | null {
  let total = 1;
  for (const l of loops) {
    const n = fixedIterationCount(l);
    if (n === null) return null;
    total *= n;
  }
  return total;
}
