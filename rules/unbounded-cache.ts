import type { Access } from '../engine/facts/access.js';
import {
  containsJump, growingWrite, isConstantKey, isEmptyArray, isEntryEviction, isOneTimeFill, isReset, isSelfUpdate, keyChain,
  ownMethodCalls, sizeCheckOf,
} from '../engine/facts/array-growth.js';
import {
  closestAncestor, docblockOf, isWithin, typeNames, varName,
  type ClassFacts, type Facts, type Scope,
} from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { isFunctionLike, type ClassLike, type FunctionLike, type Method, type PhpNode } from '../engine/nodes.js';
import { defineRule, type RuleContext } from '../engine/rule.js';
import type { SourceFile } from '../engine/source.js';
import { cacheFixes, type CacheStore } from './unbounded-cache-fix.js';

type MessageId = 'staticProperty' | 'staticLocal' | 'instanceCache';
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
    fixable: 'sometimes',
    description: 'A static property, static local or instance lookup cache that gains entries and never loses one.',
    messages: {
      staticProperty: '`{{ref}}` grows by one entry per key and is never evicted',
      staticLocal: '`static ${{name}}` grows by one entry per key and is never evicted',
      instanceCache: '`$this->{{name}}` grows by one entry per key and is never evicted',
    },
    details: {
      staticProperty: '`{{ref}}` gains an entry for every new key and nothing ever removes one: a static property lives as long as the process, so in a worker or under a long-running server it grows until memory_limit is reached.',
      staticLocal: '`static ${{name}}` gains an entry for every new key and nothing ever removes one: a static variable lives as long as the process, so it grows until memory_limit is reached.',
      instanceCache: '`$this->{{name}}` is a lookup cache that gains an entry for every new key and never evicts one: it keeps every value ever stored for as long as its object lives (for a shared service in a worker, the whole process).',
    },
    tips: {
      staticProperty: 'Bound it (evict the oldest entry when count() reaches a limit), or key it by object with a \\WeakMap. If the keys come from a small fixed set (class names, enum cases), say so: `// phpleak-ignore-next-line unbounded-cache -- keyed by class name`.',
      staticLocal: 'Bound it (evict the oldest entry when count() reaches a limit). If the keys come from a small fixed set, say so: `// phpleak-ignore-next-line unbounded-cache -- <why the keys are few>`.',
      instanceCache: 'Bound it (evict the oldest entry when count() reaches a limit), or, when the keys are objects, use a \\WeakMap so an entry goes when its key object does. A clear() that nobody calls when the cache is full is not a bound.',
    },
  },
  defaultOptions: { ignoreClasses: [], maxEntries: 1000 } as Options,
  create(ctx) {
    // Caches in tests live for one test run.
    if (ctx.isTestFile) return {};
    const onClass = (node: ClassLike): void => {
      const cls = ctx.facts.classFor(node);
      if (cls && !isIgnored(cls, ctx.options.ignoreClasses)) for (const s of classStores(cls)) check(ctx, s);
    };
    const onFunction = (node: FunctionLike): void => {
      const scope = ctx.facts.scopeFor(node);
      if (!scope) return;
      if (scope.cls && isIgnored(scope.cls, ctx.options.ignoreClasses)) return;
      for (const s of staticLocals(scope)) check(ctx, s);
    };
    return {
      'class:exit': onClass, 'trait:exit': onClass, 'enum:exit': onClass,
      // A closure's static variables belong to the closure object and go with it.
      'function:exit': onFunction, 'method:exit': onFunction,
    };
  },
});

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
  return (write?.kind === 'assign' && isEmptyArray(write.right)) || isSelfUpdate(w, all);
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

/**
 * A registration API: the write stores what its method was given (`static::$macros[$name] =
 * $macro`, `self::$formats[$f] = is_array($m) ? $m : [$m]`, `self::$resolvers[] = fn () => …`)
 * and does not look the array up first. The array grows with the calls of the code that
 * registers (usually once, at boot), not with the data the process handles.
 */
function isRegistration(facts: Facts, s: Store, w: Access): boolean {
  const write = growingWrite(w);
  if (!write) return false;
  const values = write.kind === 'call' ? write.arguments.slice(1) : write.kind === 'assign' || write.kind === 'assignref' ? [write.right] : [];
  if (values.length === 0) return false;
  const scope = facts.scopeOf(w.node);
  // Stored as given (`$this->extensions[$name] = $extension`): a registry, even if it checks
  // for duplicates first.
  const asGiven = (v: PhpNode): boolean => {
    while (v.kind === 'offsetlookup') v = v.what;
    const n = varName(v);
    return n !== null && scope.params.has(n);
  };
  if (values.every(asGiven)) return true;
  // Built from what was given, without looking the array up first: a static registry. (An
  // instance memo computes from its arguments too, and a static memo of a negative answer,
  // `self::$missing[$class] = null` after an isset, is a cache.)
  if (s.kind === 'prop') return false;
  const fn = functionOf(w.node);
  if (s.accesses.some((c) => isLookup(c) && functionOf(c.node) === fn)) return false;
  return values.every((v) => isArgumentBuilt(v, scope));
}

/**
 * Is `value` made only of the function's arguments (and literals, plain function calls over
 * them, closures): no object created, no method called, no other variable read?
 */
function isArgumentBuilt(value: PhpNode, scope: Scope): boolean {
  if (value.kind === 'closure' || value.kind === 'arrowfunc') return true;
  const isArg = (name: string): boolean => scope.params.has(name) || scope.accesses.some((a) => a.name === name && a.storage === 'var'
    && a.via?.kind === 'foreach' && (a.via.value === a.node || a.via.key === a.node) && !!varName(a.via.source) && scope.params.has(varName(a.via.source)!));
  for (const n of nodesUnder(value)) {
    if (n.kind === 'new' || n.kind === 'propertylookup' || n.kind === 'staticlookup' || n.kind === 'nullsafepropertylookup') return false;
    if (n.kind === 'call' && n.what.kind !== 'name') return false;
    const v = varName(n);
    if (v !== null && !isArg(v)) return false;
    if (n.kind === 'variable' && v === null) return false;
  }
  return true;
}

function check(ctx: Ctx, s: Store): void {
  const file = ctx.file;
  const writes = s.accesses.filter((a) => growingWrite(a) !== null && !isUpdate(a, s.accesses)
    && !(s.kind === 'prop' && methodNameOf(a.node) === '__construct')
    && !isOneTimeFill(file, a, s.accesses));
  if (writes.length === 0) return;
  // An instance array that is never looked up by key is a collection: it dies with its object.
  if (s.kind === 'prop' && !s.accesses.some(isLookup)) return;
  if (!namedCache(s)) {
    // A registry filled by a method that stores its argument is as big as the code that
    // registers, not as the data handled; an instance array is a cache when it memoizes.
    if (writes.every((w) => isRegistration(ctx.facts, s, w))) return;
    if (s.kind === 'prop' && !memoizes(s, writes)) return;
  }
  if (s.accesses.some(isEntryEviction)) return;
  const resetMethods = new Set(s.accesses.filter(isReset).map((a) => methodNameOf(a.node)).filter((m): m is string => m !== null));
  for (const c of s.accesses) {
    const region = sizeCheckOf(c);
    if (!region) continue;
    const acts = s.accesses.some((x) => isWithin(x.node, region) && (isReset(x) || isEntryEviction(x) || growingWrite(x) !== null));
    if (acts || containsJump(region) || ownMethodCalls(region).some((m) => resetMethods.has(m))) return;
  }
  const w = writes.sort((a, b) => start(file, a.node) - start(file, b.node))[0]!;
  const at = growingWrite(w)!;
  const related = [{ at: s.decl, message: s.kind === 'static-local' ? 'declared here: it keeps its value between calls' : 'declared here' }];
  const reset = s.accesses.find((a) => isReset(a) && methodNameOf(a.node) !== null);
  if (reset) related.push({ at: reset.via ?? reset.node, message: `${methodNameOf(reset.node, true)}() empties it, but only when someone calls it: no size check triggers it, so it is not a bound` });
  const messageId: MessageId = s.kind === 'static-prop' ? 'staticProperty' : s.kind === 'prop' ? 'instanceCache' : 'staticLocal';
  ctx.report({
    at, messageId, related, data: { name: s.name, ref: file.textOf(w.node) },
    fix: (fixer) => cacheFixes(fixer, ctx.facts, s, w, at, ctx.options.maxEntries, ctx.phpVersion),
  });
}
