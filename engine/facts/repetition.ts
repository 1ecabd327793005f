import { isFunctionLike, type Call, type FunctionLike, type Loop, type PhpNode } from '../nodes.js';
import { closestAncestor, enclosingLoops } from './ancestry.js';
import { callReceiver, functionName, stringValue, varName } from './names.js';
import type { Facts } from './index.js';

// "Does this code run over and over?" — asked by rules whose cost is per execution (eval,
// object cycles). Answers come from the file alone: a loop around the code, a builtin that
// calls a callback per element, or a caller in this file that calls the function in a loop.

/** Builtins that call a callback once per element, with the 0-based index of the callback. */
export const ITERATING_BUILTINS: Readonly<Record<string, number>> = {
  array_map: 0, array_filter: 1, array_walk: 1, array_walk_recursive: 1, array_reduce: 1,
  usort: 1, uasort: 1, uksort: 1, preg_replace_callback: 1, iterator_apply: 1, array_find: 1,
  array_find_key: 1, array_any: 1, array_all: 1,
};

export type Repetition =
  /** A loop in the same function runs the node on each iteration. */
  | { kind: 'loop'; loop: Loop }
  /** The node is in a closure/callable that a builtin calls per element. */
  | { kind: 'callback'; call: Call }
  /** The enclosing function or method is called repeatedly (`via` is the repeating call). */
  | { kind: 'caller'; via: Call; repetition: Repetition };

/**
 * Why `node` runs repeatedly, or null. Callers are found through `facts.functionCalls` and
 * `facts.methodCalls`, which are complete only at `program:exit`: ask then when `callers` is on.
 */
export function repetitionOf(node: PhpNode, facts: Facts, opts: { callers?: boolean; depth?: number } = {}): Repetition | null {
  const loops = enclosingLoops(node);
  if (loops.length > 0) return { kind: 'loop', loop: loops[0]! };
  const fn = closestAncestor(node, isFunctionLike, true) as FunctionLike | null;
  if (!fn) return null;
  const cb = iteratingCallOf(fn);
  if (cb) return { kind: 'callback', call: cb };
  if (opts.callers === false) return null;
  const depth = opts.depth ?? 3;
  if (depth <= 0) return null;
  for (const call of callersOf(fn, facts)) {
    const r = repeatedCall(call, facts, depth - 1);
    if (r) return { kind: 'caller', via: call, repetition: r };
  }
  return null;
}

/** A call is repeated when it sits in a loop or callback, or (recursively) its function is. */
function repeatedCall(call: Call, facts: Facts, depth: number): Repetition | null {
  // `array_map([$this, 'm'], $xs)` (listed as a caller by callersOf) and
  // `array_map($this->m(...), $xs)`: m runs once per element.
  const fnName = functionName(call);
  if (fnName !== null && fnName in ITERATING_BUILTINS) return { kind: 'callback', call };
  const holder = call.parent;
  if (holder?.kind === 'call' && isIteratingCallbackArg(holder, call)) return { kind: 'callback', call: holder };
  return repetitionOf(call, facts, { depth });
}

/** The iterating builtin call that takes `fn` directly as its callback, if any. */
function iteratingCallOf(fn: FunctionLike): Call | null {
  if (fn.kind !== 'closure' && fn.kind !== 'arrowfunc') return null;
  let arg: PhpNode = fn;
  // named argument: `array_map(callback: fn ($x) => …, array: $xs)`
  if (arg.parent?.kind === 'namedargument') arg = arg.parent;
  const call = arg.parent;
  return call?.kind === 'call' && isIteratingCallbackArg(call, arg) ? call : null;
}

function isIteratingCallbackArg(call: Call, arg: PhpNode): boolean {
  const name = functionName(call);
  if (name === null || !(name in ITERATING_BUILTINS)) return false;
  if (arg.kind === 'namedargument') return arg.name === 'callback';
  return call.arguments.indexOf(arg) === ITERATING_BUILTINS[name];
}

/**
 * Calls in this file that invoke `fn`: a named function by name; a method through `$this`,
 * `self::`, `static::` or its own class name from inside the same class, or as a callable
 * (`$this->m(...)`, `[$this, 'm']`) given to an iterating builtin.
 */
export function callersOf(fn: FunctionLike, facts: Facts): Call[] {
  if (fn.kind === 'function') {
    const name = fn.name.name.toLowerCase();
    const out: Call[] = [];
    for (const [called, calls] of facts.functionCalls) {
      if (called === name || called.endsWith(`\\${name}`)) out.push(...calls);
    }
    for (const call of iteratingBuiltinCalls(facts)) {
      const cb = call.arguments[ITERATING_BUILTINS[functionName(call)!]!];
      if (cb && stringValue(cb)?.replace(/^\\/, '').toLowerCase() === name) out.push(call);
    }
    return out;
  }
  if (fn.kind !== 'method') return [];
  const cls = facts.classOf(fn);
  if (!cls) return [];
  const name = fn.name.name.toLowerCase();
  const out: Call[] = [];
  for (const call of facts.methodCalls.get(name) ?? []) {
    if (facts.classOf(call) !== cls) continue;
    const r = callReceiver(call);
    if (!r) continue;
    const own = varName(r) === 'this' || r.kind === 'selfreference' || r.kind === 'staticreference'
      || (r.kind === 'name' && cls.name !== null && r.name.replace(/^.*\\/, '') === cls.name);
    if (own) out.push(call);
  }
  for (const call of iteratingBuiltinCalls(facts)) {
    if (facts.classOf(call) !== cls) continue;
    const cb = call.arguments[ITERATING_BUILTINS[functionName(call)!]!];
    if (cb?.kind === 'array' && cb.items.length === 2) {
      const [o, m] = cb.items.map((e) => (e.kind === 'entry' ? e.value : e));
      if (varName(o) === 'this' && stringValue(m)?.toLowerCase() === name) out.push(call);
    }
  }
  return out;
}

/**
 * The method is an initializer that only its class's constructor calls (`__construct() {
 * $this->init(); }`): it runs once per object, whatever first-run flags it tests. Another own
 * caller (a `handle()` that calls it again) says otherwise. Complete at `program:exit`.
 */
export function calledOnlyByOwnConstructor(fn: FunctionLike, facts: Facts): boolean {
  const callers = callersOf(fn, facts);
  return callers.length > 0 && callers.every((call) => {
    const m = closestAncestor(call, isFunctionLike, true) as FunctionLike | null;
    return m?.kind === 'method' && m.name.name.toLowerCase() === '__construct';
  });
}

function iteratingBuiltinCalls(facts: Facts): Call[] {
  const out: Call[] = [];
  for (const name of Object.keys(ITERATING_BUILTINS)) out.push(...(facts.functionCalls.get(name) ?? []));
  return out;
}

/** The innermost loop or repeating call, for pointing at it in related information. */
export function repetitionSite(r: Repetition): PhpNode {
  switch (r.kind) {
    case 'loop': return r.loop;
    case 'callback': return r.call;
    case 'caller': return r.via;
  }
}
