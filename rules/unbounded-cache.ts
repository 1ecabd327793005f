import type { Access } from '../engine/facts/access.js';
import {
  containsJump, growingWrite, isConstantKey, isEmptyArray, isEntryEviction, isOneTimeFill, isReset, isSelfUpdate, keyChain,
  ownMethodCalls, sizeCheckOf,
} from '../engine/facts/array-growth.js';
import {
  closestAncestor, docblockOf, functionName, isWithin, typeNames,
  type ClassFacts, type Facts, type Scope,
} from '../engine/facts/index.js';
import { lifetimeOf, livesLong } from '../engine/facts/lifetime.js';
import { resetOf, slotDrainOf } from '../engine/facts/resets.js';
import { isFunctionLike, type ClassLike, type FunctionLike, type Method, type PhpNode } from '../engine/nodes.js';
import { defineRule, type RuleContext } from '../engine/rule.js';
import type { SourceFile } from '../engine/source.js';
import { cacheFixes, type CacheStore } from './unbounded-cache-fix.js';
import { dataEvidence, type Evidence } from './unbounded-cache-evidence.js';
import { duplicateAppend, duplicateEvidence } from './unbounded-cache-duplicates.js';
import { evictsAnotherKey, resolvedKey } from './unbounded-cache-evictions.js';
import { REGISTRABLE, isRegistration, storesArgument } from './unbounded-cache-registration.js';
import { missEntry } from './unbounded-cache-misses.js';
import { transientRegistry } from './unbounded-cache-transient.js';
import { keysFromCode, keysOfCodeVocabulary } from './unbounded-cache-keys.js';
import { callerArguments } from './unbounded-cache-callers.js';
import { resetCalls } from './unbounded-cache-reset-calls.js';
import { isTestOnly, isToolingCode, onlyCalledUnderDevFlag } from './unbounded-cache-dev-code.js';

type MessageId = 'staticProperty' | 'staticLocal' | 'instanceCache' | 'missEntry' | 'transientRegistry';
interface Options {
  /** Classes (short or fully qualified names) whose caches are known to be bounded. */
  ignoreClasses: string[];
  /** The limit the fix writes into the new constant. */
  maxEntries: number;
}
type Ctx = RuleContext<MessageId, Options>;

/** One array that outlives the call that fills it. */
type Store = CacheStore;

export default defineRule({
  meta: {
    id: 'unbounded-cache',
    severity: 'warning',
    longRunningSeverity: 'error',
    longRunningEffect: 'the cache keeps every entry until the process exits',
    crossFile: true,
    // Kept from one request or job to the next: a one-shot script gives it back when it exits.
    silentInOneShot: true,
    fixable: 'sometimes',
    description: 'A static property, static local or instance lookup cache that gains entries and never loses one.',
    messages: {
      staticProperty: '`{{ref}}` grows per {{per}}, never evicted: {{evidence}}',
      staticLocal: '`static ${{name}}` grows per {{per}}, never evicted: {{evidence}}',
      instanceCache: '`$this->{{name}}` grows per {{per}}, never evicted: {{evidence}}',
      missEntry: '`{{ref}}` keeps an entry for every key asked, even those `{{source}}` lacks: evicted only when it changes',
      transientRegistry: '`{{ref}}` keeps every `${{param}}` registered, by its own id, until someone calls `{{reset}}()`',
    },
    details: {
      staticProperty: '`{{ref}}` gains an entry {{gains}} and nothing ever removes one: a static property lives as long as the process, so in a worker or under a long-running server it grows until memory_limit is reached.',
      staticLocal: '`static ${{name}}` gains an entry {{gains}} and nothing ever removes one: a static variable lives as long as the process, so it grows until memory_limit is reached.',
      instanceCache: '`$this->{{name}}` is a lookup cache that gains an entry {{gains}} and never evicts one: it keeps every value ever stored for as long as its object lives (for a shared service in a worker, the whole process).',
      missEntry: 'The memo mirrors `{{source}}`: its entry for a key is removed when `{{source}}` changes under that key, so it holds at most the keys `{{source}}` has. But it stores an empty answer before checking that `{{source}}` has the key, so every key ever asked (an event nobody listens to, a name looked up once) leaves an entry that no change of `{{source}}` removes: it grows with what callers ask, for as long as the object lives.',
      transientRegistry: 'A static property lives as long as the process. `{{reset}}()` says the entries are meant to be dropped once used (after a render, a request, a job), but this file never calls it: under PHP-FPM the process ends with the request, in a worker (Octane, RoadRunner, Swoole, a queue worker) every `${{param}}` ever registered stays, with all it references. When another linted file of the project calls `{{reset}}()`, this finding is dropped.',
    },
    tips: {
      staticProperty: '{{remedy}}',
      staticLocal: 'Bound it (evict the oldest entry when count() reaches a limit). If the keys come from a small fixed set, say so: `// phpleak-ignore-next-line unbounded-cache -- <why the keys are few>`.',
      instanceCache: 'Bound it (evict the oldest entry when count() reaches a limit), or, when the keys are objects, use a \\WeakMap so an entry goes when its key object does. A clear() that nobody calls when the cache is full is not a bound.',
      missEntry: 'Answer a miss without storing it: return `[]` when `{{source}}` has no entry for the key, and store only under that check.',
      transientRegistry: 'Call `{{reset}}()` where the entries have been used (at the end of each request or job: a middleware, a terminating callback), or keep them on an object made per request.',
    },
  },
  defaultOptions: { ignoreClasses: [], maxEntries: 1000 } as Options,
  create(ctx) {
    // Caches in tests live for one test run.
    if (ctx.isTestFile) return {};
    // Classes are decided at program:exit: whether a class is a shared service (Laravel
    // bindings) and whether the file is long-running are known only then.
    const classes: ClassLike[] = [];
    const onClass = (node: ClassLike): void => { classes.push(node); };
    const decideClasses = (): void => {
      for (const node of classes) {
        if (isToolingCode(node)) continue;
        const cls = ctx.facts.classFor(node);
        if (cls && !isIgnored(cls, ctx.options.ignoreClasses)) for (const s of classStores(cls)) check(ctx, s);
      }
    };
    const functions: FunctionLike[] = [];
    const onFunction = (node: FunctionLike): void => { functions.push(node); };
    const decideFunctions = (): void => {
      for (const node of functions) {
        const scope = ctx.facts.scopeFor(node);
        if (!scope || isToolingCode(node)) continue;
        if (scope.cls && isIgnored(scope.cls, ctx.options.ignoreClasses)) continue;
        for (const s of staticLocals(scope)) check(ctx, s);
      }
    };
    return {
      'class:exit': onClass, 'trait:exit': onClass, 'enum:exit': onClass,
      // A closure's static variables belong to the closure object and go with it.
      'function:exit': onFunction, 'method:exit': onFunction,
      'program:exit': () => {
        // A one-shot script's findings are dropped by the engine (meta.silentInOneShot): skip the work.
        if (ctx.oneShot) return;
        decideClasses();
        decideFunctions();
      },
    };
  },
});

/**
 * A memo bounded by another array's keys (evicted where that array changes) that stores an
 * empty answer for keys the array lacks (rules/unbounded-cache-misses.ts). Its keys need no
 * data evidence: the class itself says the memo should hold no more keys than the source has.
 */
function reportMissEntry(ctx: Ctx, s: Store): boolean {
  if (s.kind === 'static-local' || !s.cls) return false;
  const miss = missEntry(ctx.file, s.cls, s.accesses);
  if (!miss) return false;
  if (s.kind === 'prop' && lifetimeOf(s.cls, ctx.facts, ctx.longRunning).lifetime === 'operation') return true;
  if (resetOf(ctx.file, s.cls, s.accesses)) return true;
  const at = miss.write.via ?? miss.write.outer;
  const ref = ctx.file.textOf(miss.write.node);
  const source = s.kind === 'prop' ? `$this->${miss.source}` : `${miss.write.cls ?? 'self'}::$${miss.source}`;
  ctx.report({
    at, messageId: 'missEntry', data: { ref, source },
    related: [
      { at: s.decl, message: 'declared here' },
      { at: miss.fill.via ?? miss.fill.outer, message: `filled only when \`${source}\` has the key` },
      { at: miss.eviction.via ?? miss.eviction.outer, message: `evicted only here, where \`${source}\` changes` },
    ],
  });
  return true;
}

/**
 * A static registry of objects stored by their own id that only a reset method of the class
 * empties, never called in this file (rules/unbounded-cache-transient.ts). The cross-file pass
 * drops the finding when another file calls the reset.
 */
function reportTransientRegistry(ctx: Ctx, s: Store): boolean {
  if (s.kind !== 'static-prop' || !s.cls) return false;
  const t = transientRegistry(ctx.facts, s.cls, s.accesses);
  if (!t) return false;
  if (resetOf(ctx.file, s.cls, s.accesses)) return true;
  ctx.report({
    at: t.write.via ?? t.write.outer, messageId: 'transientRegistry',
    data: { ref: ctx.file.textOf(t.write.node), param: t.param, reset: t.reset },
    related: [
      { at: s.decl, message: 'declared here: a static property lives as long as the process' },
      { at: t.resetAccess.via ?? t.resetAccess.node, message: `${t.reset}() empties it: nothing in this file calls it` },
    ],
    unlessCalled: t.resetCalls,
  });
  return true;
}

function isIgnored(cls: ClassFacts, ignore: readonly string[]): boolean {
  if (!cls.name || ignore.length === 0) return false;
  const ns = closestAncestor(cls.node, (n) => n.kind === 'namespace', true);
  const fq = ns && ns.kind === 'namespace' && ns.name ? `${ns.name}\\${cls.name}` : cls.name;
  return ignore.some((i) => { const x = i.replace(/^\\/, ''); return x === fq || x === cls.name; });
}

function classStores(cls: ClassFacts): Store[] {
  const groups = new Map<string, Access[]>();
  for (const a of cls.accesses) {
    const k = `${a.storage}:${a.name}`;
    const g = groups.get(k);
    if (g) g.push(a); else groups.set(k, [a]);
  }
  const out: Store[] = [];
  for (const accesses of groups.values()) {
    const { storage, name } = accesses[0]!;
    if (storage === 'var') continue;
    const decl = declarationOf(cls, name, storage === 'static-prop');
    // Declared in a parent class or a using class: its evictions may be there, unseen.
    if (!decl || !holdsArray(decl, accesses)) continue;
    out.push({ kind: storage, name, accesses, decl, cls });
  }
  return out;
}

function staticLocals(scope: Scope): Store[] {
  const out: Store[] = [];
  for (const [name, sv] of scope.staticVars) {
    const accesses = scope.accesses.filter((a) => a.storage === 'var' && a.name === name);
    if (accesses.some((a) => a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind === 'new')) continue;
    out.push({ kind: 'static-local', name, accesses, decl: sv, cls: scope.cls });
  }
  return out;
}

/** The property (or promoted constructor parameter) that declares `name` in this class. */
function declarationOf(cls: ClassFacts, name: string, isStatic: boolean): PhpNode | null {
  const p = cls.properties.get(name);
  if (p) return p.isStatic === isStatic ? p.node : null;
  if (isStatic) return null;
  const ctor = cls.methods.get('__construct');
  return ctor?.arguments.find((a) => a.name?.name === name && a.flags !== 0) ?? null;
}

/** Is the property an array (not a \WeakMap, SplObjectStorage or other object)? */
function holdsArray(decl: PhpNode, accesses: readonly Access[]): boolean {
  const type = decl.kind === 'property' || decl.kind === 'parameter' ? decl.type : null;
  const names = typeNames(type);
  if (names.length > 0 && !names.some((n) => n === 'array' || n === 'iterable')) return false;
  const doc = docblockOf(decl) ?? (decl.parent ? docblockOf(decl.parent) : null);
  const declared = doc ? /@var\s+([^\s*]+)/.exec(doc)?.[1] : undefined;
  if (declared && !/array|\[\]|list<|iterable/i.test(declared)) return false;
  return !accesses.some((a) => a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind === 'new');
}

function functionOf(n: PhpNode): FunctionLike | null {
  return closestAncestor(n, isFunctionLike, true) as FunctionLike | null;
}

/** The enclosing method's name: lower-cased to compare (PHP method names are case-insensitive), or as written to show. */
function methodNameOf(n: PhpNode, asWritten = false): string | null {
  const m = closestAncestor(n, (p) => p.kind === 'method', true) as Method | null;
  return m ? (asWritten ? m.name.name : m.name.name.toLowerCase()) : null;
}

function start(file: SourceFile, n: PhpNode): number { return file.spanOf(n).start; }

/**
 * A write that updates what the array holds rather than adding a value: the new value is
 * computed from the array itself (`$c[$k] = array_merge($c[$k] ?? [], …)`), or it is an empty
 * bucket (`$c[$k] = []`) that other writes fill.
 */
function isUpdate(w: Access, all: readonly Access[]): boolean {
  const write = growingWrite(w);
  return (write?.kind === 'assign' && isEmptyArray(write.right)) || isSelfUpdate(w, all) || isSeed(w, all);
}

/**
 * The starting value of an aggregate (`$sums[$id] = ['total' => '0', 'count' => 0]`) that other
 * writes only add to (`$sums[$id]['total'] = bcadd($sums[$id]['total'], …)`): a running total
 * over what the call is summing, not an answer kept for later lookups.
 */
function isSeed(w: Access, all: readonly Access[]): boolean {
  const write = growingWrite(w);
  if (write?.kind !== 'assign' || write.right.kind !== 'array' || write.right.items.length === 0) return false;
  const literal = write.right.items.every((i) => (i.kind === 'entry' ? isConstantKey(i.value) && (!i.key || isConstantKey(i.key)) : isConstantKey(i)));
  return literal && all.some((c) => c !== w && isSelfUpdate(c, all));
}

/** A lookup by a key computed at run time (`isset($c[$k])`, `$c[$k] ?? …`, `array_key_exists($k, $c)`). */
function isLookup(a: Access): boolean {
  const byKey = a.role === 'lookup' || a.role === 'keyed-coalesce' || (a.role === 'keyed-read' && a.outer.parent?.kind === 'empty');
  if (!byKey) return false;
  if (a.depth === 0) {
    const key = a.via?.kind === 'call' ? a.via.arguments[0] : undefined;
    return !!key && !isConstantKey(key);
  }
  return keyChain(a).some((k) => k === false || !isConstantKey(k));
}

/** The array or its class is called a cache (`$snakeCache`, `class ArrayBasedCache`). */
function namedCache(s: Store): boolean {
  return /cache|memo/i.test(s.name) || (!!s.cls?.name && /cache$/i.test(s.cls.name));
}

/**
 * Does a function memoize into the array: look it up by key, and hand back what it stored
 * (`return $c[$k] = …`, `$c[$k] ??= …`, or a read of `$c[…]` after the lookup)? Builders and
 * registries that only check a key before adding (`isset($this->fields[$alias])`) do not.
 */
function memoizes(s: Store, writes: readonly Access[]): boolean {
  return writes.some((w) => {
    const fn = functionOf(w.node);
    const inFn = s.accesses.filter((c) => functionOf(c.node) === fn);
    if (!inFn.some(isLookup)) return false;
    if (w.role === 'keyed-coalesce') return true;
    const write = growingWrite(w);
    if (write && closestAncestor(write, (n) => n.kind === 'return' || n.kind === 'expressionstatement')?.kind === 'return') return true;
    return inFn.some((c) => c.role === 'keyed-read' && c.depth > 0);
  });
}

const STATIC_KEYED_TIP = 'Bound it (evict the oldest entry when count() reaches a limit), or key it by object with a \\WeakMap. If the keys come from a small fixed set (class names, enum cases), say so: `// phpleak-ignore-next-line unbounded-cache -- keyed by class name`.';
/** A list appended per call holds what one request or job added: empty it when that ends; evicting would drop entries still in use. */
const STATIC_LIST_TIP = 'If it holds what one request or job adds, empty it when that request or job ends (a `reset()` the container or worker calls: Symfony `ResetInterface`, an Octane or queue listener); otherwise keep it in an object that lives for one request, or bound it.';

/** Builtins that use a whole list to produce output. */
const RENDERERS = new Set(['implode', 'join', 'json_encode', 'array_map', 'print_r', 'var_export']);

/**
 * A list filled only by appends (`self::$styles[] = …`, `array_unshift(self::$styles, …)`) and read
 * only whole, to render it (`foreach (self::$styles as $s)`, `implode("\n", self::$scripts)`):
 * never looked up by key, so it is output being assembled, not a cache.
 */
function isOutputList(s: Store): boolean {
  let reads = 0;
  for (const a of s.accesses) {
    if (a.role === 'append' && keyChain(a).every((k) => k === false)) continue;
    if (a.role === 'byref-call' && (a.callee === 'array_push' || a.callee === 'array_unshift')) continue;
    if (a.role === 'count' || (a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node)) continue;
    if (a.role !== 'read' || a.depth !== 0) return false;
    const p = a.node.parent;
    const whole = (p?.kind === 'foreach' && p.source === a.node) || (p?.kind === 'call' && RENDERERS.has(functionName(p) ?? ''));
    if (!whole) return false;
    reads++;
  }
  return reads > 0;
}

function check(ctx: Ctx, s: Store): void {
  const file = ctx.file;
  if (reportMissEntry(ctx, s)) return;
  if (reportTransientRegistry(ctx, s)) return;
  const growing = s.accesses.filter((a) => growingWrite(a) !== null
    && !(s.kind === 'prop' && methodNameOf(a.node) === '__construct')
    && !isOneTimeFill(file, a, s.accesses)
    // Keys fixed by the code or its configuration: it stops growing once each has been seen.
    && !keysFromCode(ctx.facts, a)
    && !isTestOnly(a));
  // Empty buckets (`$c[$k] = []`) and updates of an aggregate are reported through the writes
  // that fill them; alone (a memo that stores an empty answer for every key asked) they grow.
  const fills = growing.filter((a) => !isUpdate(a, s.accesses));
  const writes = fills.length > 0 ? fills : growing.filter((a) => !isSelfUpdate(a, s.accesses) && !isSeed(a, s.accesses));
  if (writes.length === 0) return;
  // Keys that are the words of the code's vocabulary, told by the parameters beside them.
  if (keysOfCodeVocabulary(ctx.facts, growing)) return;
  // A list used as a set (appended only after `in_array()` in one place) appended without the
  // check in another: it grows with the calls, by duplicates, whatever the values are.
  // Only on an object that lives long by role (a container, a registry, a shared service): a
  // helper or a migrator that is filled twice dies with its job.
  const dup = s.kind === 'static-local' || !s.cls || (s.kind === 'prop' && !livesLong(s.cls, ctx.facts)) ? null : duplicateAppend(file, s.accesses);
  // An instance array that is never looked up by key is a collection: it dies with its object.
  if (!dup && s.kind === 'prop' && !s.accesses.some(isLookup)) return;
  // An instance array grows only while its object lives: a query builder, a parser or a
  // one-run command lives for one operation.
  if (s.kind === 'prop' && s.cls && lifetimeOf(s.cls, ctx.facts, ctx.longRunning).lifetime === 'operation') return;
  if (!dup && !namedCache(s)) {
    // A registry filled by a method that stores code it was given is as big as the code that
    // registers, not as the data handled; an instance array is a cache when it memoizes.
    if (writes.every((w) => isRegistration(ctx.facts, w) || (REGISTRABLE.test(s.name) && storesArgument(ctx.facts, w)))) return;
    if (s.kind === 'prop' && !memoizes(s, writes)) return;
  }
  if (s.accesses.some((a) => isEntryEviction(a) && !evictsAnotherKey(ctx.facts, file, a, writes))) return;
  const resetMethods = new Set(s.accesses.filter(isReset).map((a) => methodNameOf(a.node)).filter((m): m is string => m !== null));
  for (const c of s.accesses) {
    const region = sizeCheckOf(c);
    if (!region) continue;
    const acts = s.accesses.some((x) => isWithin(x.node, region) && (isReset(x) || isEntryEviction(x) || growingWrite(x) !== null));
    if (acts || containsJump(region) || ownMethodCalls(region).some((m) => resetMethods.has(m))) return;
  }
  // Emptied where it is reached: a per-request hook, the start of each operation that fills
  // it, or after each use of the contents. A clear() nobody calls is not enough.
  if (s.cls && s.kind !== 'static-local' && resetOf(file, s.cls, s.accesses)) return;
  // A batch buffer: each slot is emptied by the paired method that uses it (`load()` after `add()`).
  if (s.cls && s.kind !== 'static-local' && slotDrainOf(file, s.cls, s.accesses, writes)) return;
  // Only keys with evidence of data grow without bound: a key phpleak cannot place is, more
  // often than not, a name of the code (see "Key provenance" in rules/unbounded-cache.md).
  const evidenced = dup ? [{ a: dup.append, e: duplicateEvidence(file, dup) }] : writes
    .map((a) => ({ a, e: dataEvidence(ctx.facts, a, (n) => file.textOf(n)) }))
    .filter((x): x is { a: Access; e: Evidence } => x.e !== null && !onlyCalledUnderDevFlag(x.a, s.cls))
    .sort((x, y) => start(file, x.a.node) - start(file, y.a.node));
  if (evidenced.length === 0) return;
  // The page's output state: asset tags and head entries appended by the code that renders a
  // page and read back only to print them all. PHP-FPM empties it with each request; only a
  // process that serves many requests keeps it (and repeats every tag on every response).
  if (!ctx.longRunning && s.kind === 'static-prop' && evidenced.every((x) => x.e.argument) && isOutputList(s)) return;
  const { a: w, e: evidence } = evidenced[0]!;
  const resets = s.cls && s.kind !== 'static-local' ? resetCalls(s.cls, s.accesses) : [];
  const at = growingWrite(w)!;
  const related = [{ at: s.decl, message: s.kind === 'static-local' ? 'declared here: it keeps its value between calls' : 'declared here' }];
  const elsewhere = s.accesses.find((a) => isEntryEviction(a) && evictsAnotherKey(ctx.facts, file, a, writes));
  if (elsewhere) related.push({ at: elsewhere.via ?? elsewhere.outer, message: `removes the entry of \`${file.textOf(resolvedKey(ctx.facts, keyChain(elsewhere)[0] as PhpNode))}\`, not of the key written` });
  const reset = s.accesses.find((a) => isReset(a) && methodNameOf(a.node) !== null);
  if (reset) related.push({ at: reset.via ?? reset.node, message: `${methodNameOf(reset.node, true)}() empties it, but only when someone calls it: no size check triggers it, so it is not a bound` });
  const messageId: MessageId = s.kind === 'static-prop' ? 'staticProperty' : s.kind === 'prop' ? 'instanceCache' : 'staticLocal';
  // Evidence that only names public methods' parameters: the project's callers decide (cross-file).
  const callers = callerArguments(evidenced.map((x) => x.e));
  // An append adds an entry on every call, whatever its value; a keyed write only for a new key.
  const keyed = keyChain(w).some((k) => k !== false);
  const gains = keyed ? 'for every new key' : 'on every call';
  const remedy = keyed || evidence.per !== 'call' ? STATIC_KEYED_TIP : STATIC_LIST_TIP;
  ctx.report({
    at, messageId, related, data: { name: s.name, ref: file.textOf(w.node), per: evidence.per, evidence: evidence.text, gains, remedy },
    // Keyed by the ids of a table that may be a catalogue: it grows, but not until the process dies.
    // Keyed by nothing else (an email template's id, a form's, a stage's), it holds at most one
    // entry per row an administrator made, reached once and then flat, also in a worker: a note,
    // never a CI failure (reviewers judged every such finding not worth changing).
    ...(evidence.catalogue ? (evidence.per === 'key' ? { severity: 'info' as const, raiseTo: 'info' as const } : { raiseTo: 'warning' as const }) : {}),
    // An instance array dies with its object: gone when the project makes the class per call.
    ...(s.kind === 'prop' ? { instanceState: true as const } : {}),
    ...(callers ? { callerArguments: callers } : {}),
    // Emptied by a public reset that another file of the project calls: that caller bounds it.
    ...(resets.length > 0 ? { unlessCalled: resets } : {}),
    fix: (fixer) => cacheFixes(fixer, ctx.facts, s, w, at, ctx.options.maxEntries, ctx.phpVersion),
  });
}

