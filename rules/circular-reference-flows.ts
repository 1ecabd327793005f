import type { ArrowFunc, Assign, Call, Closure, PhpNode } from '../engine/nodes.js';
import { isFunctionLike } from '../engine/nodes.js';
import { callReceiver, functionName, methodName, varName, type ClassFacts, type Facts, type Scope } from '../engine/facts/index.js';
import { bindsThis } from '../engine/facts/registrations.js';
import { nodesUnder } from '../engine/facts/subtree.js';

// Where a value goes inside a class or a file, for the closure-cycle shapes that the one-line
// forms (`$this->p = function …`, `$conn = new …; $conn->on(…, use ($conn))`) miss in real code:
// closures built in a helper, put in an array, returned and merged into `$this->p` by the
// caller; an emitter made with `new` in the caller and handed to the private method that adds
// the listener.

/** A bound closure that reaches a property of `$this`, and the assignment that stores it there. */
export interface StoredClosure { closure: Closure | ArrowFunc; store: PhpNode; prop: string }

/** Array builtins whose result holds their arguments' elements (`array_merge($this->p, $new)`). */
const PASSES_ELEMENTS = /^array_(merge|replace|merge_recursive|replace_recursive|values|filter|reverse|slice|pad|unique)$/;

/**
 * Bound closures of `cls` that end up in one of its properties through locals, arrays and the
 * return values of its own methods (`$x = $this->parse(…); $this->p = array_merge($this->p, $x)`),
 * but not directly (`$this->p = function …` is the simple shape).
 */
export function closuresStoredThroughReturns(cls: ClassFacts, facts: Facts): StoredClosure[] {
  const scopes = cls.scopes.filter((s) => s.kind === 'method' && !(s.node as { isStatic?: boolean }).isStatic);
  // Methods whose return value holds a bound closure made in this class, to a fixed point.
  const returning = new Map<string, Closure | ArrowFunc>();
  const tainted = new Map<Scope, Map<string, Closure | ArrowFunc>>();
  for (let changed = true, round = 0; changed && round < 6; round++) {
    changed = false;
    for (const s of scopes) {
      const vars = tainted.get(s) ?? new Map<string, Closure | ArrowFunc>();
      tainted.set(s, vars);
      for (const a of s.accesses) {
        const assign = a.storage === 'var' && ['assign', 'keyed', 'append'].includes(a.role) ? assignOf(a.via) : null;
        if (!assign || vars.has(a.name)) continue;
        const c = carried(assign.right, vars, returning);
        if (c) { vars.set(a.name, c); changed = true; }
      }
      const name = s.name;
      if (name && !returning.has(name)) {
        for (const r of s.returns) {
          const c = r.expr ? carried(r.expr, vars, returning) : null;
          if (c) { returning.set(name, c); changed = true; break; }
        }
      }
    }
  }
  const out: StoredClosure[] = [];
  for (const s of scopes) {
    const vars = tainted.get(s)!;
    for (const a of s.accesses) {
      if (a.storage !== 'prop' || a.via?.kind !== 'assign' || a.via.operator !== '=' || !['assign', 'keyed', 'append'].includes(a.role)) continue;
      const right = a.via.right;
      if (right.kind === 'closure' || right.kind === 'arrowfunc') continue;
      const c = carried(right, vars, returning);
      if (c) out.push({ closure: c, store: a.via, prop: a.name });
    }
  }
  return out;
}

/** The `=` assignment that writes through `via` (itself, or the one around a destructuring list). */
function assignOf(via: PhpNode | undefined): Assign | null {
  let n: PhpNode | undefined = via;
  while (n && (n.kind === 'list' || n.kind === 'array' || n.kind === 'entry')) n = n.parent;
  return n && n.kind === 'assign' && n.operator === '=' ? n : null;
}

/** The bound closure that `expr` holds: itself, one in an array or ternary, a tainted local, a `$this->m()` that returns one. */
function carried(expr: PhpNode, vars: Map<string, Closure | ArrowFunc>, returning: Map<string, Closure | ArrowFunc>): Closure | ArrowFunc | null {
  const stack: PhpNode[] = [expr];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ((n.kind === 'closure' || n.kind === 'arrowfunc') && bindsThis(n)) return n;
    if (isFunctionLike(n)) continue;
    const v = varName(n);
    if (v !== null && vars.has(v)) return vars.get(v)!;
    switch (n.kind) {
      case 'array': for (const it of n.items) if (it) stack.push(it.kind === 'entry' ? it.value : it); break;
      case 'retif': stack.push(n.trueExpr ?? n.test, n.falseExpr); break;
      case 'bin': if (n.type === '??' || n.type === '?:') stack.push(n.left, n.right); break;
      case 'call': {
        const m = methodName(n);
        if (m !== null && varName(callReceiver(n)) === 'this' && returning.has(m)) return returning.get(m)!;
        const fn = functionName(n);
        // The arrays, not a callback (`array_filter($parts, function …)` runs it and drops it).
        if (fn !== null && PASSES_ELEMENTS.test(fn)) for (const arg of n.arguments) if (arg.kind !== 'closure' && arg.kind !== 'arrowfunc') stack.push(arg);
        break;
      }
      default: break;
    }
  }
  return null;
}

/**
 * Does `name` hold an object made per call of the code around `scope`: `$name = new …` here, a
 * capture of such a variable, or a parameter of a method or function that every caller in this
 * file hands an object it has just made (`$server = new SocketServer(…); self::start($server)`)?
 */
export function freshObject(scope: Scope, name: string, facts: Facts, depth = 0): boolean {
  if (depth > 3) return false;
  if (scope.accesses.some((a) => a.storage === 'var' && a.name === name && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && a.via.right.kind === 'new')) return true;
  if ((scope.kind === 'closure' || scope.kind === 'arrowfunc') && scope.parent) {
    const captured = scope.kind === 'arrowfunc' || scope.captures.has(name);
    return captured && !scope.params.has(name) && freshObject(scope.parent, name, facts, depth);
  }
  const param = scope.params.get(name);
  if (!param || !scope.name || (scope.kind !== 'method' && scope.kind !== 'function')) return false;
  const index = (scope.node as { arguments: PhpNode[] }).arguments.indexOf(param);
  const calls: Call[] = scope.kind === 'function'
    ? facts.functionCalls.get(scope.name) ?? []
    : (facts.methodCalls.get(scope.name) ?? []).filter((c) => {
      const r = callReceiver(c);
      return r !== null && (varName(r) === 'this' || r.kind === 'selfreference' || r.kind === 'staticreference' || (r.kind === 'name' && r.name === scope.cls?.name));
    });
  if (calls.length === 0) return false;
  return calls.every((c) => {
    const arg = c.arguments[index];
    const v = arg ? varName(arg) : null;
    return v !== null && freshObject(facts.scopeOf(c), v, facts, depth + 1);
  });
}

/** Calls that remove a listener or a subscription. */
export const REMOVALS = /^(removelistener|removealllisteners|off|unsubscribe|detach|removesubscriber|removeeventlistener|cancel|canceltimer|forget|unregister)$/;

/** Does the function around `at` (with its closures) remove listeners from `$name`? */
export function removesFrom(at: PhpNode, name: string): boolean {
  let fn: PhpNode | null = null;
  for (let p = at.parent; p; p = p.parent) if (p.kind === 'method' || p.kind === 'function') { fn = p; break; }
  if (!fn) return false;
  return nodesUnder(fn, true).some((n) => n.kind === 'call' && REMOVALS.test(methodName(n) ?? '') && varName(callReceiver(n)) === name);
}

/** A removal call in the class's `__destruct()`: the author expects the object to die while what it registered on lives. */
export function destructorRemoval(cls: ClassFacts): Call | null {
  const d = cls.methods.get('__destruct');
  if (!d) return null;
  for (const n of nodesUnder(d, true)) if (n.kind === 'call' && REMOVALS.test(methodName(n) ?? '')) return n;
  return null;
}

/** Properties of `cls` that hold an OS handle it opened itself (`$this->handle = curl_multi_init()`). */
export function ownedHandleProps(cls: ClassFacts, opener: (n: PhpNode) => boolean): Set<string> {
  const out = new Set<string>();
  for (const a of cls.accesses) {
    if (a.storage === 'prop' && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && opener(a.via.right)) out.add(a.name);
  }
  return out;
}
