import { isFunctionLike, type Call, type Method, type PhpNode } from '../nodes.js';
import type { SourceFile } from '../source.js';
import type { Access } from './access.js';
import { closestAncestor, isWithin } from './ancestry.js';
import { growingWrite, isEmptyArray, isReset, keyChain, ownMethodCalls } from './array-growth.js';
import { resolveClassName } from './imports.js';
import { typeNames } from './names.js';
import type { ClassFacts, Scope } from './scopes.js';
import { RESET_INTERFACES, implementedInterfaces } from './services.js';
import { nodesUnder } from './subtree.js';

// Is an array that grows emptied often enough to be bounded? Emptying counts when it is
// reached: from a per-request/per-job hook (Symfony's ResetInterface::reset(), a kernel
// terminate listener, an Octane or queue lifecycle listener), at the start of the operation
// that fills it (`$this->refs = []` first thing in `parse()`), or after the contents are used
// (a write buffer emptied on commit). A `clear()` that nobody calls is not: that is the talk's
// ArrayBasedCache. Read from the class's accesses collected by the one walk.

export type ResetVerdict =
  | { kind: 'hook'; method: string; why: string }
  | { kind: 'per-operation'; method: string; why: string }
  | { kind: 'after-use'; method: string; why: string };

/** Events whose listeners run once per request or job (parameters typed with them make a hook). */
const HOOK_EVENT = /^(Laravel\\Octane\\Events\\(RequestReceived|RequestTerminated|RequestHandled|TaskReceived|TaskTerminated|TickReceived|TickTerminated|OperationTerminated)|Illuminate\\Queue\\Events\\(JobProcessed|JobProcessing|JobExceptionOccurred|JobFailed|Looping)|Illuminate\\Foundation\\Http\\Events\\RequestHandled|Symfony\\Component\\HttpKernel\\Event\\(TerminateEvent|FinishRequestEvent|RequestEvent)|Symfony\\Component\\Messenger\\Event\\(WorkerMessageHandledEvent|WorkerMessageFailedEvent|WorkerRunningEvent))$/;
/** Method names of per-request hooks by convention (Symfony `kernel.terminate` listeners, Laravel terminable middleware). */
const HOOK_NAMES = /^(onkernelterminate|onterminate|terminate|onkernelfinishrequest|onfinishrequest|onkernelrequest|onrequestterminated|onworkermessagehandled)$/;

function methodOf(n: PhpNode): Method | null {
  return closestAncestor(n, (p) => p.kind === 'method', true) as Method | null;
}

function lowerName(m: Method): string {
  return (typeof m.name === 'string' ? m.name : m.name.name).toLowerCase();
}

/** Methods of `cls` that empty the array (directly, or by calling such a method of the class: two levels). */
function emptyingMethods(cls: ClassFacts, accesses: readonly Access[]): Set<string> {
  return methodsDoing(cls, accesses, isReset);
}

/** Methods whose own accesses satisfy `does`, plus the methods of the class that call them (two levels). */
function methodsDoing(cls: ClassFacts, accesses: readonly Access[], does: (a: Access) => boolean): Set<string> {
  const out = new Set<string>();
  for (const a of accesses) {
    if (!does(a)) continue;
    const m = methodOf(a.node);
    if (m) out.add(lowerName(m));
  }
  for (let round = 0; round < 2; round++) {
    for (const [name, m] of cls.methods) {
      if (out.has(name) || !m.body) continue;
      if (ownMethodCalls(m.body).some((c) => out.has(c))) out.add(name);
    }
  }
  return out;
}

/** Does the method run once per request or job (a reset hook)? */
function isHook(cls: ClassFacts, name: string, m: Method): string | null {
  if (name === 'reset' && [...implementedInterfaces(cls)].some((i) => RESET_INTERFACES.has(i))) return '`reset()` of a `ResetInterface` service (called between requests and messages)';
  if (HOOK_NAMES.test(name)) return `\`${typeof m.name === 'string' ? m.name : m.name.name}()\`, a per-request hook`;
  // `resetCache() { $this->trees = []; parent::resetCache($ids); }`: the class joins its
  // parent's reset protocol, so it is emptied wherever the framework resets the parent (Drupal
  // entity storages on every save and delete). A clear() of its own, chained to nothing, is not.
  if (m.body && chainsToParent(m.body, name)) return `\`${typeof m.name === 'string' ? m.name : m.name.name}()\`, which extends the parent's reset (\`parent::${typeof m.name === 'string' ? m.name : m.name.name}()\`)`;
  for (const p of m.arguments) {
    for (const t of typeNames(p.type)) {
      const fqn = resolveClassName(t, p);
      if (HOOK_EVENT.test(fqn)) return `a listener of \`${fqn.replace(/^.*\\/, '')}\``;
    }
  }
  return null;
}

/** Does the body call `parent::<name>()`? */
function chainsToParent(body: PhpNode, name: string): boolean {
  return nodesUnder(body).some((n) => n.kind === 'call' && n.what.kind === 'staticlookup' && n.what.what.kind === 'parentreference'
    && n.what.offset.kind === 'identifier' && n.what.offset.name.toLowerCase() === name);
}

/** Methods of the class that add entries (directly, or through own methods: two levels). */
function fillingMethods(cls: ClassFacts, accesses: readonly Access[]): Set<string> {
  return methodsDoing(cls, accesses, (a) => growingWrite(a) !== null);
}

/**
 * How the array `accesses` (all accesses of one property of `cls`) is kept bounded by emptying
 * it, or null when no emptying is reached (only a `clear()` someone may call).
 */
export function resetOf(file: SourceFile, cls: ClassFacts, accesses: readonly Access[]): ResetVerdict | null {
  const emptying = emptyingMethods(cls, accesses);
  if (emptying.size === 0) return null;
  for (const name of emptying) {
    const m = cls.methods.get(name);
    const hook = m ? isHook(cls, name, m) : null;
    if (hook) return { kind: 'hook', method: name, why: hook };
  }
  const filling = fillingMethods(cls, accesses);
  for (const a of accesses) {
    if (!isReset(a)) continue;
    const m = methodOf(a.node);
    if (!m || !m.body) continue;
    const at = file.spanOf(a.node).start;
    const inM = accesses.filter((c) => methodOf(c.node) === m);
    // Emptied first, then filled by the same call: state of one operation (`parse()`). Only when
    // the emptying runs whenever the fill does: `if ($versionChanged) { $this->ids = []; }`
    // before an unconditional fill empties it once in a while, not on every call.
    const cond = outermostCondition(a.node, m);
    const sameRun = (n: PhpNode): boolean => !cond || isWithin(n, cond);
    const fillsAfter = inM.some((c) => growingWrite(c) !== null && file.spanOf(c.node).start > at && sameRun(c.node))
      || ownCallsAfter(file, m, at).some((c) => filling.has(c.name) && sameRun(c.node));
    if (fillsAfter) return { kind: 'per-operation', method: lowerName(m), why: `emptied at the start of each \`${lowerName(m)}()\`` };
    // Emptied, then the operation's work is started (`minify(): self::$errors = []; return (new
    // Minifier($source))->run();`): the fill comes from code the operation calls, often in
    // another class (`CssMin::triggerError()` from the parsers). A method named for emptying
    // (`clear()`, `reset()`) that calls something after is not an operation.
    // Only an unconditional emptying: one under `if ($versionChanged)` happens once in a while.
    const works = !cond && !/^(clear|reset|flush|forget|purge|clean)/.test(lowerName(m))
      && startsWorkAfter(file, cls, m, at);
    if (works) return { kind: 'per-operation', method: lowerName(m), why: `emptied at the start of each \`${lowerName(m)}()\`` };
    // The contents are used, then emptied: a buffer flushed on every commit/write. Also a map
    // the same call completes first (`commit()` computes every change set, writes them, then
    // empties them all with one chained `$this->a = $this->b = [];`).
    const usedBefore = inM.some((c) => c.depth === 0 && (c.role === 'read' || c.role === 'count') && file.spanOf(c.node).start < at)
      || callsBefore(file, m, at).some((c) => filling.has(c));
    if (usedBefore && !/^(clear|reset|flush|forget|purge)(cache|all)?$/.test(lowerName(m))) {
      return { kind: 'after-use', method: lowerName(m), why: `emptied by \`${lowerName(m)}()\` after it uses the contents` };
    }
  }
  return null;
}

/** A call or `new` in `m` itself (from the walk's scope facts) after offset `at`. */
function startsWorkAfter(file: SourceFile, cls: ClassFacts, m: Method, at: number): boolean {
  const scope = cls.scopes.find((s) => s.node === m);
  return !!scope && [...scope.calls, ...scope.news].some((n) => file.spanOf(n).start > at);
}

/** Own methods called in `m` after offset `at`, with the call. */
function ownCallsAfter(file: SourceFile, m: Method, at: number): { name: string; node: PhpNode }[] {
  const out: { name: string; node: PhpNode }[] = [];
  for (const n of nodesUnder(m.body!)) {
    if (n.kind !== 'call' || file.spanOf(n).start <= at) continue;
    const name = ownMethodCalls(n as Call)[0];
    if (name) out.push({ name, node: n });
  }
  return out;
}

/** The outermost `if`/`switch`/ternary/short-circuit/loop/catch in `m` that `n` runs under, or null when `n` runs on every call. */
function outermostCondition(n: PhpNode, m: Method): PhpNode | null {
  let found: PhpNode | null = null;
  for (let p = n.parent; p && p !== m; p = p.parent) {
    if (isFunctionLike(p)) return p;
    if (p.kind === 'if' || p.kind === 'switch' || p.kind === 'retif' || p.kind === 'catch' || p.kind === 'while' || p.kind === 'for' || p.kind === 'foreach' || p.kind === 'do'
      || (p.kind === 'bin' && (p.type === '&&' || p.type === '||' || p.type === 'and' || p.type === 'or' || p.type === '??'))) found = p;
  }
  return found;
}

/** Own methods called in `m` before offset `at`. */
function callsBefore(file: SourceFile, m: Method, at: number): string[] {
  return ownCallsWhere(file, m, (start) => start < at);
}

function ownCallsWhere(file: SourceFile, m: Method, at: (start: number) => boolean): string[] {
  const out: string[] = [];
  for (const n of nodesUnder(m.body!)) {
    if (n.kind !== 'call' || !at(file.spanOf(n).start)) continue;
    out.push(...ownMethodCalls(n as Call).slice(0, 1));
  }
  return out;
}

/**
 * A slot of the array emptied after use by a method paired with the one that fills it: a
 * dataloader-style buffer (`add()` appends to `$buffer[$class][$relation][]`, `load()` reads that
 * slot and then empties it, directly (`$buffer[$class][$relation] = []`) or through a setter it
 * passes `[]` (`self::setBuffer($class, $relation, [])`)). The buffer holds at most one batch per
 * slot, not every value ever added. Every growing write in `writes` must go to a drained slot
 * (the setter's own write is the drain, not growth).
 */
export function slotDrainOf(file: SourceFile, cls: ClassFacts, accesses: readonly Access[], writes: readonly Access[]): ResetVerdict | null {
  const drains = slotDrains(file, cls, accesses);
  if (drains.length === 0) return null;
  const setterWrites = new Set(drains.map((d) => d.write));
  let found: ResetVerdict | null = null;
  for (const w of writes) {
    if (setterWrites.has(w)) continue;
    const slot = keyChain(w).slice(0, -1);
    const drain = slot.length > 0 && !slot.includes(false) ? drains.find((d) => sameKeys(file, d.keys, slot as PhpNode[]) && methodOf(d.site) !== methodOf(w.node)) : undefined;
    if (!drain) return null;
    const m = methodOf(drain.site)!;
    found = { kind: 'after-use', method: lowerName(m), why: `its slot is emptied by \`${lowerName(m)}()\` after it uses the entries` };
  }
  return found;
}

interface SlotDrain { keys: PhpNode[]; write: Access; site: PhpNode }

/** Where a keyed slot of the array is set to `[]` after the same method read the array (directly or through an own method). */
function slotDrains(file: SourceFile, cls: ClassFacts, accesses: readonly Access[]): SlotDrain[] {
  const readers = methodsDoing(cls, accesses, (a) => a.role === 'read' || a.role === 'keyed-read' || a.role === 'lookup');
  const out: SlotDrain[] = [];
  let calls: Call[] | null = null;
  for (const a of accesses) {
    if (a.role !== 'keyed' || a.via?.kind !== 'assign' || a.via.operator !== '=') continue;
    const keys = keyChain(a);
    if (keys.length === 0 || keys.includes(false)) continue;
    const m = methodOf(a.node);
    if (!m) continue;
    const value = a.via.right;
    const sites: PhpNode[] = [];
    if (isEmptyArray(value)) sites.push(a.via);
    else if (value.kind === 'variable' && typeof value.name === 'string') {
      // A setter: the slot gets its parameter; it drains where a caller in the class passes `[]`.
      const index = m.arguments.findIndex((p) => p.name?.name === value.name);
      if (index < 0) continue;
      calls ??= classCalls(cls);
      for (const n of calls) {
        if (ownMethodCalls(n)[0] === lowerName(m) && isEmptyArray(n.arguments[index])) sites.push(n);
      }
    }
    for (const site of sites) {
      const d = methodOf(site);
      if (!d?.body) continue;
      const at = file.spanOf(site).start;
      const readFirst = accesses.some((c) => methodOf(c.node) === d && (c.role === 'read' || c.role === 'keyed-read' || c.role === 'lookup') && file.spanOf(c.node).start < at)
        || callsBefore(file, d, at).some((c) => readers.has(c));
      if (readFirst) out.push({ keys: keys as PhpNode[], write: a, site });
    }
  }
  return out;
}

/** Does the drained slot `drained` hold the slot `slot` (the same keys as written, whitespace aside, or a prefix of them)? */
function sameKeys(file: SourceFile, drained: readonly PhpNode[], slot: readonly PhpNode[]): boolean {
  const text = (n: PhpNode): string => file.textOf(n).replace(/\s+/g, '');
  return drained.length <= slot.length && drained.every((k, i) => text(k) === text(slot[i]!));
}

/** The calls of a class's methods and of the closures in them, as the walk collected them. */
function classCalls(cls: ClassFacts): Call[] {
  const out: Call[] = [];
  const stack: Scope[] = [...cls.scopes];
  while (stack.length > 0) {
    const s = stack.pop()!;
    out.push(...s.calls);
    stack.push(...s.children);
  }
  return out;
}
