import type { Call, Parameter, PhpNode } from '../nodes.js';
import { isFunctionLike } from '../nodes.js';
import type { SourceFile } from '../source.js';
import type { CallerArgument, Range } from '../types.js';
import { resolveClassName } from './imports.js';
import type { Facts } from './index.js';
import { dataParameter } from './data-evidence.js';
import { keyProvenance } from './key-provenance.js';
import { originOfName } from './name-origin.js';
import { runsOncePerProcess } from './lifecycle-events.js';
import { methodName, varName } from './names.js';
import { ownCallArguments } from './own-calls.js';
import { parameterCallers, passedOnParameter } from './passed-on.js';
import type { Scope } from './scopes.js';

// What the callers of a method pass, per argument, for the cross-file pass (engine/project-callers.ts).
// A cache whose only evidence of data is "a public method's parameter named for data" grows
// with what its callers hand over: hyperf's `AstVisitorRegistry::insert($value)` is called only
// with `X::class`, `AspectManager::insert()` only under `if (!AspectManager::has($class, $method))`.
// Read from the scopes of the one walk: each call site's arguments are classified here, once per
// file, and the project phase joins them with the findings (no second pass over any file).

/** The call sites of one method in one file. */
export interface ArgumentSites {
  /** `fqn::method` (static call by class name, `self::`/`static::` in a class) or `->method`, lower-case (FileSummary.calls). */
  call: string;
  /** How many sites. */
  sites: number;
  /**
   * The most arguments a site passes (a spread or named arguments count as all): a call that
   * stops short of a required parameter is a call of another method of the same name.
   */
  reach: number;
  /** Positions at which some site passes a value the code does not fix (and is neither guarded nor start-up code). */
  open: number[];
  /** Every position from this one on is open at some site (a spread `...$args`, named arguments). */
  openFrom?: number;
  /** The site that opened a position, when it passes data by evidence (for a related location). */
  data?: DataArgument[];
  /** Positions at which a site hands on a parameter of its own method unchanged: open only if that method's callers are. */
  passedOn?: PassedOn[];
}

export interface DataArgument { index: number; range: Range; why: string }

/** A site handing on its method's parameter `to` (or an element of it) at position `index`. */
export interface PassedOn {
  index: number;
  to: CallerArgument;
  /** `to` is a private or protected method's: its callers are in its class. */
  local?: true;
  range: Range;
  /** The parameter's name or type says data: named when its callers cannot decide it. */
  why?: string;
}

/** Positions past this one are not recorded: a finding about one of them is never decided by its callers. */
export const MAX_POSITION = 15;

/** Methods a class offers to ask before it stores: `has()`, `exists()`, `isRegistered()`. */
const GUARD = /^(has|exists|contains|isset|isregistered|isdefined|defined|registered)/i;

/** The call sites of the file's method calls, by call key, in key order. */
export function callArgumentsOf(file: SourceFile, facts: Facts, fqnOf: ReadonlyMap<unknown, string>): ArgumentSites[] {
  const byCall = new Map<string, ArgumentSites>();
  const open = new Map<ArgumentSites, Set<number>>();
  const classify = classifier(facts);
  const sitesOf = (key: string): ArgumentSites => {
    let sites = byCall.get(key);
    if (!sites) { sites = { call: key, sites: 0, reach: 0, open: [] }; byCall.set(key, sites); }
    return sites;
  };
  for (const s of facts.scopes) {
    for (const call of s.calls) {
      const key = callKey(call, s, fqnOf);
      if (key) { const sites = sitesOf(key); addSite(sites, getOr(open, sites), call, s, file, classify); }
      // A method handed over as a callable (`array_map([Str::class, 'snake'], $keys)`,
      // `'Str::snake'`) is called with arguments nobody sees here: every position is open.
      for (const a of call.arguments) callableSite(a, s, fqnOf, sitesOf);
    }
    for (const n of s.news) for (const a of n.arguments) callableSite(a, s, fqnOf, sitesOf);
  }
  for (const [sites, positions] of open) sites.open = [...positions].sort((a, b) => a - b);
  return [...byCall.keys()].sort().map((k) => byCall.get(k)!);
}

function getOr(m: Map<ArgumentSites, Set<number>>, k: ArgumentSites): Set<number> {
  let v = m.get(k);
  if (!v) { v = new Set(); m.set(k, v); }
  return v;
}

/** What an argument is: fixed by the code, else why it is data by evidence (or null: unknown). */
type Classified = { code: true } | { code: false; data: string | null };
type Classify = (arg: PhpNode, scope?: Scope, untyped?: boolean) => Classified;

/**
 * The file's argument classifier. Variables are the common argument and the costly one (their
 * assignments are followed): each is classified once per scope, and start-up is asked once per
 * scope, so a long method with hundreds of calls costs one look per variable.
 */
function classifier(facts: Facts): Classify & { startUp: (s: Scope) => boolean } {
  const vars = new Map<Scope, Map<string, Classified>>();
  const startUps = new Map<Scope, boolean>();
  /**
   * `scope`: the scope of the call whose argument `arg` is (variables passed directly are in it).
   * `untyped`: the call is `->m()` on an object phpleak does not type, most calls of a file, and
   * one open site of the project keeps a finding: a variable is followed only when its name says
   * code (a local given a literal, an element of a literal list, a private helper's parameter
   * stay open there).
   */
  const classify = (arg: PhpNode, scope?: Scope, untyped = false): Classified => {
    const name = arg.kind === 'variable' ? varName(arg) : null;
    if (!name) return classifyNow(arg, facts);
    scope ??= facts.scopeOf(arg);
    if (untyped && originOfName(name) !== 'code') {
      // Not followed: a parameter says data by its name and type alone (for the related location).
      const param = name === 'this' ? undefined : scope.params.get(name);
      const why = param ? dataParameter(param, name, scope) : null;
      return why ? { code: false, data: why } : OPEN;
    }
    let byName = vars.get(scope);
    if (!byName) { byName = new Map(); vars.set(scope, byName); }
    let c = byName.get(name);
    if (!c) { c = classifyNow(arg, facts); byName.set(name, c); }
    return c;
  };
  // Start-up code runs once per process (not a closure it defines: that runs per event).
  const startUp = (s: Scope): boolean => {
    let v = startUps.get(s);
    if (v === undefined) { v = (s.kind === 'method' || s.kind === 'function') && runsOncePerProcess(s); startUps.set(s, v); }
    return v;
  };
  return Object.assign(classify, { startUp });
}

const OPEN: Classified = { code: false, data: null };

function classifyNow(arg: PhpNode, facts: Facts): Classified {
  if (arg.kind === 'array') return isCode(arg, facts, 0) ? { code: true } : { code: false, data: null };
  const p = keyProvenance(arg, facts);
  if (p.origin === 'code' || helperGetsCode(arg, facts, 0)) return { code: true };
  return { code: false, data: p.strong ? p.why : null };
}

function callableSite(arg: PhpNode, s: Scope, fqnOf: ReadonlyMap<unknown, string>, sitesOf: (key: string) => ArgumentSites): void {
  const key = callableKey(arg, s, fqnOf);
  if (!key) return;
  const sites = sitesOf(key);
  sites.sites++;
  sites.reach = MAX_POSITION + 1;
  sites.openFrom = 0;
}

/** `'Cls::m'`, `[Cls::class, 'm']`, `['Cls', 'm']`, `[self::class, 'm']`, `[$this, 'm']`, `[$object, 'm']`: the call key of the method it names. */
function callableKey(arg: PhpNode, s: Scope, fqnOf: ReadonlyMap<unknown, string>): string | null {
  const own = s.cls ? fqnOf.get(s.cls) ?? null : null;
  if (arg.kind === 'string') {
    if (!arg.value.includes('::')) return null;
    const m = /^\\?([A-Za-z_][\w\\]*)::([A-Za-z_]\w*)$/.exec(arg.value);
    return m ? `${m[1]!.toLowerCase()}::${m[2]!.toLowerCase()}` : null;
  }
  if (arg.kind !== 'array' || arg.items.length !== 2) return null;
  const [target, method] = arg.items.map((i) => (i.kind === 'entry' && !i.key && !i.unpack ? i.value : null));
  if (!target || !method || method.kind !== 'string' || !/^[A-Za-z_]\w*$/.test(method.value)) return null;
  const m = method.value.toLowerCase();
  if (target.kind === 'string') return /^\\?[A-Za-z_][\w\\]*$/.test(target.value) ? `${target.value.replace(/^\\/, '').toLowerCase()}::${m}` : null;
  if (target.kind === 'staticlookup' && target.offset.kind === 'identifier' && target.offset.name.toLowerCase() === 'class') {
    const cls = target.what.kind === 'name' ? resolveClassName(target.what.name, target.what)
      : target.what.kind === 'selfreference' || target.what.kind === 'staticreference' ? own : null;
    return cls ? `${cls.toLowerCase()}::${m}` : null;
  }
  return target.kind === 'variable' ? `->${m}` : null;
}

function callKey(call: Call, s: Scope, fqnOf: ReadonlyMap<unknown, string>): string | null {
  const w = call.what;
  if (w.kind !== 'staticlookup' && w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup') return null;
  if (w.offset.kind !== 'identifier') return null;
  const m = w.offset.name.toLowerCase();
  if (w.kind !== 'staticlookup') return `->${m}`;
  const owner = w.what.kind === 'name' ? resolveClassName(w.what.name, w.what)
    : (w.what.kind === 'selfreference' || w.what.kind === 'staticreference') && s.cls ? fqnOf.get(s.cls) ?? null : null;
  return owner ? `${owner.toLowerCase()}::${m}` : null;
}

function addSite(sites: ArgumentSites, open: Set<number>, call: Call, scope: Scope, file: SourceFile, classify: ReturnType<typeof classifier>): void {
  sites.sites++;
  const spread = call.arguments.some((a) => a.kind === 'variadic' || a.kind === 'namedargument' || a.kind === 'variadicplaceholder');
  sites.reach = Math.max(sites.reach, spread ? MAX_POSITION + 1 : Math.min(call.arguments.length, MAX_POSITION + 1));
  // Start-up code runs once per process.
  if (classify.startUp(scope)) return;
  const opened: { index: number; data: string | null; arg: PhpNode }[] = [];
  const handed: PassedOn[] = [];
  let from: number | undefined;
  for (const [i, arg] of call.arguments.entries()) {
    if (i > MAX_POSITION) break;
    // `...$args`, `name: $v`, and `Cls::m(...)` (a first-class callable: called later, with anything).
    if (arg.kind === 'variadic' || arg.kind === 'namedargument' || arg.kind === 'variadicplaceholder') { from = i; break; }
    // Already open at another site of the file: this one cannot close it (its data, if any,
    // would only name a second caller).
    if (open.has(i)) continue;
    const c = classify(arg, scope, sites.call.startsWith('->'));
    if (c.code) continue;
    const on = passedOnParameter(arg, scope, MAX_POSITION);
    if (on) handed.push({ index: i, to: on.arg, ...(on.local ? { local: true as const } : {}), range: file.rangeOf(arg), ...(c.data ? { why: c.data } : {}) });
    else opened.push({ index: i, data: c.data, arg });
  }
  // A site under the class's own `has()` runs once per key (asked only when it would open something).
  if ((opened.length === 0 && handed.length === 0 && from === undefined) || isGuarded(call, file, classify)) return;
  if (from !== undefined) sites.openFrom = Math.min(sites.openFrom ?? from, from);
  for (const h of handed) {
    // One record per position and parameter: the callers of that method answer for every such site.
    const list = (sites.passedOn ??= []);
    if (!list.some((x) => x.index === h.index && x.to.calls[0] === h.to.calls[0] && x.to.index === h.to.index)) list.push(h);
  }
  for (const o of opened) {
    open.add(o.index);
    if (o.data) (sites.data ??= []).push({ index: o.index, range: file.rangeOf(o.arg), why: o.data });
  }
}

/**
 * Is the value fixed by the code: a literal, a constant, `X::class`, a name of the code
 * (engine/facts/key-provenance.ts), an array of those, or a parameter of a private helper that
 * its class only ever passes such values?
 */
function isCode(arg: PhpNode, facts: Facts, depth: number): boolean {
  if (arg.kind === 'array') {
    return arg.items.every((i) => i.kind === 'entry' ? !i.unpack && (!i.key || isCode(i.key, facts, depth)) && isCode(i.value, facts, depth) : isCode(i, facts, depth));
  }
  if (keyProvenance(arg, facts).origin === 'code') return true;
  return depth < 2 && helperGetsCode(arg, facts, depth);
}

/** `$key` of `protected function keyTransform($key)`, when every call of it in the class passes code. */
function helperGetsCode(arg: PhpNode, facts: Facts, depth: number): boolean {
  const name = varName(arg);
  if (!name || arg.kind !== 'variable') return false;
  const scope = facts.scopeOf(arg);
  const param = scope.params.get(name);
  const m = scope.node;
  if (!param || param.variadic || m.kind !== 'method' || (m.visibility !== 'private' && m.visibility !== 'protected') || !scope.cls) return false;
  // Reassigned in the helper: what it holds is no longer what the callers passed.
  if (scope.accesses.some((a) => a.storage === 'var' && a.name === name && a.role !== 'read')) return false;
  const calls = ownCallArguments(scope, param) ?? [];
  return calls.length > 0 && calls.every(({ arg: a }) => !a || (a.kind !== 'variadic' && a.kind !== 'namedargument' && isCode(a, facts, depth + 1)));
}

/**
 * Does the call run only when the same class's `has()`/`exists()` said no to the same leading
 * arguments, all fixed by the code (`if (!AspectManager::has($class, $method)) { …
 * AspectManager::insert($class, $method, $aspect) }`, or after `if (Registry::has($name)) return;`)?
 * Then it runs once per such key, however often its code does.
 */
function isGuarded(call: Call, file: SourceFile, classify: Classify): boolean {
  let child: PhpNode = call;
  for (let p = call.parent; p && !isFunctionLike(p); child = p, p = p.parent) {
    if (p.kind === 'if' && p.body === child && negatedCalls(p.test).some((g) => guards(g, call, file, classify))) return true;
    const list = p.kind === 'block' || p.kind === 'program' || p.kind === 'namespace' ? p.children : null;
    if (!list) continue;
    for (const stmt of list) {
      if (stmt === child) break;
      if (stmt.kind === 'if' && !stmt.alternate && stmt.body && leaves(stmt.body) && stmt.test.kind === 'call' && guards(stmt.test, call, file, classify)) return true;
    }
  }
  return false;
}

/** `!A::has(…)`, and each such conjunct of `!A::has(…) && …`. */
function negatedCalls(test: PhpNode): Call[] {
  if (test.kind === 'unary' && test.type === '!' && test.what.kind === 'call') return [test.what];
  if (test.kind === 'bin' && (test.type === '&&' || test.type === 'and')) return [...negatedCalls(test.left), ...negatedCalls(test.right)];
  return [];
}

/** A body that only leaves: `return;`, `{ continue; }`, `throw …`. */
function leaves(body: PhpNode): boolean {
  const only = body.kind === 'block' ? (body.children.length === 1 ? body.children[0]! : null) : body;
  if (!only) return false;
  return only.kind === 'return' || only.kind === 'continue' || only.kind === 'break' || only.kind === 'throw'
    || (only.kind === 'expressionstatement' && only.expression.kind === 'throw');
}

function guards(g: Call, call: Call, file: SourceFile, classify: Classify): boolean {
  const gm = methodName(g);
  if (!gm || !GUARD.test(gm) || g.arguments.length === 0 || g.arguments.length > call.arguments.length) return false;
  if (!sameTarget(g, call, file)) return false;
  return g.arguments.every((a, i) => a.kind !== 'variadic' && a.kind !== 'namedargument'
    && file.textOf(a) === file.textOf(call.arguments[i]!) && classify(a).code);
}

/** Both calls are on the same class (static) or on the same receiver as written. */
function sameTarget(a: Call, b: Call, file: SourceFile): boolean {
  const x = a.what;
  const y = b.what;
  if (x.kind === 'staticlookup' && y.kind === 'staticlookup') {
    if (x.what.kind === 'name' && y.what.kind === 'name') return resolveClassName(x.what.name, x.what).toLowerCase() === resolveClassName(y.what.name, y.what).toLowerCase();
    return x.what.kind === y.what.kind && (x.what.kind === 'selfreference' || x.what.kind === 'staticreference');
  }
  if ((x.kind === 'propertylookup' || x.kind === 'nullsafepropertylookup') && (y.kind === 'propertylookup' || y.kind === 'nullsafepropertylookup')) {
    return file.textOf(x.what) === file.textOf(y.what);
  }
  return false;
}

/**
 * The calls and the position that carry a public method's parameter, for `Finding.callerArguments`;
 * null when callers cannot decide (engine/facts/passed-on.ts `parameterCallers`).
 */
export function callerArgumentOf(param: Parameter): CallerArgument | null {
  const c = parameterCallers(param, MAX_POSITION);
  return c && !c.local ? c.arg : null;
}
