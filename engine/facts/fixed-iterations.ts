import type { Loop, PhpNode } from '../nodes.js';
import { literalValue, varName } from './names.js';
import type { Scope } from './scopes.js';
import { WRITE_ROLES } from './access.js';

// How many times does a loop run when the code itself fixes it? `foreach ([$a, $b] as …)`
// runs twice and `for ($i = 0; $i < 10; $i++)` ten times whatever the input: cost that grows
// per iteration (copies, managed entities) stays small there. Anything else: null (unknown).

/**
 * The number of iterations the code fixes, or null. With the loop's scope, a `foreach` over a
 * local variable every assignment of which is a literal array (`$tags = ['a' => …, …];
 * foreach ($tags as …)`, never appended to) or over a class constant holding one
 * (`self::DEFAULT_ROLES`) counts too: the largest of its possible values.
 */
export function fixedIterationCount(loop: Loop, scope?: Scope): number | null {
  if (loop.kind === 'foreach') return literalArraySize(loop.source, scope ?? null, 0);
  if (loop.kind === 'for') return forCount(loop);
  return null;
}

function literalArraySize(src: PhpNode, scope: Scope | null, depth: number): number | null {
  if (depth > 3) return null;
  if (src.kind === 'array') {
    if (src.items.some((it) => it.kind === 'entry' && it.unpack)) return null;
    return src.items.length;
  }
  if (!scope) return null;
  if (src.kind === 'staticlookup' && src.offset.kind === 'identifier' && (src.what.kind === 'selfreference' || src.what.kind === 'staticreference') && scope.cls) {
    const value = scope.cls.constants.get(src.offset.name);
    return value ? literalArraySize(value, null, depth + 1) : null;
  }
  const v = varName(src);
  if (v === null || scope.params.has(v) || scope.staticVars.has(v) || scope.globals.has(v)) return null;
  let max: number | null = null;
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== v) continue;
    if (!WRITE_ROLES.has(a.role)) continue;
    // Any other write (an append, a keyed write, a by-reference call) may grow it.
    if (a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.left !== a.node || a.via.operator !== '=') return null;
    const n = literalArraySize(a.via.right, scope, depth + 1);
    if (n === null) return null;
    max = Math.max(max ?? 0, n);
  }
  return max;
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
export function fixedIterationTotal(loops: readonly Loop[], scope?: Scope): number | null {
  let total = 1;
  for (const l of loops) {
    const n = fixedIterationCount(l, scope);
    if (n === null) return null;
    total *= n;
  }
  return total;
}

/**
 * Does a `foreach` walk a list that configuration sets, `$this->servers` written only in the
 * constructor from its parameters (or literal arrays)? Such lists are the application's set-up
 * (servers, default settings, locales), sized by a person, not by data.
 */
export function iteratesConfiguration(loop: Loop, scope: Scope): boolean {
  if (loop.kind !== 'foreach' || !scope.cls) return false;
  const src = loop.source;
  if (src.kind !== 'propertylookup' || varName(src.what) !== 'this' || src.offset.kind !== 'identifier') return false;
  const name = src.offset.name;
  const ctor = scope.cls.methods.get('__construct');
  if (!ctor) return false;
  const params = new Set(ctor.arguments.map((p) => p.name?.name).filter((n): n is string => !!n));
  // Promoted constructor parameter: `public function __construct(private array $servers)`.
  if (ctor.arguments.some((p) => p.flags && p.name?.name === name)) return !writesProperty(scope, name);
  let assigned = false;
  for (const a of scope.cls.accesses) {
    if (a.storage !== 'prop' || a.name !== name || !WRITE_ROLES.has(a.role)) continue;
    if (!within(a.node, ctor) || a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.left !== a.node) return false;
    const right = a.via.right;
    const v = varName(right);
    if (!(right.kind === 'array' || (v !== null && params.has(v)))) return false;
    assigned = true;
  }
  return assigned;
}

function writesProperty(scope: Scope, name: string): boolean {
  return scope.cls!.accesses.some((a) => a.storage === 'prop' && a.name === name && WRITE_ROLES.has(a.role));
}

function within(n: PhpNode, root: PhpNode): boolean {
  for (let p: PhpNode | undefined = n; p; p = p.parent) if (p === root) return true;
  return false;
}
