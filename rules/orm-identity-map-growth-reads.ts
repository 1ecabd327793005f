import type { Call, Loop, PhpNode } from '../engine/nodes.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { loopCounters } from '../engine/facts/loop-bounds.js';
import { callReceiver, enclosingLoops, functionName, isWithin, methodName, stringValue, thisPropertyName, varName, type Facts } from '../engine/facts/index.js';
import { isOwnCall } from '../engine/facts/own-calls.js';
import type { Scope } from '../engine/facts/scopes.js';

// Doctrine keeps every entity it HYDRATES, not only those persisted: a read loop that pages
// through a table (`findBy([], $order, $limit, $offset)`, `setFirstResult($first)->getResult()`)
// or walks `toIterable()`/`iterate()` leaves each row's entity in the identity map, with a copy
// of its original data, until `clear()`/`detach()`. `toIterable()` streams the rows from the
// database but not out of the UnitOfWork: Doctrine's own batch-processing guide clears in the
// loop. Evidence is the shape of the loop itself (a page call advanced by the loop, or a stream
// it walks), so request code that reads one page is not concerned.

/** A read-loop finding: where, which message, and the phrase that says why. */
export interface ReadFinding {
  /** The load; `site` when the finding belongs elsewhere (an iterator's `current()`, where entities are handed out and can be detached). */
  at: Call;
  site: PhpNode | null;
  messageId: 'read' | 'iterator';
  why: string;
  loop: Loop | null;
}

/** Query methods that hydrate entities (with the default object hydration). */
const HYDRATING: ReadonlySet<string> = new Set(['getresult', 'toiterable', 'iterate']);
/** Calls on a Doctrine query or query builder: a chain holding one is a query. */
const QUERY_CALLS = /^(?:getquery|createquery|createnativequery|setparameters?|setmaxresults|setfirstresult|sethint|setlockmode|setcacheable|usequerycache|setfetchmode)$/;
/** Where the hydration mode sits: getResult($mode), toIterable($params, $mode), iterate($params, $mode). */
const HYDRATION_ARG: Readonly<Record<string, number>> = { getresult: 0, toiterable: 1, iterate: 1 };
const PAGE_SETTERS: ReadonlySet<string> = new Set(['setfirstresult', 'setmaxresults', 'setoffset', 'offset', 'skip']);

/**
 * Read loops of this file that leave hydrated entities in the identity map. `isClear` says
 * whether a call frees them (`$em->clear()`, `$em->detach($e)`, `$uow->detach($e)`, a method of
 * this class that does); `done` are loops already reported for persist()/flush().
 */
export function entityReadFindings(facts: Facts, isClear: (c: Call) => boolean, done: ReadonlySet<Loop>): ReadFinding[] {
  const loads: Call[] = [];
  for (const name of [...HYDRATING, 'findby']) for (const c of facts.methodCalls.get(name) ?? []) if (isEntityLoad(c, facts)) loads.push(c);
  if (loads.length === 0) return [];
  const out: ReadFinding[] = [];
  const seen = new Set<Loop>();
  for (const load of loads) {
    const found = pagingOrStreamingLoop(load, facts);
    if (found) {
      const { loop, why } = found;
      if (seen.has(loop) || [...done].some((d) => isWithin(loop, d) || isWithin(d, loop))) continue;
      seen.add(loop);
      if (clearsIn(loop, isClear) || keepsPages(loop, load)) continue;
      out.push({ at: load, site: null, messageId: 'read', why, loop });
      continue;
    }
    // An iterator class over `iterate()`/`toIterable()`: the loop is in its caller, and only
    // this class can detach what it hands out.
    if (enclosingLoops(load).length === 0 && isIteratorState(load, facts)) {
      const cls = facts.classOf(load)!;
      if (cls.node.body.some((m) => nodesUnder(m).some((n) => n.kind === 'call' && isClear(n)))) continue;
      const current = cls.methods.get('current');
      out.push({ at: load, site: current ? current.name : null, messageId: 'iterator', why: `\`${methodName(load)}()\``, loop: null });
    }
  }
  return out;
}

/** `$query->toIterable()`, `$qb->getQuery()->getResult()`, `$repository->findBy([], $order, 100, $offset)`: entities, not arrays. */
function isEntityLoad(c: Call, facts: Facts): boolean {
  const m = methodName(c)!;
  if (c.what.kind === 'staticlookup') return false;
  // findBy(criteria, orderBy, limit, offset): a page of entities (with a limit only, a slice).
  if (m === 'findby') return c.arguments.length >= 3;
  if (!isDoctrineQuery(callReceiver(c), facts)) return false;
  const mode = c.arguments[HYDRATION_ARG[m] ?? -1];
  if (mode && !isObjectHydration(mode)) return false;
  return !chainOf(c).some((x) => methodName(x) === 'sethydrationmode' && !isObjectHydration(x.arguments[0])) && !selectsFieldsOnly(c, facts);
}

function isObjectHydration(n: PhpNode | undefined): boolean {
  return !!n && n.kind === 'staticlookup' && n.offset.kind === 'identifier' && n.offset.name === 'HYDRATE_OBJECT';
}

/** The calls of a method chain, from `c` inwards (`$qb->getQuery()->setMaxResults(10)->getResult()`). */
function chainOf(c: Call): Call[] {
  const out: Call[] = [];
  for (let x: PhpNode | null = c; x && x.kind === 'call'; x = callReceiver(x)) out.push(x);
  return out;
}

/** The variable or property a chain starts from. */
function chainRoot(c: Call): PhpNode | null {
  let x: PhpNode | null = c;
  while (x && x.kind === 'call') x = callReceiver(x);
  return x;
}

/** A Doctrine query: a chain through a query call, a `$query`/`$this->query`, or a local assigned such a chain. */
function isDoctrineQuery(r: PhpNode | null, facts: Facts): boolean {
  if (!r) return false;
  if (r.kind === 'call') return chainOf(r).some((x) => QUERY_CALLS.test(methodName(x) ?? ''));
  const name = varName(r) ?? thisPropertyName(r);
  if (name === null) return false;
  if (/query/i.test(name)) return true;
  const v = varName(r);
  return v !== null && facts.scopeOf(r).accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign'
    && a.via?.kind === 'assign' && a.via.left === a.node && a.via.right.kind === 'call' && chainOf(a.via.right).some((x) => QUERY_CALLS.test(methodName(x) ?? '')));
}

/**
 * `->select('u.id, u.email')`, `createQuery('SELECT p.id FROM …')`: only fields, so rows are
 * arrays and nothing enters the identity map. Looked for in the chain and, when the chain
 * starts from a local, in the calls on that local in the same function.
 */
function selectsFieldsOnly(c: Call, facts: Facts): boolean {
  const calls = chainOf(c);
  const root = chainRoot(c);
  const v = varName(root);
  if (v !== null) {
    const scope = facts.scopeOf(c);
    for (const x of scope.calls) if (varName(chainRoot(x)) === v) calls.push(...chainOf(x));
    // `$query = $qb->select('c.id')->getQuery(); … $query->toIterable()`.
    for (const a of scope.accesses) {
      if (a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && a.via.right.kind === 'call') calls.push(...chainOf(a.via.right));
    }
    // `$this->addSelectFields($queryBuilder, $fields)`: the class's own helper selects on it.
    calls.push(...helperCallsOn(scope, v, facts));
  }
  const selects = calls.filter((x) => /^(?:select|addselect|createquery)$/.test(methodName(x) ?? ''));
  if (selects.length === 0) return false;
  return selects.every((x) => {
    // `'reference.' . $field`: one field of the alias, whichever.
    const texts = x.arguments.map((a) => stringValue(a) ?? aliasFieldPrefix(a)).filter((s): s is string => s !== null);
    if (texts.length === 0) return false;
    const list = methodName(x) === 'createquery' ? /^\s*select\s+(.*?)\s+from\s/is.exec(texts[0]!)?.[1] ?? null : texts.join(',');
    return list !== null && topLevelItems(list).every(isScalarSelect);
  });
}

/**
 * A DQL select item that gives a scalar, not an entity: a field (`u.email`), a function of
 * anything (`IDENTITY(rp.station)`, `COUNT(u.id)`, `CONCAT(u.first, ' ', u.last)`), with or
 * without `AS name`. A bare alias (`u`), `PARTIAL u.{id}` and `NEW Dto(…)` are not scalars.
 */
function isScalarSelect(item: string): boolean {
  const f = item.trim().replace(/\s+(?:as\s+)?(?:hidden\s+)?\w+$/i, '');
  if (/^(?:partial|new)\b/i.test(f)) return false;
  return /^\w+\.\w+$/.test(f) || /^\w+\s*\(.*\)$/s.test(f);
}

/** The items of a select list, split at commas outside parentheses. */
function topLevelItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) { items.push(list.slice(start, i)); start = i + 1; }
  }
  items.push(list.slice(start));
  return items;
}

/** `'alias.' . $field` as `alias.field`: a field select whatever field is asked for. */
function aliasFieldPrefix(a: PhpNode): string | null {
  if (a.kind !== 'bin' || a.type !== '.') return null;
  const left = stringValue(a.left);
  return left !== null && /^\w+\.$/.test(left) ? `${left}field` : null;
}

/** Calls made on the parameter of an own method (`$this->m($qb)`) that `scope` hands `$v` to. */
function helperCallsOn(scope: Scope, v: string, facts: Facts): Call[] {
  const out: Call[] = [];
  for (const call of scope.calls) {
    if (!isOwnCall(call) || !scope.cls) continue;
    const index = call.arguments.findIndex((a) => varName(a) === v);
    const method = index >= 0 ? scope.cls.methods.get(methodName(call)?.toLowerCase() ?? '') : undefined;
    const param = method?.arguments[index]?.name?.name;
    if (!method || !param) continue;
    for (const x of facts.scopeFor(method)?.calls ?? []) if (varName(chainRoot(x)) === param) out.push(...chainOf(x));
  }
  return out;
}

/**
 * The loop that makes `load` read table after table: a while/do/for that advances an offset or
 * page the load uses, or whose test looks at what the load returned (`while (count($rows) > 0)`),
 * or a foreach over a stream (`toIterable()`/`iterate()`, directly or through a local).
 */
function pagingOrStreamingLoop(load: Call, facts: Facts): { loop: Loop; why: string } | null {
  const m = methodName(load)!;
  const streams = m === 'toiterable' || m === 'iterate';
  if (streams) {
    const direct = load.parent;
    if (direct && direct.kind === 'foreach' && direct.source === load) return { loop: direct, why: `each entity \`${m}()\` hydrates` };
    const v = assignedVar(load);
    if (v !== null) {
      for (const a of facts.scopeOf(load).accesses) {
        const p = a.node.parent;
        if (a.storage === 'var' && a.name === v && p?.kind === 'foreach' && p.source === a.node && isAfter(p, load)) return { loop: p, why: `each entity \`${m}()\` hydrates` };
      }
    }
  }
  const scope = facts.scopeOf(load);
  for (const loop of enclosingLoops(load)) {
    if (loop.kind === 'foreach') continue;
    const counters = loopCounters(loop, scope);
    if (loop.kind === 'for') for (const i of loop.increment) for (const n of nodesUnder(i)) { const v = varName(n); if (v) counters.add(v); }
    const usesCounter = (n: PhpNode): boolean => nodesUnder(n).some((x) => x.kind === 'post' || x.kind === 'pre' || (varName(x) !== null && counters.has(varName(x)!)));
    const args = chainOf(load).flatMap((x) => x.arguments);
    const advanced = args.some(usesCounter)
      || nodesUnder(loop).some((n) => n.kind === 'call' && PAGE_SETTERS.has(methodName(n) ?? '') && n.arguments.some(usesCounter));
    const target = assignedVar(load);
    const tests = loop.kind === 'for' ? loop.test : [loop.test];
    const tested = tests.some((t) => isWithin(load, t) || (target !== null && nodesUnder(t).some((n) => varName(n) === target)));
    if (advanced || tested) return { loop, why: `the pages \`${m}()\` loads` };
  }
  return null;
}

function assignedVar(c: Call): string | null {
  const p = c.parent;
  return p && p.kind === 'assign' && p.right === c && p.operator === '=' ? varName(p.left) : null;
}

function isAfter(a: PhpNode, b: PhpNode): boolean {
  return !!a.loc && !!b.loc && a.loc.start.offset > b.loc.start.offset;
}

function clearsIn(loop: Loop, isClear: (c: Call) => boolean): boolean {
  return nodesUnder(loop).some((n) => n.kind === 'call' && isClear(n));
}

/**
 * The loop keeps every page anyway (`$all = array_merge($all, $rows)`, `$found[] = $entity`):
 * `clear()` would free nothing the caller does not hold.
 */
function keepsPages(loop: Loop, load: Call): boolean {
  const target = assignedVar(load);
  const names = new Set<string>();
  if (target !== null) names.add(target);
  if (loop.kind === 'foreach') { const v = varName(loop.value); if (v) names.add(v); }
  const inside = nodesUnder(loop);
  for (const n of inside) {
    if (n.kind === 'foreach' && (n.source === load || (target !== null && varName(n.source) === target))) {
      const v = varName(n.value);
      if (v) names.add(v);
    }
  }
  if (names.size === 0) return false;
  const holds = (e: PhpNode | undefined): boolean => !!e && (names.has(varName(e) ?? '') || (e.kind === 'variadic' && names.has(varName(e.what) ?? '')));
  return inside.some((n) => (n.kind === 'call' && ['array_merge', 'array_push'].includes(functionName(n) ?? '') && n.arguments.slice(1).some(holds))
    || (n.kind === 'assign' && n.left.kind === 'offsetlookup' && !n.left.offset && holds(n.right))
    || (n.kind === 'assign' && n.left.kind === 'offsetlookup' && n.left.offset && holds(n.right) && !isLoopLocal(n.left, loop)));
}

/** `$byId[$e->getId()] = $e` on a local of the loop's own iteration (rebuilt each time) is not kept. */
function isLoopLocal(target: PhpNode, loop: Loop): boolean {
  let base: PhpNode = target;
  while (base.kind === 'offsetlookup') base = base.what;
  const v = varName(base);
  if (v === null) return false;
  // Assigned `= []` inside the loop: a fresh array per iteration.
  return nodesUnder(loop).some((n) => n.kind === 'assign' && n.operator === '=' && varName(n.left) === v && n.right.kind === 'array');
}

/** `$this->iterator = $this->query->iterate()` in an Iterator, or `getIterator()` returning `toIterable()`. */
function isIteratorState(load: Call, facts: Facts): boolean {
  const m = methodName(load);
  if (m !== 'iterate' && m !== 'toiterable') return false;
  const cls = facts.classOf(load);
  if (!cls) return false;
  const p = load.parent;
  if (p && p.kind === 'assign' && p.right === load && thisPropertyName(p.left) !== null) return cls.methods.has('current') && cls.methods.has('next');
  const scope = facts.scopeOf(load);
  return scope.name === 'getiterator' && !!p && (p.kind === 'return' || p.kind === 'yieldfrom');
}

