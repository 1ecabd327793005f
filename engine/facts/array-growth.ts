import type { Access } from './access.js';
import type { Call, PhpNode } from '../nodes.js';
import { isFunctionLike } from '../nodes.js';
import type { SourceFile } from '../source.js';
import { closestAncestor, enclosingStatement, isWithin } from './ancestry.js';
import { functionName, isThis, varName } from './names.js';
import { nodesUnder } from './subtree.js';

// How an array stored somewhere (a variable, `$this->p`, `self::$p`) grows and shrinks, read
// from the Access facts: which writes add entries, which remove one, which empty it, and
// which `count()` checks bound its size. Shared by unbounded-cache and file-read-into-array.

/** Do two accesses denote the same storage location? */
export function sameStorage(a: Pick<Access, 'storage' | 'name'>, b: Pick<Access, 'storage' | 'name'>): boolean {
  return a.storage === b.storage && a.name === b.name;
}

/**
 * Is this array key fixed when the code is written, so that writes with it cannot add entries
 * without bound: literals, constants, `Foo::class`, magic constants, and the class of `$this`
 * (`static::class`, `get_class($this)`, `get_called_class()`).
 */
export function isConstantKey(node: PhpNode): boolean {
  switch (node.kind) {
    case 'string': case 'number': case 'boolean': case 'nullkeyword': case 'nowdoc': case 'magic': case 'name':
      return true;
    case 'unary': return (node.type === '-' || node.type === '+') && node.what.kind === 'number';
    case 'staticlookup':
      // `self::FOO`, `Foo::class`, `$this::class`, `static::class`: not `Foo::$bar`.
      return node.offset.kind === 'identifier' && (node.what.kind !== 'variable' || isThis(node.what));
    case 'call': {
      const fn = functionName(node);
      if (fn === 'get_called_class' && node.arguments.length === 0) return true;
      if (fn === 'get_class' && (node.arguments.length === 0 || (node.arguments.length === 1 && isThis(node.arguments[0])))) return true;
      return false;
    }
    case 'bin':
      // `'prefix' . self::X`: still one fixed key.
      return node.type === '.' && isConstantKey(node.left) && isConstantKey(node.right);
    default: return false;
  }
}

/** The keys of the `[...]` chain written through `a`, innermost first; `false` for `[]`. */
export function keyChain(a: Access): (PhpNode | false)[] {
  const out: (PhpNode | false)[] = [];
  let n: PhpNode = a.node;
  while (n !== a.outer && n.parent && n.parent.kind === 'offsetlookup') {
    n = n.parent;
    if (n.kind === 'offsetlookup') out.push(n.offset);
  }
  return out;
}

const PUSH_BUILTINS = new Set(['array_push', 'array_unshift']);

/**
 * The expression that adds entries to the array through `a` (`$a[$k] = v`, `$a[] = v`,
 * `$a[$k] ??= v`, `$a[$k] = &$v`, `array_push($a, …)`), or null when the access cannot add
 * entries without bound: reads, compound updates of an existing entry (`$a[$k] .= …`,
 * `$a[$k]++`), and writes whose keys are all fixed by the code (`$a['total'] = …`).
 */
export function growingWrite(a: Access): PhpNode | null {
  if (a.role === 'byref-call') return a.callee !== undefined && PUSH_BUILTINS.has(a.callee) && a.via ? a.via : null;
  if (a.role !== 'keyed' && a.role !== 'append' && a.role !== 'keyed-coalesce') return null;
  const via = a.via;
  if (!via) return null;
  if (via.kind === 'assign') {
    if (via.operator !== '=' && via.operator !== '??=') return null;
  } else if (via.kind !== 'assignref') {
    return null;
  }
  const keys = keyChain(a);
  if (keys.length === 0) return null;
  return keys.some((k) => k === false || !isConstantKey(k)) ? via : null;
}

/**
 * Does the growing write compute its value from the array itself (`$c[$k] = ($c[$k] ?? 0) + 1`,
 * `$c[$k] = array_merge($c[$k] ?? [], …)`)? It updates an aggregate rather than storing a new
 * value. `all` holds the accesses to the same storage.
 */
export function isSelfUpdate(a: Access, all: readonly Access[]): boolean {
  const write = growingWrite(a);
  if (!write || (write.kind !== 'assign' && write.kind !== 'assignref')) return false;
  const right = write.right;
  return all.some((c) => c !== a && c.storage === a.storage && c.name === a.name && isWithin(c.node, right));
}

/** Builtins that remove entries from an array passed by reference. */
export const EVICTING_BUILTINS: ReadonlySet<string> = new Set(['array_shift', 'array_pop', 'array_splice']);
/** Builtins whose result, assigned back to the array, keeps only part of it. */
export const PRUNING_BUILTINS: ReadonlySet<string> = new Set([
  'array_slice', 'array_splice', 'array_filter', 'array_diff_key', 'array_diff', 'array_diff_assoc', 'array_intersect_key',
]);

/** Does `a` remove single entries (`unset($a[$k])`, `array_shift($a)`, `$a = array_slice($a, …)`)? */
export function isEntryEviction(a: Access): boolean {
  if (a.role === 'unset-element') return true;
  if (a.role === 'byref-call') return a.callee !== undefined && EVICTING_BUILTINS.has(a.callee);
  if (a.role === 'assign' && a.via?.kind === 'assign') {
    const r = a.via.right;
    if (r.kind === 'call') {
      const fn = functionName(r);
      return fn !== null && PRUNING_BUILTINS.has(fn);
    }
  }
  return false;
}

/** Is this an empty array literal (`[]`, `array()`)? */
export function isEmptyArray(n: PhpNode | null | undefined): boolean {
  return !!n && n.kind === 'array' && n.items.length === 0;
}

/** Does `a` empty the whole array (`$a = []`, `unset($a)`, `$a = null`)? */
export function isReset(a: Access): boolean {
  if (a.role === 'unset') return true;
  if (a.role === 'assign' && a.via?.kind === 'assign') {
    let r = a.via.right;
    // `self::$cache = $trace = []`: the chained assignment's value.
    while (r.kind === 'assign' && r.operator === '=') r = r.right;
    return isEmptyArray(r) || r.kind === 'nullkeyword' || (r.kind === 'name' && r.name.toLowerCase() === 'null');
  }
  return false;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '===', '!=', '!==', '<=>']);
const CONNECTIVES = new Set(['&&', '||', 'and', 'or', 'xor']);

/** A literal number that only tells empty from non-empty (`count($a) > 0`, `=== 1`). */
function isEmptinessOperand(n: PhpNode): boolean {
  return n.kind === 'number' && Number(n.value) <= 1;
}

/**
 * For a `count($a)` access used in a size comparison that decides control flow
 * (`if (count($a) >= N) …`, `while (count($a) > N) …`, `count($a) < N ? … : …`), the
 * statement or expression whose branches the comparison decides. Emptiness checks
 * (`count($a) > 0`, `if (count($a))`) are not size checks: null.
 */
export function sizeCheckOf(a: Access): PhpNode | null {
  if (a.role !== 'count' || !a.via) return null;
  const call = a.via;
  const cmp = call.parent;
  if (!cmp || cmp.kind !== 'bin' || !COMPARISONS.has(cmp.type)) return null;
  const other = cmp.left === call ? cmp.right : cmp.left;
  if (isEmptinessOperand(other)) return null;
  let child: PhpNode = cmp;
  let p = cmp.parent;
  while (p && ((p.kind === 'bin' && CONNECTIVES.has(p.type)) || (p.kind === 'unary' && p.type === '!') || p.kind === 'cast')) {
    child = p;
    p = p.parent;
  }
  if (!p) return null;
  switch (p.kind) {
    case 'if': case 'while': case 'do': return p.test === child ? p : null;
    case 'for': return p.test.includes(child) ? p : null;
    case 'retif': return p.test === child ? p : null;
    case 'bin':
      // `count($a) >= N && $a = []` style guard inside a larger expression: the whole of it.
      return null;
    default: return null;
  }
}

/** Does `root` contain a statement that leaves its flow (return/throw/break/continue), outside nested functions? */
export function containsJump(root: PhpNode): boolean {
  return nodesUnder(root).some((n) => n.kind === 'return' || n.kind === 'throw' || n.kind === 'break' || n.kind === 'continue'
    || (n.kind === 'expressionstatement' && n.expression.kind === 'throw'));
}

// A class's resets are resolved per growing property by scanning every method body of the
// class (engine/facts/resets.ts): without this, a 300-method class rescans its bodies once per
// property (13 % of tcpdf.php's lint). A subtree's calls never change once it is parsed.
const ownCallsMemo = new WeakMap<PhpNode, readonly string[]>();

/** Methods of the own class called under `root` (`$this->m()`, `self::m()`, `static::m()`), lower-cased. */
export function ownMethodCalls(root: PhpNode): readonly string[] {
  const known = ownCallsMemo.get(root);
  if (known) return known;
  const out = collectOwnMethodCalls(root);
  ownCallsMemo.set(root, out);
  return out;
}

function collectOwnMethodCalls(root: PhpNode): string[] {
  const out: string[] = [];
  for (const n of nodesUnder(root)) {
    if (n.kind !== 'call') continue;
    const w = (n as Call).what;
    if (w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup' && w.kind !== 'staticlookup') continue;
    if (w.offset.kind !== 'identifier') continue;
    const recv = w.what;
    const own = isThis(recv) || recv.kind === 'selfreference' || recv.kind === 'staticreference';
    if (own) out.push(w.offset.name.toLowerCase());
  }
  return out;
}

/**
 * Does the growing write `w` fill the array once rather than accumulate across calls? `all`
 * holds the accesses to the same storage. True when the write
 * - refills it right after replacing it (`$this->map = []; foreach (…) $this->map[$k] = …;`),
 * - runs only while it is empty: under `if ($this->map === null)` / `if (!self::$map)`, or
 *   after `if ($map) { return $map; }`,
 * - is followed in its function by emptying it (`$ids[$id] = $id; load($ids); $ids = [];`):
 *   a batch flushed on the path that fills it.
 */
export function isOneTimeFill(file: SourceFile, w: Access, all: readonly Access[]): boolean {
  return isRebuild(file, w, all) || isFilledWhileEmpty(file, w, all) || isFlushedAfter(file, w, all);
}

function functionOf(n: PhpNode): PhpNode | null {
  return closestAncestor(n, isFunctionLike, true);
}

function start(file: SourceFile, n: PhpNode): number { return file.spanOf(n).start; }

function isRebuild(file: SourceFile, w: Access, all: readonly Access[]): boolean {
  const fn = functionOf(w.node);
  return all.some((b) => {
    if (b.role !== 'assign' || b.via?.kind !== 'assign' || functionOf(b.node) !== fn) return false;
    const right = b.via.right;
    if (all.some((c) => isWithin(c.node, right))) return false; // `$a = $a + …` keeps it
    const stmt = enclosingStatement(b.via);
    return !!stmt.parent && isWithin(w.node, stmt.parent) && !isWithin(w.node, stmt) && start(file, stmt) < start(file, w.node);
  });
}

function isFlushedAfter(file: SourceFile, w: Access, all: readonly Access[]): boolean {
  const fn = functionOf(w.node);
  return all.some((b) => isReset(b) && functionOf(b.node) === fn && start(file, b.node) > start(file, w.node));
}

// Every growing write of a scope asks about the same `if` tests against the same accesses:
// answered once per test (a 1,000-line function otherwise rescans its accesses per write per `if`).
const wholeTests = new WeakMap<readonly Access[], Map<PhpNode, boolean>>();

function isFilledWhileEmpty(file: SourceFile, w: Access, all: readonly Access[]): boolean {
  let known = wholeTests.get(all);
  if (!known) wholeTests.set(all, known = new Map());
  const memo = known;
  // The test asks about the whole array (`=== null`, `!$map`), not about one key.
  const testsWhole = (test: PhpNode): boolean => {
    const hit = memo.get(test);
    if (hit !== undefined) return hit;
    const inTest = all.filter((c) => isWithin(c.node, test));
    const whole = inTest.some((c) => c.depth === 0) && !inTest.some((c) => c.depth > 0 || c.role === 'lookup');
    memo.set(test, whole);
    return whole;
  };
  let child: PhpNode = w.node;
  for (let p = w.node.parent; p && !isFunctionLike(p); child = p, p = p.parent) {
    if (p.kind === 'if' && p.body === child && testsWhole(p.test)) return true;
    if (p.kind !== 'block') continue;
    for (const stmt of p.children) {
      if (stmt === child) break;
      if (stmt.kind === 'if' && !stmt.alternate && stmt.body && testsWhole(stmt.test) && containsJump(stmt.body)
        && start(file, stmt) < start(file, w.node)) return true;
    }
  }
  return false;
}
