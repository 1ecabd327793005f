import type { Access } from '../engine/facts/access.js';
import { containsJump, isEmptyArray, isEntryEviction, keyChain, ownMethodCalls } from '../engine/facts/array-growth.js';
import { closestAncestor, isWithin, thisPropertyName, varName, type ClassFacts } from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { isFunctionLike, type PhpNode } from '../engine/nodes.js';
import type { SourceFile } from '../engine/source.js';

// A memo derived from another array of the same object (listeners sorted by event name, a
// compiled form of each registered pattern) is bounded by that array's keys: its entries are
// evicted when the source entry changes. That bound holds only while the memo stores entries
// for keys the source has. A memo that first stores an empty answer (`$this->sorted[$name] =
// []`) and fills it only when the source has the key keeps one entry for every key ever asked,
// and the eviction, which runs only when the source changes, never removes the misses.

export interface MissEntry {
  /** The write that stores the empty answer for a miss. */
  write: Access;
  /** The other array whose keys bound the memo (`listeners`). */
  source: string;
  /** The guarded fill: written only when the source has the key. */
  fill: Access;
  /** An eviction of the memo, made where the source changes. */
  eviction: Access;
}

/**
 * The write of an empty answer for a key the source array may lack, in a memo whose every
 * eviction is an invalidation made where that source is written. Null when the memo has
 * another eviction (a bound), no eviction, or stores only under the source's guard.
 */
export function missEntry(file: SourceFile, cls: ClassFacts, memo: readonly Access[]): MissEntry | null {
  const evictions = memo.filter(isEntryEviction);
  if (evictions.length === 0 || evictions.some((e) => e.role !== 'unset-element')) return null;
  for (const w of memo) {
    if (!isEmptyAnswer(w)) continue;
    const key = keyChain(w)[0];
    if (!key || key.kind !== 'variable') continue;
    const fn = functionOf(w.node);
    const keyText = file.textOf(key);
    for (const fill of memo) {
      if (fill === w || fill.role !== 'keyed' || fill.depth !== 1 || functionOf(fill.node) !== fn) continue;
      if (!sameKey(file, fill, keyText)) continue;
      const guard = sourceGuard(file, cls, fill, w, keyText);
      if (!guard) continue;
      // Every eviction must be the invalidation the source's writes make: anything else may bound it.
      const eviction = evictions.find((e) => invalidates(cls, e, guard.source));
      if (!eviction || !evictions.every((e) => invalidates(cls, e, guard.source))) return null;
      if (onlyCalledForSourceKeys(file, cls, fn, key, guard.source)) return null;
      return { write: w, source: guard.source, fill, eviction };
    }
  }
  return null;
}

/** `$c[$k] = []`, `= array()`, `= null`, `= false`: an answer that says "nothing here". */
function isEmptyAnswer(w: Access): boolean {
  if (w.role !== 'keyed' || w.depth !== 1 || w.via?.kind !== 'assign' || w.via.operator !== '=') return false;
  const r = w.via.right;
  return isEmptyArray(r) || r.kind === 'nullkeyword' || r.kind === 'boolean' && r.value === false
    || (r.kind === 'name' && /^(null|false)$/i.test(r.name));
}

function sameKey(file: SourceFile, a: Access, keyText: string): boolean {
  const k = keyChain(a)[0];
  return !!k && file.textOf(k) === keyText;
}

/**
 * The `if` around `fill` that tests the source has the key (`isset($this->listeners[$k])`,
 * `array_key_exists($k, $this->listeners)`, `!empty(…)`) and does not enclose the empty write.
 */
function sourceGuard(file: SourceFile, cls: ClassFacts, fill: Access, empty: Access, keyText: string): { source: string } | null {
  for (let p = fill.node.parent; p && !isFunctionLike(p); p = p.parent) {
    if (p.kind !== 'if' || isWithin(empty.node, p)) continue;
    if (!p.body || !isWithin(fill.node, p.body)) continue;
    const looked = cls.accesses.find((a) => a.role === 'lookup' && a.name !== fill.name && a.storage === fill.storage
      && isWithin(a.node, p.test) && (a.depth === 1 ? sameKey(file, a, keyText) : lookupKey(file, a) === keyText));
    if (looked) return { source: looked.name };
  }
  return null;
}

/** The key of `array_key_exists($k, $this->p)`. */
function lookupKey(file: SourceFile, a: Access): string | null {
  const k = a.via?.kind === 'call' ? a.via.arguments[0] : undefined;
  return k ? file.textOf(k) : null;
}

/** Is the eviction made in a function that also writes the source array (an invalidation on change)? */
function invalidates(cls: ClassFacts, eviction: Access, source: string): boolean {
  const fn = functionOf(eviction.node);
  if (!fn) return false;
  return cls.accesses.some((a) => a.name === source && a.storage === eviction.storage && functionOf(a.node) === fn
    && (a.role === 'keyed' || a.role === 'append' || a.role === 'unset-element' || a.role === 'byref-call'));
}

/**
 * Is `fn` a private or protected helper that the class calls only for keys the source has:
 * under `isset($this->source[$k])`, after `if (!isset($this->source[$k])) return …;`, or in
 * `foreach ($this->source as $k => …)`? Then its empty answer is never stored for a miss.
 */
function onlyCalledForSourceKeys(file: SourceFile, cls: ClassFacts, fn: PhpNode | null, key: PhpNode, source: string): boolean {
  if (!fn || fn.kind !== 'method' || (fn.visibility !== 'private' && fn.visibility !== 'protected')) return false;
  const index = fn.arguments.findIndex((p) => p.name?.name === varName(key));
  if (index < 0) return false;
  const name = fn.name.name.toLowerCase();
  const calls = cls.scopes.flatMap((s) => s.calls.filter((c) => ownMethodCalls(c)[0] === name));
  return calls.length > 0 && calls.every((c) => {
    const arg = c.arguments[index];
    if (!arg) return false;
    const k = file.textOf(arg);
    const looksUp = (test: PhpNode): boolean => cls.accesses.some((a) => a.role === 'lookup' && a.name === source && isWithin(a.node, test)
      && (a.depth === 1 ? keyChain(a)[0] !== undefined && file.textOf(keyChain(a)[0] as PhpNode) === k : lookupKey(file, a) === k));
    for (let p = c.parent; p && !isFunctionLike(p); p = p.parent) {
      if (p.kind === 'if' && p.body && isWithin(c, p.body) && looksUp(p.test)) return true;
      if (p.kind === 'foreach' && thisPropertyName(p.source) === source && p.key && file.textOf(p.key) === k) return true;
    }
    // `if (!isset($this->source[$k])) { return []; }` earlier in the same function.
    const caller = functionOf(c);
    return !!caller && nodesUnder(caller).some((n) => n.kind === 'if' && file.spanOf(n).end <= file.spanOf(c).start
      && n.test.kind === 'unary' && n.test.type === '!' && looksUp(n.test) && !!n.body && containsJump(n.body));
  });
}

function functionOf(n: PhpNode): PhpNode | null {
  return closestAncestor(n, isFunctionLike, true);
}
