import type { Method, PhpNode } from '../engine/nodes.js';
import { accessesByProperty, callReceiver, isThis, methodName, type ClassFacts } from '../engine/facts/index.js';
import { isReset } from '../engine/facts/array-growth.js';
import { RESET_INTERFACES, implementedInterfaces } from '../engine/facts/services.js';

// A `reset()` that records instead of emptying: the resetter calls it between every request and
// message, so a reset that appends (a traceable decorator logging the call to reset() itself in
// the list of calls it should have cleared) grows the very state it was meant to bound, and
// nothing else ever empties it. Any class that implements the reset contract declares itself
// long-lived: it is reset because it is kept.

export interface GrowingReset {
  prop: string;
  /** The append in reset(), or the call in reset() that reaches it. */
  at: PhpNode;
  /** The method that appends: `reset` itself or a helper it calls (`start`). */
  method: string;
  /** A method of the class that empties it, not reached from reset() (`clearCalls`), if any. */
  emptiedBy: string | null;
}

function nameOf(m: Method): string {
  return typeof m.name === 'string' ? m.name : m.name.name;
}

/** reset() and the own methods it calls through `$this->m()` (four levels), each with the call in reset() that reaches it. */
function reachedFromReset(cls: ClassFacts): Map<Method, PhpNode | null> {
  const out = new Map<Method, PhpNode | null>();
  const reset = cls.methods.get('reset');
  let frontier: [Method, PhpNode | null][] = reset ? [[reset, null]] : [];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: [Method, PhpNode | null][] = [];
    for (const [m, via] of frontier) {
      if (out.has(m)) continue;
      out.set(m, via);
      const scope = cls.scopes.find((s) => s.node === m);
      for (const call of scope?.calls ?? []) {
        const r = callReceiver(call);
        const callee = methodName(call);
        const target = callee && r && isThis(r) ? cls.methods.get(callee.toLowerCase()) : undefined;
        if (target) next.push([target, via ?? call]);
      }
    }
    frontier = next;
  }
  return out;
}

function methodOf(n: PhpNode): Method | null {
  for (let p = n.parent; p; p = p.parent) if (p.kind === 'method') return p;
  return null;
}

/**
 * The first property that `reset()` of a ResetInterface class appends to (itself or through an
 * own method) without emptying it on the same path, or null.
 */
export function growingReset(cls: ClassFacts): GrowingReset | null {
  if (![...implementedInterfaces(cls)].some((i) => RESET_INTERFACES.has(i))) return null;
  const reached = reachedFromReset(cls);
  if (reached.size === 0) return null;
  const inReset = (n: PhpNode): Method | null => {
    const m = methodOf(n);
    return m && reached.has(m) ? m : null;
  };
  for (const [prop, accesses] of accessesByProperty(cls.accesses)) {
    const append = accesses.find((a) => (a.role === 'append' || (a.role === 'byref-call' && a.callee === 'array_push')) && inReset(a.node));
    if (!append) continue;
    if (accesses.some((a) => isReset(a) && inReset(a.node))) continue;
    const other = accesses.map((a) => (isReset(a) ? methodOf(a.node) : null)).find((m): m is Method => !!m && nameOf(m).toLowerCase() !== '__construct');
    // Where reset() does it: the append itself, or the call in reset() that leads to it.
    const at = reached.get(inReset(append.node)!) ?? append.via ?? append.outer;
    return { prop, at, method: nameOf(inReset(append.node)!), emptiedBy: other ? nameOf(other) : null };
  }
  return null;
}
