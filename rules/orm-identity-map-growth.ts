import type { Call, Loop, PhpNode } from '../engine/nodes.js';
import { nodesUnder as descendants } from '../engine/facts/subtree.js';
import { isDeclaredAs } from '../engine/facts/declared-types.js';
import { fixedIterationTotal, iteratesConfiguration } from '../engine/facts/fixed-iterations.js';
import { importsAt, resolveClassName } from '../engine/facts/imports.js';
import { dataSizedLoop } from '../engine/facts/data-size.js';
import { isOwnCall } from '../engine/facts/own-calls.js';
import { entityReadFindings } from './orm-identity-map-growth-reads.js';
import { wordpressImportFindings } from './orm-identity-map-growth-wordpress.js';
import { callReceiver, enclosingLoops, isWithin, methodName, thisPropertyName, varName, type Facts, type Scope } from '../engine/facts/index.js';
import { defineRule } from '../engine/rule.js';
import type { Fixer } from '../engine/fixes.js';
import type { SourceFile } from '../engine/source.js';
import type { Fix } from '../engine/types.js';

// Ways an ORM keeps every row it touched:
// - Doctrine: `persist()`/`flush()` in a loop with no `clear()`/`detach()` in it. The
//   UnitOfWork keeps every managed entity (identity map, original data, state) until cleared.
// - Doctrine reads: the same for entities only hydrated (./orm-identity-map-growth-reads.ts).
// - WordPress imports: posts written in a loop stay in the object cache (./orm-identity-map-growth-wordpress.ts).
// - Eloquent, in long-running code: `Model::all()` / `->get()` over a whole table, iterated:
//   every row is hydrated into a model before the first iteration.

const EM_TYPES: ReadonlySet<string> = new Set(['entitymanagerinterface', 'entitymanager', 'objectmanager', 'documentmanager', 'entitymanagerdecorator']);
const EM_NAMES = /^(em|entityManager|objectManager|documentManager)$/i;
const EM_GETTERS: ReadonlySet<string> = new Set(['getentitymanager', 'getmanager', 'getmanagerforclass', 'getobjectmanager', 'getdocumentmanager']);
/** A loop whose text fixes at most this many iterations (in total) keeps few entities. */
const SMALL_FIXED_LOOP = 1000;
/** Query-builder calls that do not narrow the rows of a whole-table query. */
const WHOLE_TABLE: ReadonlySet<string> = new Set([
  'query', 'newquery', 'with', 'withcount', 'withsum', 'withavg', 'withmin', 'withmax', 'withexists', 'orderby', 'orderbydesc',
  'latest', 'oldest', 'select', 'addselect', 'withtrashed', 'without', 'withoutglobalscope', 'withoutglobalscopes', 'distinct', 'table',
]);
/** Collection methods that walk every element of what `get()` returned. */
const ITERATING: ReadonlySet<string> = new Set(['each', 'map', 'filter', 'reject', 'transform', 'flatmap', 'groupby', 'keyby', 'sortby', 'foreach']);

export default defineRule({
  meta: {
    id: 'orm-identity-map-growth',
    severity: 'warning',
    longRunningSeverity: 'error',
    longRunningEffect: 'nothing frees them',
    fixable: 'sometimes',
    description: 'Doctrine persist()/flush() or paging/streaming reads in a loop without clear()/detach(); WordPress post imports without suspending the object cache; Eloquent all()/get() of a whole table iterated in long-running code.',
    messages: {
      persist: '`{{call}}` in a loop without `clear()`: the EntityManager keeps every persisted entity',
      flush: '`{{call}}` in a loop without `clear()`: every managed entity stays and each flush gets slower',
      eloquent: '`{{call}}` loads the whole table into memory before the first iteration',
      read: '`{{call}}` loads entities in a loop without `clear()`: the EntityManager keeps every entity it hydrated',
      iterator: '`{{call}}` feeds an iterator that never detaches: the EntityManager keeps every entity handed out',
      wordpress: '`{{call}}` in an import loop without `wp_suspend_cache_addition()`: the object cache keeps every post written',
    },
    details: {
      persist: "The loop runs over {{why}}. `{{call}}` runs in it and it never calls `clear()` or `detach()`: Doctrine's UnitOfWork keeps every persisted entity, with a copy of its original data, until the EntityManager is cleared, so memory grows with every iteration (measured: +23 MB for 20,000 small entities flushed every 500; +0.4 MB with `clear()` after each flush).",
      flush: "The loop runs over {{why}}. `{{call}}` runs in it and it never calls `clear()` or `detach()`: every entity loaded or persisted stays managed, and each `flush()` computes change sets over all of them, so memory and the time per flush grow with every iteration.",
      eloquent: '`{{call}}` loads every row of the table (as models; as rows for `DB::table()`) before the first iteration: memory peaks at the size of the table.',
      read: "The loop runs over {{why}} and never calls `clear()` or `detach()`: Doctrine keeps every entity it hydrates in the identity map, with a copy of its original data, whether or not it is persisted or changed. Reading page after page (or row after row of `toIterable()`, which streams from the database but not out of the UnitOfWork) keeps the whole table in memory by the end of the loop.",
      wordpress: "The loop runs over {{why}} and writes a post on each iteration. WordPress reads every post it writes back into its object cache (with its meta and terms); without a persistent cache backend that cache is an array in this process, kept until the request or command ends, and nothing in this file suspends or flushes it: memory grows with every row imported.",
      iterator: "This class hands out the entities {{why}} hydrates, one per step of its caller's loop, and nothing in it calls `detach()` or `clear()`: the EntityManager keeps each of them, so walking the iterator to its end keeps every row of the query in memory.",
    },
    tips: {
      persist: 'Flush and clear in batches: `if (++$i % 100 === 0) { $em->flush(); $em->clear(); }`, and once more after the loop; or `detach()` each entity once it is flushed.',
      flush: 'Clear the EntityManager after each batch (`$em->flush(); $em->clear();`), and iterate the query with `toIterable()`.',
      eloquent: 'Stream the rows: `->lazy()` (chunks of 1,000 by primary key), `->cursor()` (one model at a time), or `->chunkById(500, fn ($rows) => …)`.',
      read: 'Clear the EntityManager once each page (or every few hundred rows) is handled: `$em->clear();` at the end of the loop body, or `$em->detach($entity)` per row; read ids or arrays (`getArrayResult()`) when no entity is needed.',
      wordpress: 'Call `wp_suspend_cache_addition(true)` before the loop (and `false` after), or `wp_cache_flush_runtime()` every few hundred rows (WordPress 6.0+; `wp_cache_flush()` before).',
      iterator: 'Detach what was handed out before moving on (`$em->detach($current)` in `next()`), or clear the EntityManager every few hundred rows.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    // Tests build a handful of fixtures with a fresh EntityManager per test.
    if (ctx.isTestFile) return {};
    return {
      'program:exit'() {
        const facts = ctx.facts;
        const isEm = (r: PhpNode | null): boolean => !!r && isEntityManager(r, facts);
        const emCalls = (name: string): Call[] => (facts.methodCalls.get(name) ?? []).filter((c) => c.what.kind !== 'staticlookup' && isEm(callReceiver(c)));
        const clears = [...emCalls('clear'), ...emCalls('detach')];
        const clearingMethods = clearingMethodsOf(clears, facts);
        const byLoop = new Map<Loop, Call[]>();
        for (const call of [...emCalls('persist'), ...emCalls('flush')]) {
          // Seeders that fill the database with fake data run once on a developer's machine.
          if (isDataFixture(facts.classOf(call)?.node ?? null) || usesFaker(facts, call)) continue;
          const loops = enclosingLoops(call);
          if (loops.length === 0 || smallFixedLoops(loops, facts.scopeOf(loops[0]!))) continue;
          if (loops.some((l) => clears.some((c) => isWithin(c, l)) || callsClearingMethod(l, clearingMethods))) continue;
          // `foreach ($tags as $tag) { $em->persist($tag); }` over an array the code already
          // holds: clear() would free nothing, the array keeps every entity anyway.
          if (methodName(call) === 'persist' && persistsHeldLoopValue(call, loops)) continue;
          // The same through a save helper, flushed in batches: `foreach ($entities as $e) {
          // $repo->saveEntity($e, false); if (++$i % 20 === 0) $em->flush(); }` makes nothing new.
          if (methodName(call) === 'flush' && savesHeldLoopValues(loops)) continue;
          // `foreach ($ids as $id) { $e = $this->find($id); $repo->deleteEntity($e); … flush(); }`:
          // a removed entity leaves the identity map when the flush deletes it.
          if (methodName(call) === 'flush' && removesEachEntity(loops)) continue;
          // One finding per loop nest: an inner persist() and an outer flush() are one story.
          const outer = loops[loops.length - 1]!;
          const list = byLoop.get(outer);
          if (list) list.push(call); else byLoop.set(outer, [call]);
        }
        const reported = new Set<Loop>();
        for (const [outer, calls] of byLoop) {
          // Only a loop over run-time data (rows, lines, files, pages, a batch import) keeps
          // many entities: a request's few items or the caller's collection do not.
          const evidence = growthEvidence(outer, calls, facts);
          if (!evidence) continue;
          reported.add(outer);
          calls.sort((a, b) => ctx.file.spanOf(a).start - ctx.file.spanOf(b).start);
          const at = calls.find((c) => methodName(c) === 'persist') ?? calls[0]!;
          const messageId = methodName(at) === 'persist' ? 'persist' : 'flush';
          ctx.report({ at, messageId, data: { call: `${ctx.file.textOf(at.what)}()`, why: evidence } });
        }
        // Config's longRunning globs (no detected reason) or evidence other than a batch command.
        const livesOn = (): boolean => ctx.longRunning && (facts.longRunning.reasons.length === 0 || facts.longRunning.reasons.some((r) => r.kind !== 'batch-command'));
        // Reads keep entities too: a loop that pages through a table or walks a stream.
        const freeing = ['clear', 'detach'].flatMap((n) => facts.methodCalls.get(n) ?? []).filter((c) => freesEntities(c, isEm));
        const freeingMethods = clearingMethodsOf(freeing, facts);
        const frees = (c: Call): boolean => freeing.includes(c) || (freeingMethods.has(methodName(c) ?? '') && isOwnCall(c));
        for (const r of entityReadFindings(facts, frees, reported)) {
          if (isDataFixture(facts.classOf(r.at)?.node ?? null)) continue;
          // A loop that only reads holds the table for one operation: a peak, as large as the
          // table, freed with the EntityManager (per request, per command). A note unless the
          // loop also writes (the batch job Doctrine's guide clears in); in a process that lives
          // on, where re-reading the table keeps the same entities, a warning at most; a batch
          // command (evidence of a loop over rows, like this one) ends: still a note.
          const readOnly = r.messageId === 'read' && r.loop !== null && !writesEntities(r.loop, isEm);
          ctx.report({
            at: r.site ?? r.at, messageId: r.messageId, data: { call: `${callText(ctx.file, r.at)}()`, why: r.why },
            related: r.site ? [{ at: r.at, message: 'the entities come from this query' }] : undefined,
            ...(readOnly ? { severity: 'info' as const, raiseTo: livesOn() ? 'warning' as const : 'info' as const } : {}),
          });
        }
        for (const w of wordpressImportFindings(facts)) {
          ctx.report({ at: w.at, messageId: 'wordpress', data: { call: `${ctx.file.textOf(w.at.what)}()`, why: w.why } });
        }
        // A whole table hydrated by a job is a peak freed when the job returns, not growth: info,
        // never raised, and only where the code runs over and over in one process (a worker, a
        // queued job, a daemon command); a batch command ends and frees it.
        // (No detected reason: the config's longRunning globs said so.)
        if (livesOn()) {
          reportEloquent(ctx.file, facts, (at, call, fix) => ctx.report({ at, messageId: 'eloquent', data: { call }, fix, severity: 'info', peak: true }));
        }
      },
    };
  },
});

/** `$em`, `$this->entityManager`, a parameter/property typed EntityManagerInterface, `$registry->getManager()`. */
/** The loop persists, flushes or removes through an EntityManager. */
function writesEntities(loop: Loop, isEm: (r: PhpNode | null) => boolean): boolean {
  return descendants(loop).some((n) => n.kind === 'call' && WRITES.has(methodName(n) ?? '') && isEm(callReceiver(n)));
}

const WRITES: ReadonlySet<string> = new Set(['persist', 'flush', 'remove', 'merge']);

function isEntityManager(r: PhpNode, facts: Facts): boolean {
  const name = varName(r) ?? thisPropertyName(r);
  if (name !== null && EM_NAMES.test(name)) return true;
  if (r.kind === 'call' && EM_GETTERS.has(methodName(r) ?? '')) return true;
  if (isDeclaredAs(r, facts, EM_TYPES)) return true;
  const v = varName(r);
  if (v === null) return false;
  // `$manager = $this->doctrine->getManager();`
  return facts.scopeOf(r).accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign'
    && a.via.right.kind === 'call' && EM_GETTERS.has(methodName(a.via.right) ?? ''));
}

/** Methods of this file's classes that clear or detach (`private function flushBatch()`), lower-cased. */
function clearingMethodsOf(clears: readonly Call[], facts: Facts): Set<string> {
  const out = new Set<string>();
  for (const cls of facts.classes) {
    for (const [name, m] of cls.methods) if (clears.some((c) => isWithin(c, m))) out.add(name);
  }
  return out;
}

/** `$em->clear()`, `$em->detach($e)`, `$em->getUnitOfWork()->detach($e)`, `$uow->clear()`. */
function freesEntities(c: Call, isEm: (r: PhpNode | null) => boolean): boolean {
  const r = callReceiver(c);
  if (!r || c.what.kind === 'staticlookup') return false;
  if (isEm(r)) return true;
  return (r.kind === 'call' && methodName(r) === 'getunitofwork') || /^(uow|unitOfWork)$/i.test(varName(r) ?? thisPropertyName(r) ?? '');
}

/** `$repository->findBy` for a chain ending in `findBy(…)`: the last call's receiver text is kept short. */
function callText(file: SourceFile, c: Call): string {
  const w = c.what;
  if (w.kind === 'propertylookup' && w.what.kind === 'call') return `…->${file.textOf(w.offset)}`;
  return file.textOf(w);
}

function callsClearingMethod(loop: Loop, methods: ReadonlySet<string>): boolean {
  if (methods.size === 0) return false;
  return descendants(loop).some((n) => n.kind === 'call' && methods.has(methodName(n) ?? '') && isOwnCall(n));
}

/** Doctrine data fixtures: seed data loaded once by a dev/test command (`doctrine:fixtures:load`). */
const FIXTURE_TYPES = /(^|\\)(Fixture|AbstractFixture|FixtureInterface|ORMFixtureInterface|DependentFixtureInterface|FixtureGroupInterface|OrderedFixtureInterface)$/;

function isDataFixture(cls: PhpNode | null): boolean {
  if (!cls || cls.kind !== 'class') return false;
  const names = [cls.extends, ...(cls.implements ?? [])].filter((n): n is PhpNode => !!n && n.kind === 'name').map((n) => (n as { name: string }).name);
  return names.some((n) => FIXTURE_TYPES.test(n)) || /Fixtures?$/.test(cls.name?.name ?? '');
}

/**
 * Why the loop nest around the calls handles many entities, or null: some loop of the nest
 * runs over run-time data (engine/facts/data-size.ts), or the loop flushes in batches
 * (`if ($i % 20 === 0) { $em->flush(); }`: its author expects many rows). A loop over a
 * parameter named like data counts only when the entities are made or loaded in the loop.
 */
function growthEvidence(outer: Loop, calls: readonly Call[], facts: Facts): string | null {
  const loops = [...enclosingLoops(calls[0]!), outer].filter((l, i, all) => all.indexOf(l) === i && isWithin(l, outer));
  // `$entries = $repo->findBy(…); foreach ($entries as $e) { …; $em->flush(); }`: the array
  // holds every entity already; clear() would free nothing.
  const held = loops.filter((l) => walksLoadedEntities(l, facts));
  for (const l of loops) {
    if (held.includes(l)) continue;
    const e = dataSizedLoop(l, facts);
    if (e) return e.what;
  }
  if (held.length === 0 && calls.some((c) => methodName(c) === 'flush' && isBatchFlush(c, outer))) return 'a batch that it flushes every few iterations';
  return null;
}

/** Repository and query calls that return every entity they find, as an array. */
const LOADS_ENTITIES = /^(?:getresult|findall|findby\w*|find\w+by\w*)$/;

/** A `foreach` over entities loaded into an array before the loop (`getResult()`, `findBy…()`), directly or through a local. */
function walksLoadedEntities(loop: Loop, facts: Facts): boolean {
  if (loop.kind !== 'foreach') return false;
  const loads = (n: PhpNode): boolean => n.kind === 'call' && LOADS_ENTITIES.test(methodName(n) ?? '');
  if (loads(loop.source)) return true;
  const v = varName(loop.source);
  if (v === null) return false;
  return facts.scopeOf(loop).accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && loads(a.via.right));
}

/** `if (0 === $i % 20) { $em->flush(); }` inside the loop. */
function isBatchFlush(flush: Call, loop: Loop): boolean {
  for (let p = flush.parent; p && p !== loop; p = p.parent) {
    if (p.kind === 'if' && descendants(p.test).some((n) => n.kind === 'bin' && n.type === '%')) return true;
  }
  return false;
}

/** Sources a `foreach` streams: each entity is loaded in its iteration, nothing else holds it. */
const STREAMING: ReadonlySet<string> = new Set(['toiterable', 'iterate', 'cursor', 'lazy', 'lazybyid', 'iterateassociative', 'iteratenumeric']);

/** Does `persist($x)` persist the value of an enclosing `foreach` over an array (not a stream)? */
function persistsHeldLoopValue(call: Call, loops: readonly Loop[]): boolean {
  const v = varName(call.arguments[0] ?? null);
  if (v === null) return false;
  return loops.some((l) => l.kind === 'foreach' && varName(l.value) === v
    && !(l.source.kind === 'call' && STREAMING.has(methodName(l.source) ?? '')));
}

const SAVES = /^(?:persist|save\w*)$/i;

/** A `foreach` whose body hands its own value to persist()/save…() and creates no object. */
function savesHeldLoopValues(loops: readonly Loop[]): boolean {
  return loops.some((l) => {
    if (l.kind !== 'foreach' || (l.source.kind === 'call' && STREAMING.has(methodName(l.source) ?? ''))) return false;
    const v = varName(l.value);
    if (v === null) return false;
    const inside = descendants(l);
    return !inside.some((n) => n.kind === 'new')
      && inside.some((n) => n.kind === 'call' && SAVES.test(methodName(n) ?? '') && n.arguments.some((a) => varName(a) === v));
  });
}

const REMOVES = /^(?:remove|delete)\w*$/i;

/**
 * A loop that removes what it handles: the loop's value, or an entity it loads into a local
 * (`$e = $this->getEntity($id)`), is passed to remove()/delete…(). Doctrine's UnitOfWork forgets
 * an entity once the flush has deleted it, so such a loop leaves nothing behind in the map.
 */
function removesEachEntity(loops: readonly Loop[]): boolean {
  return loops.some((l) => {
    if (l.kind !== 'foreach') return false;
    const inside = descendants(l);
    const handled = new Set<string>();
    const v = varName(l.value);
    if (v) handled.add(v);
    for (const n of inside) {
      if (n.kind === 'assign' && n.operator === '=' && n.right.kind === 'call') { const t = varName(n.left); if (t) handled.add(t); }
    }
    return inside.some((n) => n.kind === 'call' && REMOVES.test(methodName(n) ?? '') && handled.has(varName(n.arguments[0] ?? null) ?? ''));
  });
}

/** A file that makes fake data (`Faker\Factory`, `fake()`): a seeder run on a developer's machine. */
function usesFaker(facts: Facts, at: PhpNode): boolean {
  if ((facts.functionCalls.get('fake') ?? []).length > 0) return true;
  return [...importsAt(at).classes.values()].some((fqn) => /^Faker\\/i.test(fqn));
}

function smallFixedLoops(loops: readonly Loop[], scope: Scope): boolean {
  // A loop over configuration (`$this->servers` set by the constructor) is sized by a person.
  const counted = loops.filter((l) => !iteratesConfiguration(l, scope));
  const total = fixedIterationTotal(counted, scope);
  return total !== null && total <= SMALL_FIXED_LOOP;
}

// ---- Eloquent ----

function reportEloquent(file: SourceFile, facts: Facts, report: (at: Call, call: string, fix?: (f: Fixer) => Fix | null) => void): void {
  for (const name of ['all', 'get']) {
    for (const call of facts.methodCalls.get(name) ?? []) {
      const chain = wholeTableChain(call, name);
      if (!chain || !isIterated(call, facts) || usesFaker(facts, call) || isStandardCodeTable(chain.root)) continue;
      const text = `${file.textOf(chain.root.what)}()${chain.rest}`;
      // The query builder's lazy() throws without an orderBy (Eloquent's orders by the key).
      const direct = call.parent?.kind === 'foreach' && call.parent.source === call && call.arguments.length === 0 && (!chain.isDb || chain.ordered);
      report(call, text, direct ? (fixer) => {
        const w = call.what as Extract<PhpNode, { kind: 'propertylookup' | 'staticlookup' | 'nullsafepropertylookup' }>;
        // lazy() pages by primary key (or the query's order): rows changed during the loop may be seen twice or not at all.
        return fixer.fix('Stream the rows with lazy() (unsafe: it pages through the rows in chunks, so rows changed during the loop can be seen twice or missed)', [fixer.replace({ start: file.spanOf(w.offset).start, end: file.spanOf(call).end }, 'lazy()')], 'unsafe');
      } : undefined);
    }
  }
}

/**
 * Tables of a standard's codes (ISO 4217 currencies, ISO 3166 countries and subdivisions,
 * ISO 639 languages, locales, IANA time zones): a few hundred rows at most, whatever the
 * application does. Loading them whole is how they are used (invoiceninja's daily exchange-rate
 * job walks every currency; a review judged it not worth changing).
 */
const STANDARD_CODES = /^(currenc(y|ies)|countr(y|ies)|languages?|locales?|time_?zones?|continents?|subdivisions?)$/i;

/** `Currency::all()`, `DB::table('countries')->get()`: a table of a standard's codes. */
function isStandardCodeTable(root: Call): boolean {
  if (root.what.kind !== 'staticlookup' || root.what.what.kind !== 'name') return false;
  const cls = resolveClassName(root.what.what.name, root);
  const short = cls.slice(cls.lastIndexOf('\\') + 1);
  if (short === 'DB') {
    const table = root.arguments[0]?.kind === 'string' ? (root.arguments[0] as { value: string }).value : '';
    return STANDARD_CODES.test(table.replace(/^.*\./, ''));
  }
  return STANDARD_CODES.test(short);
}

/** `User::all()`, `User::get()`, `User::query()->orderBy('id')->get()`, `DB::table('users')->get()`: no narrowing call. */
function wholeTableChain(call: Call, last: string): { root: Call; rest: string; isDb: boolean; ordered: boolean } | null {
  if (call.arguments.length > 1) return null;
  const methods: string[] = [];
  let c: Call = call;
  while (c.what.kind === 'propertylookup' || c.what.kind === 'nullsafepropertylookup') {
    const inner = c.what.what;
    if (inner.kind !== 'call') return null;
    c = inner;
    methods.push(methodName(c) ?? '');
  }
  if (c.what.kind !== 'staticlookup' || c.what.what.kind !== 'name') return null;
  const rootMethod = methodName(c) ?? '';
  if (c === call) {
    if (last === 'all' && call.arguments.length !== 0) return null;
  } else if (last === 'all' || !methods.every((m) => WHOLE_TABLE.has(m))) {
    return null;
  }
  const cls = resolveClassName(c.what.what.name, c);
  const short = cls.slice(cls.lastIndexOf('\\') + 1);
  const isDb = short === 'DB' && rootMethod === 'table';
  if (!isDb && !/\\Models?\\/.test(cls)) return null;
  const ordered = methods.some((m) => m === 'orderby' || m === 'orderbydesc' || m === 'latest' || m === 'oldest');
  return { root: c, rest: c === call ? '' : methods.length > 1 ? `->…->${last}()` : `->${last}()`, isDb, ordered };
}

/** The result is walked: a foreach source, an iterating collection call, or a variable later foreach'ed. */
function isIterated(call: Call, facts: Facts): boolean {
  const p = call.parent;
  if (!p) return false;
  if (p.kind === 'foreach' && p.source === call) return true;
  if (p.kind === 'propertylookup' && p.what === call && p.parent?.kind === 'call' && ITERATING.has(methodName(p.parent) ?? '')) return true;
  if (p.kind === 'assign' && p.right === call && p.operator === '=') {
    const v = varName(p.left);
    if (v === null) return false;
    return facts.scopeOf(call).accesses.some((a) => a.storage === 'var' && a.name === v && a.node.parent?.kind === 'foreach'
      && (a.node.parent as { source: PhpNode }).source === a.node && a.node.loc !== null && p.loc !== null && a.node.loc.start.offset > p.loc.start.offset);
  }
  return false;
}
