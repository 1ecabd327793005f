import type { ArrowFunc, Closure, Method, PhpNode } from '../engine/nodes.js';
import { isFunctionLike } from '../engine/nodes.js';
import { isWithin, thisPropertyName, type ClassFacts, type Scope } from '../engine/facts/index.js';
import { bindsThis } from '../engine/facts/registrations.js';

// When a closure cycle is real but changing the code frees nothing, a maintainer does not act
// (the reviews of laravel `PendingRequest`, yii2 `ActiveQuery`, flarum `InstalledSite`):
// - the object is in a cycle anyway: its constructor stores another bound closure in `$this`
//   on every path, so a `static` on this one leaves every instance to the collector all the same;
// - the class breaks the cycle itself: another method sets the property to null or `[]` (yii2's
//   `prepare()` empties `$this->joinWith` before the query runs), so the closure does not
//   outlive the step that uses it;
// - the code runs once per process: a cycle made while booting the application is one object
//   graph for the life of the process, not one per request.

/**
 * Does the constructor of `cls`, on every path (a statement of its body, not inside an `if` or
 * a loop), store a closure bound to `$this` into `$this` other than `closure`? When `closure`
 * is itself one of the constructor's, only a sibling that needs `$this` counts (both could
 * otherwise become static together).
 */
export function alreadyInCycle(cls: ClassFacts, closure: Closure | ArrowFunc, staticSafe: (fn: Closure | ArrowFunc) => boolean): PhpNode | null {
  const ctor = cls.methods.get('__construct');
  if (!ctor || !ctor.body || ctor.body.kind !== 'block') return null;
  const inCtor = isWithin(closure, ctor);
  for (const stmt of ctor.body.children) {
    if (stmt.kind !== 'expressionstatement' || stmt.expression.kind !== 'assign' || stmt.expression.operator !== '=') continue;
    if (storedProperty(stmt.expression.left) === null) continue;
    for (const fn of keptClosures(stmt.expression.right)) {
      if (fn === closure || !bindsThis(fn)) continue;
      if (inCtor && staticSafe(fn)) continue;
      return fn;
    }
  }
  return null;
}

/** `$this->p`, `$this->p[…]`: the property. */
function storedProperty(left: PhpNode): string | null {
  let n = left;
  while (n.kind === 'offsetlookup') n = n.what;
  return thisPropertyName(n);
}

/**
 * Closures an expression keeps in its value: itself, items of an array, arguments of `new`
 * (a collection keeps what it is built from). Not arguments of calls: `array_map(fn …, $x)`
 * runs the closure and drops it.
 */
function keptClosures(expr: PhpNode): (Closure | ArrowFunc)[] {
  const out: (Closure | ArrowFunc)[] = [];
  const stack: PhpNode[] = [expr];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'closure' || n.kind === 'arrowfunc') { out.push(n); continue; }
    if (isFunctionLike(n)) continue;
    if (n.kind === 'array') for (const it of n.items) { if (it) stack.push(it.kind === 'entry' ? it.value : it); }
    else if (n.kind === 'new') stack.push(...n.arguments);
    else if (n.kind === 'retif') stack.push(n.trueExpr ?? n.test, n.falseExpr);
  }
  return out;
}

/**
 * Does a method of `cls` other than the one at `store` (and other than the constructor) set
 * `$this->prop` to null or `[]`, or unset it? The class then ends the cycle when it is done
 * with the closures.
 */
export function brokenByOwner(cls: ClassFacts, prop: string, store: PhpNode): boolean {
  const storing = enclosingMethod(store);
  return cls.accesses.some((a) => {
    if (a.storage !== 'prop' || a.name !== prop || a.depth !== 0) return false;
    const m = enclosingMethod(a.node);
    if (!m || m === storing || methodNameOf(m) === '__construct') return false;
    if (a.role === 'unset') return true;
    if (a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.operator !== '=') return false;
    const r = a.via.right;
    return r.kind === 'nullkeyword' || (r.kind === 'name' && r.name.toLowerCase() === 'null') || (r.kind === 'array' && r.items.length === 0);
  });
}

function enclosingMethod(n: PhpNode): Method | null {
  for (let p = n.parent; p; p = p.parent) if (p.kind === 'method') return p;
  return null;
}

function methodNameOf(m: Method): string {
  return declaredName(m).toLowerCase();
}

/** The name as written (scopes keep it lower-cased; camelCase tells `bootLaravel` from `booted`). */
function declaredName(n: PhpNode): string {
  const name = (n as { name?: string | { name?: string } | null }).name;
  return typeof name === 'string' ? name : name?.name ?? '';
}
