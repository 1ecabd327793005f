import type { Call, Method, Parameter, PhpNode } from '../nodes.js';
import { isFunctionLike } from '../nodes.js';
import type { SourceFile } from '../source.js';
import type { CallerArgument, Range } from '../types.js';
import { importsAt, resolveClassName } from './imports.js';
import type { Facts } from './index.js';
import { keyProvenance } from './key-provenance.js';
import { runsOncePerProcess } from './lifecycle-events.js';
import { methodName, varName } from './names.js';
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
  /** The first site passing data by evidence, per position (for a related location). */
  data?: DataArgument[];
}

export interface DataArgument { index: number; range: Range; why: string }

/** Positions past this one are not recorded: a finding about one of them is never decided by its callers. */
export const MAX_POSITION = 15;

/** Methods a class offers to ask before it stores: `has()`, `exists()`, `isRegistered()`. */
const GUARD = /^(has|exists|contains|isset|isregistered|isdefined|defined|registered)/i;

/** The call sites of the file's method calls, by call key, in key order. */
export function callArgumentsOf(file: SourceFile, facts: Facts, fqnOf: ReadonlyMap<unknown, string>): ArgumentSites[] {
  const byCall = new Map<string, ArgumentSites>();
  for (const s of facts.scopes) {
    for (const call of s.calls) {
      const key = callKey(call, s, fqnOf);
      if (!key) continue;
      let sites = byCall.get(key);
      if (!sites) { sites = { call: key, sites: 0, reach: 0, open: [] }; byCall.set(key, sites); }
      addSite(sites, call, s, file, facts);
    }
  }
  return [...byCall.keys()].sort().map((k) => byCall.get(k)!);
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

function addSite(sites: ArgumentSites, call: Call, scope: Scope, file: SourceFile, facts: Facts): void {
  sites.sites++;
  const spread = call.arguments.some((a) => a.kind === 'variadic' || a.kind === 'namedargument');
  sites.reach = Math.max(sites.reach, spread ? MAX_POSITION + 1 : Math.min(call.arguments.length, MAX_POSITION + 1));
  // Start-up code runs once per process (not a closure it defines: that runs per event), and a
  // site under the class's own `has()` once per key.
  const startUp = (scope.kind === 'method' || scope.kind === 'function') && runsOncePerProcess(scope);
  if (startUp || isGuarded(call, file, facts)) return;
  const open = new Set(sites.open);
  for (const [i, arg] of call.arguments.entries()) {
    if (i > MAX_POSITION) break;
    if (arg.kind === 'variadic' || arg.kind === 'namedargument') {
      sites.openFrom = Math.min(sites.openFrom ?? i, i);
      break;
    }
    // Already open at another site, with its data site known: nothing this site could add.
    if (open.has(i) && (sites.data ?? []).some((d) => d.index === i)) continue;
    if (isCode(arg, facts, 0)) continue;
    open.add(i);
    const p = keyProvenance(arg, facts);
    if (p.strong && !(sites.data ?? []).some((d) => d.index === i)) (sites.data ??= []).push({ index: i, range: file.rangeOf(arg), why: p.why });
  }
  sites.open = [...open].sort((a, b) => a - b);
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
  const index = m.arguments.indexOf(param);
  const own = m.name.name.toLowerCase();
  let calls = 0;
  for (const sc of scope.cls.scopes) {
    for (const call of sc.calls) {
      if (!isOwnCall(call) || methodName(call)?.toLowerCase() !== own) continue;
      calls++;
      const a = call.arguments[index];
      if (!a) continue;
      if (a.kind === 'variadic' || a.kind === 'namedargument' || !isCode(a, facts, depth + 1)) return false;
    }
  }
  return calls > 0;
}

function isOwnCall(call: Call): boolean {
  const w = call.what;
  if (w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup' && w.kind !== 'staticlookup') return false;
  return varName(w.what) === 'this' || w.what.kind === 'selfreference' || w.what.kind === 'staticreference';
}

/**
 * Does the call run only when the same class's `has()`/`exists()` said no to the same leading
 * arguments, all fixed by the code (`if (!AspectManager::has($class, $method)) { …
 * AspectManager::insert($class, $method, $aspect) }`, or after `if (Registry::has($name)) return;`)?
 * Then it runs once per such key, however often its code does.
 */
function isGuarded(call: Call, file: SourceFile, facts: Facts): boolean {
  let child: PhpNode = call;
  for (let p = call.parent; p && !isFunctionLike(p); child = p, p = p.parent) {
    if (p.kind === 'if' && p.body === child && negatedCalls(p.test).some((g) => guards(g, call, file, facts))) return true;
    const list = p.kind === 'block' || p.kind === 'program' || p.kind === 'namespace' ? p.children : null;
    if (!list) continue;
    for (const stmt of list) {
      if (stmt === child) break;
      if (stmt.kind === 'if' && !stmt.alternate && stmt.body && leaves(stmt.body) && stmt.test.kind === 'call' && guards(stmt.test, call, file, facts)) return true;
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

function guards(g: Call, call: Call, file: SourceFile, facts: Facts): boolean {
  const gm = methodName(g);
  if (!gm || !GUARD.test(gm) || g.arguments.length === 0 || g.arguments.length > call.arguments.length) return false;
  if (!sameTarget(g, call, file)) return false;
  return g.arguments.every((a, i) => a.kind !== 'variadic' && a.kind !== 'namedargument'
    && file.textOf(a) === file.textOf(call.arguments[i]!) && isCode(a, facts, 0));
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
 * null when callers cannot decide: a function (its calls are not indexed), a trait's or an
 * anonymous class's method (called through classes phpleak does not join), a variadic parameter
 * or one past `MAX_POSITION`.
 */
export function callerArgumentOf(param: Parameter): CallerArgument | null {
  const m = param.parent;
  if (!m || m.kind !== 'method' || param.variadic) return null;
  const method = m as Method;
  if (method.visibility !== 'public' && method.visibility !== '') return null;
  const index = method.arguments.indexOf(param);
  const cls = method.parent;
  if (index < 0 || index > MAX_POSITION || !cls || cls.kind !== 'class' || !cls.name || cls.isAnonymous) return null;
  const name = cls.name.name;
  const ns = importsAt(cls).namespace;
  const fqn = `${ns ? `${ns}\\` : ''}${name}`.toLowerCase();
  const own = method.name.name.toLowerCase();
  const calls = method.isStatic ? [`${fqn}::${own}`] : [`${fqn}::${own}`, `->${own}`];
  return { calls, index, ...(param.value ? {} : { required: true as const }) };
}
