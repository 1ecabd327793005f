import { WRITE_ROLES, type Access } from '../engine/facts/access.js';
import { growingWrite, isEmptyArray, keyChain } from '../engine/facts/array-growth.js';
import { closestAncestor, isWithin } from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { isFunctionLike, type PhpNode } from '../engine/nodes.js';
import type { SourceFile } from '../engine/source.js';
import type { CacheStore } from './unbounded-cache-fix.js';

// When is evicting an entry invisible? Only for a pure cache: every entry is a value
// recomputable from its key, stored by a function that looks the key up, computes on a miss,
// stores and hands the stored value back, and nothing else reads the array. Then an evicted
// entry is simply computed again. Anything else (a registry, a set of seen keys, counters,
// id generators, a graph, an array that is iterated, counted, returned, exported or read by a
// function that does not recompute a miss) loses data when an entry goes: Symfony's YAML
// anchors, WordPress's Translations and unique ids, Drupal's module graph all broke that way.

export type EvictionVerdict = 'safe' | { unsafe: string } | 'no-fix';

type FnNode = PhpNode | null;

function fnOf(n: PhpNode): FnNode {
  return closestAncestor(n, isFunctionLike, true);
}

function fnLabel(fn: FnNode): string {
  const name = fn && (fn.kind === 'method' || fn.kind === 'function') ? fn.name.name : null;
  return name ? `${name}()` : 'a closure';
}

/** The key path of a keyed access, whitespace-free (`$k`, `$a][$b`), or null for `[]`/none. */
function keyText(file: SourceFile, a: Access): string | null {
  if (a.depth === 0) {
    // array_key_exists($k, $c)
    const k = a.role === 'lookup' && a.via?.kind === 'call' ? a.via.arguments[0] : undefined;
    return k ? file.textOf(k).replace(/\s+/g, '') : null;
  }
  const ks = keyChain(a);
  if (ks.length === 0 || ks.some((k) => k === false)) return null;
  return ks.map((k) => file.textOf(k as PhpNode).replace(/\s+/g, '')).join('][');
}

function isLookupRole(a: Access): boolean {
  return a.role === 'lookup' || (a.role === 'keyed-read' && a.outer.parent?.kind === 'empty');
}

/** Does `root` contain an access to the store? */
function touches(s: CacheStore, root: PhpNode): boolean {
  return s.accesses.some((a) => isWithin(a.node, root));
}

/**
 * Is evicting from `s` invisible to the program? 'no-fix' for counters and lists (evicting
 * restarts a counter or drops an item: ids repeat, data goes), an unsafe verdict with the
 * reason for everything else that is not a pure cache.
 */
export function evictionVerdict(file: SourceFile, s: CacheStore): EvictionVerdict {
  const d = s.decl;
  const visibility = d.kind === 'property' && d.parent?.kind === 'propertystatement' ? d.parent.visibility ?? 'public' : d.kind === 'parameter' ? 'promoted' : 'private';
  const counters = s.accesses.find((a) => a.depth > 0 && (a.role === 'compound' || (a.role === 'keyed' && (a.via?.kind === 'pre' || a.via?.kind === 'post'
    || (a.via?.kind === 'assign' && a.via.operator !== '=' && a.via.operator !== '??=')))));
  if (counters) return 'no-fix';
  if (s.accesses.some((a) => a.role === 'append' || (a.role === 'byref-call' && growingWrite(a) !== null))) return 'no-fix';
  if (visibility !== 'private') return { unsafe: `$${s.name} is ${visibility}: code elsewhere may read its entries and rely on them being there` };

  const writes = s.accesses.filter((a) => growingWrite(a) !== null);
  const memoFns = new Set(writes.map((w) => fnOf(w.node)));
  for (const a of s.accesses) {
    const where = fnLabel(fnOf(a.node));
    if (writes.includes(a) || a.role === 'unset-element' || a.role === 'unset') continue;
    // `static $c = [];` itself
    if (a.node === d || isWithin(a.node, d) || a.node.parent?.kind === 'staticvariable' || a.node.parent?.kind === 'static') continue;
    if (a.role === 'assign' && a.depth === 0 && a.via?.kind === 'assign' && isEmptyArray(a.via.right)) continue;
    if (a.role === 'lookup' || a.role === 'keyed-read') {
      if (!memoFns.has(fnOf(a.node))) return { unsafe: `${where} reads entries without recomputing a missing one, so it relies on them being there` };
      continue;
    }
    if (a.role === 'count') return { unsafe: `${where} counts the entries` };
    if (a.role === 'byref-call' || a.role === 'foreach-ref' || a.role === 'assign-ref') return { unsafe: `${where} takes it by reference` };
    if (a.role === 'assign') return { unsafe: `${where} replaces it with other entries` };
    return { unsafe: `${where} uses the whole array (iterates, returns, passes or exports it)` };
  }

  for (const w of writes) {
    const via = w.via!;
    const fn = fnOf(w.node);
    const where = fnLabel(fn);
    if (via.kind === 'assignref') return { unsafe: `${where} stores references` };
    const value = via.kind === 'assign' ? via.right : null;
    if (value && touches(s, value)) return { unsafe: `${where} computes an entry from the array itself` };
    const key = keyText(file, w);
    const inFn = s.accesses.filter((a) => a !== w && fnOf(a.node) === fn);
    if (key === null || inFn.some((a) => a.depth > 0 && a.depth !== w.depth)) return { unsafe: `${where} reads groups of entries` };
    const looked = w.role === 'keyed-coalesce' || inFn.some((a) => isLookupRole(a) && keyText(file, a) === key)
      || inFn.some((a) => a.role === 'keyed-read' && keyText(file, a) === key && a.outer.parent?.kind === 'bin' && a.outer.parent.type === '??');
    if (!looked) return { unsafe: `${where} stores without looking the key up first: not a check-compute-store cache, the entries are data` };
    if (value && isGiven(value, fn)) return { unsafe: `${where} stores what its caller gave: an evicted entry cannot be computed again` };
    if (value && createsObject(value, fn)) return { unsafe: `${where} stores a new object: callers may change it, and one computed again is a different, fresh object` };
    const other = otherStateWritten(s, fn);
    if (other) return { unsafe: `computing an entry in ${where} also changes ${other}, so computing it again gives another result` };
    if (!handsBack(file, s, w, inFn, key)) return { unsafe: `${where} does not return the stored value, so what it does depends on whether the key was seen before` };
    const exit = presenceExit(s, fn);
    if (exit) return { unsafe: `${where} ${exit} depending on whether the key is there: it relies on which keys were stored` };
  }
  return writes.length > 0 ? 'safe' : { unsafe: 'no write to bound' };
}

/** Is the stored value a parameter of the function as given (`$this->data[$k] = $data`)? */
function isGiven(value: PhpNode, fn: FnNode): boolean {
  if (value.kind !== 'variable' || typeof value.name !== 'string' || !fn || !('arguments' in fn)) return false;
  return (fn.arguments as PhpNode[]).some((p) => p.kind === 'parameter' && p.name?.name === value.name);
}

/**
 * Does the function give the stored value back (`return $c[$k] ??= …`, `return $c[$k] = …`,
 * `… $c[$k]` read after the store, `$c[$k] = $v; return $v;`)?
 */
function handsBack(file: SourceFile, s: CacheStore, w: Access, inFn: readonly Access[], key: string): boolean {
  const via = w.via!;
  const parent = via.parent;
  if (parent && parent.kind !== 'expressionstatement') return true;
  if (inFn.some((a) => a.role === 'keyed-read' && !isLookupRole(a) && keyText(file, a) === key)) return true;
  const value = via.kind === 'assign' ? via.right : null;
  if (value?.kind === 'variable' && typeof value.name === 'string') {
    const fn = fnOf(w.node);
    const v = value.name;
    return !!fn && nodesUnder(fn).some((n) => n.kind === 'return' && n.expr?.kind === 'variable' && n.expr.name === v && fnOf(n) === fn);
  }
  return false;
}

/**
 * Does the function leave early (return something else, throw, skip) when a lookup finds the
 * key (`if (isset($seen[$k])) { return false; }`)? Returning the entry itself is a cache hit.
 */
function presenceExit(s: CacheStore, fn: FnNode): string | null {
  if (!fn) return null;
  for (const a of s.accesses) {
    if (!isLookupRole(a) || fnOf(a.node) !== fn) continue;
    const cond = closestAncestor(a.node, (n) => n.kind === 'if' || isFunctionLike(n));
    if (!cond || cond.kind !== 'if' || !isWithin(a.node, cond.test)) continue;
    for (const branch of [cond.body, cond.alternate]) {
      if (!branch) continue;
      for (const n of [branch, ...nodesUnder(branch)]) {
        if (n.kind === 'throw') return 'throws';
        if (n.kind === 'continue' || n.kind === 'break') return 'skips';
        if (n.kind === 'return' && !(n.expr && touches(s, n.expr))) return 'returns something other than the entry';
      }
    }
  }
  return null;
}

/** Is the value (or the local variable it is) a `new` object? Reflection objects are values. */
function createsObject(value: PhpNode, fn: FnNode): boolean {
  const isNew = (n: PhpNode): boolean => [n, ...nodesUnder(n)].some((x) => x.kind === 'new'
    && !(x.what.kind === 'name' && typeof x.what.name === 'string' && /^\\?Reflection[A-Za-z]*$/.test(x.what.name)));
  if (isNew(value)) return true;
  if (value.kind !== 'variable' || typeof value.name !== 'string' || !fn) return false;
  const v = value.name;
  return nodesUnder(fn).some((n) => n.kind === 'assign' && n.left.kind === 'variable' && n.left.name === v && isNew(n.right));
}

/**
 * Does the memo function, or a method of its class it calls (transitively), write a property
 * other than the cache (`$this->usedMethodNames[…] = true`)? Then the value is not a function
 * of the key alone: computed again, it can differ (a second method name, a new counter value).
 */
function otherStateWritten(s: CacheStore, fn: FnNode): string | null {
  const cls = s.cls;
  if (!cls || !fn) return null;
  const seen = new Set<PhpNode>();
  const queue: PhpNode[] = [fn];
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const scope = cls.scopes.find((sc) => sc.node === f);
    if (!scope) continue;
    const write = scope.accesses.find((a) => a.storage !== 'var' && a.name !== s.name && WRITE_ROLES.has(a.role));
    if (write) return write.storage === 'prop' ? `$this->${write.name}` : `::$${write.name}`;
    for (const c of scope.calls) {
      const w = c.what;
      const own = (w.kind === 'propertylookup' && w.what.kind === 'variable' && w.what.name === 'this')
        || (w.kind === 'staticlookup' && w.what.kind === 'name' && /^(self|static|parent)$/i.test(String(w.what.name)));
      if (!own || w.offset.kind !== 'identifier' || typeof w.offset.name !== 'string') continue;
      const name = w.offset.name.toLowerCase();
      const m = [...cls.methods.entries()].find(([k]) => k.toLowerCase() === name)?.[1];
      if (m) queue.push(m);
    }
  }
  return null;
}
