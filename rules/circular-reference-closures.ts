import type { ArrowFunc, Closure, PhpNode } from '../engine/nodes.js';
import { callReceiver, enclosingLoops, functionName, methodName, thisPropertyName, varName, type ClassFacts, type Facts, type Scope } from '../engine/facts/index.js';
import { lifetimeOf } from '../engine/facts/lifetime.js';
import { openerCall } from '../engine/facts/handles.js';
import { importsAt, resolvedName } from '../engine/facts/imports.js';
import { bindsThis, registrationOf } from '../engine/facts/registrations.js';
import { closuresStoredThroughReturns, destructorRemoval, freshObject, ownedHandleProps, removesFrom } from './circular-reference-flows.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { alreadyInCycle, brokenByOwner } from './circular-reference-worth.js';
import { runsOncePerProcess } from '../engine/facts/lifecycle-events.js';

// Cycles made through closures, the same as `$a->b = $b; $b->a = $a` but less visible: a
// closure written in an instance method is bound to `$this` (whether it uses it or not), so
// storing it in `$this` — or on an emitter `$this` holds — points the object at itself; a
// closure that captures its own variable by reference (`use (&$fn)`, for recursion) holds
// itself; a listener that captures its own emitter holds the emitter that holds it. Reference
// counting frees none of them: each waits for the cycle collector. Reported only where the
// cycle is made again and again: per object made for one operation, or per function call.

export type ClosureCycle =
  /** `$this->p = function () {…}` / `$this->p[] = …` in a class made per operation. */
  | { kind: 'this'; at: PhpNode; closure: Closure | ArrowFunc; prop: string; cls: string; why: string; fixable: boolean }
  /** `$this->emitter->on('x', function () {…})`: $this → emitter → closure → $this. */
  | { kind: 'listener'; at: PhpNode; closure: Closure | ArrowFunc; prop: string; cls: string; why: string }
  /** `$fn = function () use (&$fn) {…}` in code that runs per call; `pins`: an accumulator it also captures by reference. */
  | { kind: 'self'; at: PhpNode; closure: Closure; name: string; pins: string | null }
  /** `$conn = new X; $conn->on('x', function () use ($conn) {…})` per call. */
  | { kind: 'emitter'; at: PhpNode; closure: Closure | ArrowFunc; name: string }
  /** A bound closure built in a helper, returned, and stored into `$this->p` by the caller. */
  | { kind: 'returned'; at: PhpNode; closure: Closure | ArrowFunc; prop: string; cls: string; why: string; store: PhpNode }
  /** A bound closure registered on something whose removal sits in `__destruct()`, which the closure keeps from running. */
  | { kind: 'destructor'; at: PhpNode; closure: Closure | ArrowFunc; call: string; cls: string; removal: PhpNode }
  /** A bound closure handed to an OS handle the object owns (`curl_multi_setopt($this->handle, …, function …)`). */
  | { kind: 'handle'; at: PhpNode; closure: Closure | ArrowFunc; prop: string; cls: string };

/**
 * Classes made per item, per request or per message (many per process, each dropped after
 * use): a cycle in each is garbage for the collector. Narrower than the lifetime facts'
 * "operation" (a console `Dumper` is made once per command run).
 */
const PER_ITEM_ROLE = /(Result|ResultSet|Response|Request|Iterator|Cursor|Statement|Stream|Promise|Deferred|Message|Event|Node|Token|Item|Row|Record|Entity|Document|Job|Task|Connection|Parser|Lexer|Reader|Writer)$/;

/**
 * Builders and queries live for one query or one form, and a request makes many: a closure
 * stored in each (an eager-load constraint, a join callback) leaves one cycle per query.
 */
const PER_QUERY_ROLE = /(Builder|Query)$/;

/** curl's setters keep the callbacks they are given on the handle. */
const HANDLE_SETTERS = new Set(['curl_setopt', 'curl_multi_setopt', 'curl_setopt_array']);

/** Methods that keep the callback they are given (beyond the registration verbs): `onX`-style setters. */
const KEEPS_CALLBACK = /^(on|once|addlistener|addeventlistener|listen|subscribe|then|done|otherwise|always|finally|setcallback|sethandler|push|add)$/;

export function closureCycles(facts: Facts, longRunning: boolean): ClosureCycle[] {
  return allClosureCycles(facts, longRunning).filter((c) => worthChanging(c, facts));
}

/** Is there something to gain from changing the code (./circular-reference-worth.ts)? */
function worthChanging(c: ClosureCycle, facts: Facts): boolean {
  switch (c.kind) {
    case 'this': case 'returned': case 'listener': {
      const cls = facts.classOf(c.closure);
      if (!cls) return true;
      const store = c.kind === 'returned' ? c.store : c.at;
      return alreadyInCycle(cls, c.closure, staticSafe) === null && !brokenByOwner(cls, c.prop, store);
    }
    case 'self': case 'emitter':
      return !runsOncePerProcess(facts.scopeOf(c.at));
    default:
      return true;
  }
}

function allClosureCycles(facts: Facts, longRunning: boolean): ClosureCycle[] {
  const out: ClosureCycle[] = [];
  const fileRebinds = facts.methodCalls.has('bind') || facts.methodCalls.has('bindto') || facts.methodCalls.has('call');
  const handleProps = new Map<ClassFacts, Set<string>>();
  const ownedHandles = (cls: ClassFacts): Set<string> => {
    let h = handleProps.get(cls);
    if (!h) { h = ownedHandleProps(cls, (n) => openerCall(n) !== null); handleProps.set(cls, h); }
    return h;
  };
  const heavyClass = (cls: ClassFacts): { why: string } | null => {
    const life = lifetimeOf(cls, facts, longRunning);
    const name = cls.name ?? '';
    if (life.lifetime !== 'operation' || !(PER_ITEM_ROLE.test(name) || PER_QUERY_ROLE.test(name))) return null;
    // An `…Event` is made per occurrence when it is a dispatched event (in an `Event(s)`
    // namespace or extending an event base), not when it is a schedule entry or a calendar's.
    if (/Event$/.test(name) && !/(^|\\)Events?(\\|$)/.test(importsAt(cls.node).namespace ?? '') && !/Event$/.test(resolvedName((cls.node as { extends?: PhpNode | null }).extends ?? null) ?? '')) return null;
    return { why: life.why };
  };
  // Closures built in helpers and stored by the caller (`$this->eagerLoad = array_merge(…, $this->parse(…))`).
  for (const cls of facts.classes) {
    if (!cls.name) continue;
    const heavy = heavyClass(cls);
    if (!heavy) continue;
    const seen = new Set<PhpNode>();
    for (const st of closuresStoredThroughReturns(cls, facts)) {
      if (seen.has(st.closure)) continue;
      seen.add(st.closure);
      out.push({ kind: 'returned', at: st.closure, closure: st.closure, prop: st.prop, cls: cls.name, why: heavy.why, store: st.store });
    }
  }
  for (const scope of facts.scopes) {
    if (scope.kind !== 'closure' && scope.kind !== 'arrowfunc') continue;
    const fn = scope.node as Closure | ArrowFunc;
    const parent = scope.parent;
    if (!parent) continue;
    const site = fn.parent?.kind === 'namedargument' ? fn.parent : fn;
    const holder = site.parent;
    if (!holder) continue;

    if (bindsThis(fn) && parent.cls && holder.kind === 'call' && holder.arguments.includes(site)) {
      const r = callReceiver(holder);
      // `$token->subscribe(function … { $this->… })` with `$token->unsubscribe()` in `__destruct()`:
      // the token keeps the closure, the closure keeps `$this`, so the destructor never runs.
      const removal = r !== null && varName(r) !== 'this' && (registrationOf(holder) !== null || KEEPS_CALLBACK.test(methodName(holder) ?? '')) ? destructorRemoval(parent.cls) : null;
      if (removal) {
        out.push({ kind: 'destructor', at: holder, closure: fn, call: writtenMethodName(holder), cls: parent.cls.name ?? 'object', removal });
        continue;
      }
      // `curl_multi_setopt($this->handle, CURLMOPT_PUSHFUNCTION, function … { $this->… })`.
      const fnName = functionName(holder);
      const first = holder.arguments[0];
      const prop = fnName !== null && HANDLE_SETTERS.has(fnName) && first ? thisPropertyName(first) : null;
      if (prop !== null && ownedHandles(parent.cls).has(prop) && parent.cls.name) {
        out.push({ kind: 'handle', at: holder, closure: fn, prop, cls: parent.cls.name });
        continue;
      }
    }
    // A closure bound to `$this`, kept by `$this`.
    if (bindsThis(fn) && parent.cls) {
      const heavy = heavyClass(parent.cls);
      if (heavy) {
        const life = heavy;
        const cls = parent.cls.name ?? 'object';
        const stored = holder.kind === 'assign' && holder.right === site && holder.operator === '=' ? storedInThis(holder.left) : null;
        if (stored !== null) {
          const decl = parent.cls.properties.get(stored);
          const isPrivate = decl?.statement.visibility === 'private'
            || !!parent.cls.methods.get('__construct')?.arguments.some((a) => a.name?.name === stored && /private/.test(String(a.flags)));
          out.push({ kind: 'this', at: holder, closure: fn, prop: stored, cls, why: life.why, fixable: isPrivate && !fileRebinds && staticSafe(fn) });
          continue;
        }
        if (holder.kind === 'call' && holder.arguments.includes(site)) {
          const r = callReceiver(holder);
          const prop = r ? thisPropertyName(r) : null;
          // Only a holder the object made itself: a container or dispatcher it was handed
          // outlives it (what accumulates there is listener-in-loop's), no cycle to collect.
          if (prop !== null && ownsProperty(parent.cls, prop) && (registrationOf(holder) !== null || KEEPS_CALLBACK.test(methodName(holder) ?? ''))) {
            out.push({ kind: 'listener', at: holder, closure: fn, prop, cls, why: life.why });
            continue;
          }
        }
      }
    }

    if (!runsPerCall(parent, fn)) continue;
    // `$fn = function () use (&$fn) { … $fn(…) … }`: only where the cycle is made many times per
    // call (in a loop) or pins an object made per item (bound to its `$this`). One small closure
    // per call, left to the collector, costs a few hundred bytes (the corpora review: none of 18
    // such findings was worth changing the code for).
    if (fn.kind === 'closure' && holder.kind === 'assign' && holder.right === site && holder.operator === '=') {
      const name = varName(holder.left);
      // What the cycle pins decides its cost: an accumulator the closure fills through a
      // reference (`use (&$results, &$flatten)`) stays with it, so every call leaves its whole
      // result to the collector (measured: +63 MB peak for 20,000 calls on a 100-entry array).
      const pins = name !== null && !parent.staticVars.has(name) ? accumulatorOf(scope, parent, name) : null;
      const heavy = pins !== null || enclosingLoops(fn).length > 0 || (bindsThis(fn) && !!parent.cls && PER_ITEM_ROLE.test(parent.cls.name ?? ''));
      if (name !== null && heavy && scope.captures.get(name) === true && !nulledAfter(parent, name, holder) && !boundByReference(parent, name)) {
        out.push({ kind: 'self', at: holder, closure: fn, name, pins });
        continue;
      }
    }
    // `$conn->on('data', function () use ($conn) { … })` on a `$conn` made here.
    if (holder.kind === 'call' && holder.arguments.includes(site) && registrationOf(holder) !== null) {
      const name = varName(callReceiver(holder));
      if (name !== null && name !== 'this' && captures(scope, name) && freshObject(parent, name, facts) && !removesFrom(holder, name)) {
        out.push({ kind: 'emitter', at: holder, closure: fn, name });
      }
    }
  }
  return out;
}

/** `$this->p` or `$this->p[…]`/`$this->p[]`: the property name. */
function storedInThis(left: PhpNode): string | null {
  let n = left;
  while (n.kind === 'offsetlookup') n = n.what;
  return thisPropertyName(n);
}

/**
 * Can the closure become `static` without changing what it does? Only when nothing in it (or
 * in closures inside it) needs `$this`: no `$this`, no `self::`/`static::`/`parent::` calls
 * (they may call instance methods through the bound object), no attributes in the way.
 */
function staticSafe(fn: Closure | ArrowFunc): boolean {
  if (((fn as { attrGroups?: unknown[] }).attrGroups ?? []).length > 0) return false;
  for (const n of nodesUnder(fn, true)) {
    if (n === fn) continue;
    if (varName(n) === 'this') return false;
    if (n.kind === 'call' && n.what.kind === 'staticlookup') {
      const w = n.what.what;
      if (w.kind === 'selfreference' || w.kind === 'staticreference' || w.kind === 'parentreference') return false;
    }
    if (n.kind === 'include' || n.kind === 'eval') return false;
  }
  return true;
}

/** The code runs per call: a function or method body (not a script's top level), or any loop. */
function runsPerCall(scope: Scope, fn: PhpNode): boolean {
  if (scope.kind !== 'program') return true;
  for (let p = fn.parent; p; p = p.parent) if (p.kind === 'for' || p.kind === 'foreach' || p.kind === 'while' || p.kind === 'do') return true;
  return false;
}

/**
 * `$fn = null` after the closure was made: the code breaks the cycle itself. Not `unset($fn)`:
 * the closure still holds the reference, and the reference still holds the closure.
 */
function nulledAfter(scope: Scope, name: string, made: PhpNode): boolean {
  const at = made.loc?.end.offset ?? 0;
  return scope.accesses.some((a) => a.storage === 'var' && a.name === name && a.role === 'assign' && a.via?.kind === 'assign'
    && (a.via.loc?.start.offset ?? 0) > at && (a.via.right.kind === 'nullkeyword' || (a.via.right.kind === 'name' && a.via.right.name.toLowerCase() === 'null')));
}

/** The class assigns `$this->prop = new …` itself: it owns what the property holds. */
function ownsProperty(cls: ClassFacts, prop: string): boolean {
  return cls.accesses.some((a) => a.storage === 'prop' && a.name === prop && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && a.via.right.kind === 'new');
}

/** `$closure = &$this->optimized[$e][];`: the variable is a slot of something else that keeps the closure on purpose. */
function boundByReference(scope: Scope, name: string): boolean {
  return scope.accesses.some((a) => a.storage === 'var' && a.name === name && a.role === 'assign-ref' && a.node.parent?.kind !== 'closure');
}

function captures(scope: Scope, name: string): boolean {
  if (scope.kind === 'closure') return scope.captures.has(name);
  return scope.accesses.some((a) => a.storage === 'var' && a.name === name) && !scope.params.has(name);
}

/**
 * The call's result, filled by the closure through a reference: a variable other than `self`
 * that the closure captures by reference and grows (`$results[$k] = …`), and that the function
 * returns. Smaller captures (a few names collected on the side) are not worth a finding.
 */
function accumulatorOf(closure: Scope, fn: Scope, self: string): string | null {
  for (const [v, byRef] of closure.captures) {
    if (!byRef || v === self || fn.staticVars.has(v)) continue;
    if (!fn.returns.some((r) => varName(r.expr) === v)) continue;
    if (closure.accesses.some((a) => a.storage === 'var' && a.name === v && (a.role === 'keyed' || a.role === 'append'))) return v;
  }
  return null;
}


/** A method call's name as written (`addListener`). */
function writtenMethodName(call: PhpNode): string {
  const w = call.kind === 'call' ? call.what : null;
  return w && (w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup' || w.kind === 'staticlookup') && w.offset.kind === 'identifier' ? String(w.offset.name) : 'the call';
}
