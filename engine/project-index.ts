import { callArgumentsOf, type ArgumentSites } from './facts/call-arguments.js';
import type { Facts } from './facts/index.js';
import { importsAt, resolveClassName } from './facts/imports.js';
import { flowOf, type Flow } from './facts/holders.js';
import { instantiationsOf, type Binding, type Creation, type Lookup } from './facts/instantiations.js';
import { requestFacts } from './facts/request-only-summary.js';
import { lifetimeOf, livesLong } from './facts/lifetime.js';
import type { Scope } from './facts/scopes.js';
import type { Name, Parameter, PhpNode } from './nodes.js';
import { CallerIndex, type CallerVerdict } from './project-callers.js';
import { LifetimeIndex } from './project-lifetimes.js';
import type { HttpRuntime } from './http-runtime.js';
import type { SourceFile } from './source.js';
import type { Finding, Range } from './types.js';

// Cross-file: which classes are kept alive by long-running code in OTHER files. In the talk,
// `UserService` holds an `ArrayBasedCache` declared in another file and a worker calls
// `getUser()` a million times: the cache's own file has no evidence of long-running code.
//
// While linting a file the engine also returns a small summary (no second parse): the classes
// it declares, whether it is long-running, and "holds" edges (class C, or the file's code
// outside classes, keeps an X through a typed property, a constructor parameter or a `new X`).
// The CLI indexes the summaries of the files it lints, the language server those of the
// workspace; after linting, `enrich` gives findings of `meta.crossFile` rules inside a class
// kept alive by long-running code the rule's long-running severity, the long-running note and
// related locations naming the holders (in the details, never the message). Pure data and functions: no I/O.

/** A class-like declaration of the file. */
export interface DeclaredClass {
  fqn: string;
  range: Range;
  /** Declared and constructor-promoted properties (heap dumps name them: engine/heap/join.ts). */
  properties?: DeclaredProperty[];
  /** The parent class, fully qualified. */
  extends?: string;
  /** A shared service or named for a long-lived role (engine/facts/lifetime.ts `livesLong`): never per operation. */
  service?: true;
  /** Code that runs only while a request is served: a controller, a middleware (engine/facts/http-scope.ts). */
  perRequest?: true;
}

export interface DeclaredProperty { name: string; isStatic: boolean; range: Range }

/** `holder` keeps an instance of `held` alive (both fully qualified; holder null: the file's code outside classes). */
export interface Hold {
  holder: string | null;
  held: string;
  via: 'property' | 'constructor' | 'new';
  range: Range;
}

export interface FileSummary {
  /** As the front end names the file (CLI: the displayed path; LSP: the absolute path). */
  path: string;
  classes: DeclaredClass[];
  holds: Hold[];
  /** Why the file is long-running ("a worker loop around `pop()` (line 9)"), or null. */
  longRunning: string | null;
  /** The classes the file instantiates and whether an instance may outlive its call (engine/facts/instantiations.ts). */
  creates: Creation[];
  /** Classes handed to a container by name (`app(X::class)`, `->singleton(X::class)`). */
  resolved: string[];
  /**
   * The methods the file's code calls, lower-case: `fqn::method` for static calls by class name
   * (and `self::`/`static::` in a class), `->method` for calls on an object. A finding's
   * `unlessCalled` is answered by them (`enrich`).
   */
  calls?: string[];
  /** What the file's calls pass, per method and argument position: a finding's `callerArguments` is answered by them (engine/project-callers.ts). */
  arguments?: ArgumentSites[];
  /** Classes that code other than request code takes as a parameter (engine/facts/request-only-summary.ts). */
  passedTo?: string[];
  /** Classes that request code (a controller, a middleware) takes as a parameter. */
  requestParams?: string[];
  /** Classes looked up in a container, by the class whose code does it (engine/facts/instantiations.ts). */
  lookups?: Lookup[];
  /** Registrations that build a new instance on every resolution (`bind()`). */
  transient?: Binding[];
}

const IDENT = /^[A-Za-z_\x80-\uffff][\w\x80-\uffff]*$/;
const NOT_CLASSES = new Set(['array', 'string', 'int', 'float', 'bool', 'mixed', 'object', 'iterable', 'callable', 'null', 'void', 'never', 'false', 'true', 'self', 'static', 'parent']);

/** The file's summary from the facts of its one walk (valid after the walk). */
export function summarize(file: SourceFile, facts: Facts, longRunning: string | null, isTest = false): FileSummary {
  const classes: DeclaredClass[] = [];
  const holds: Hold[] = [];
  const fqnOf = new Map<unknown, string>();
  const request = requestFacts(facts, (p, ctor) => isKept(p, ctor), NOT_CLASSES);
  for (const c of facts.classes) {
    // Recovered from broken code (`class {`): not a name anyone can refer to.
    if (!c.name || !IDENT.test(c.name)) continue;
    const ns = importsAt(c.node).namespace;
    const fqn = ns ? `${ns}\\${c.name}` : c.name;
    fqnOf.set(c, fqn);
    const properties: DeclaredProperty[] = [...c.properties.values()].map((p) => ({ name: p.node.name.name, isStatic: p.isStatic, range: file.rangeOf(p.node) }));
    for (const param of c.methods.get('__construct')?.arguments ?? []) {
      if ((param.flags ?? 0) !== 0 && param.name?.name) properties.push({ name: param.name.name, isStatic: false, range: file.rangeOf(param) });
    }
    const parent = (c.node as { extends?: Name | null }).extends;
    classes.push({
      fqn, range: file.rangeOf(c.node), properties, ...(parent?.kind === 'name' ? { extends: resolveClassName(parent.name, c.node) } : {}),
      ...(livesLong(c, facts) ? { service: true as const } : {}), ...(request.requestClasses.has(c) ? { perRequest: true as const } : {}),
    });
  }
  const add = (holder: string | null, written: string, at: PhpNode, via: Hold['via'], scope: PhpNode = at): void => {
    if (NOT_CLASSES.has(written.toLowerCase())) return;
    const held = resolveClassName(written, scope);
    if (NOT_CLASSES.has(held) || (holder !== null && held.toLowerCase() === holder.toLowerCase())) return;
    holds.push({ holder, held, via, range: file.rangeOf(at) });
  };
  // Only a holder that STORES the instance keeps it alive: a property, a static, a script's own
  // variable. A method that creates an object and drops it does not; neither does an object
  // that lives for one operation (an event, a DTO, a query builder, a one-run command).
  const shortLived = new Set(facts.classes.filter((c) => lifetimeOf(c, facts, longRunning !== null).lifetime === 'operation'));
  // Holds and instantiations ask where the same `new` goes: follow each once.
  const flows = new Map<PhpNode, Flow>();
  const flowFor = (n: PhpNode): Flow => { let f = flows.get(n); if (!f) { f = flowOf(n, facts); flows.set(n, f); } return f; };
  for (const c of facts.classes) {
    const holder = fqnOf.get(c);
    if (!holder || shortLived.has(c)) continue;
    for (const p of c.properties.values()) {
      for (const t of classNamesOf(p.node.type)) add(holder, t.name, p.node, 'property', t);
    }
    const ctor = c.methods.get('__construct');
    const ctorScope = ctor ? facts.scopeFor(ctor) : undefined;
    for (const param of ctor?.arguments ?? []) {
      if (!isKept(param, ctorScope)) continue;
      for (const t of classNamesOf(param.type)) add(holder, t.name, param, 'constructor', t);
    }
  }
  for (const s of facts.scopes) {
    if (s.cls && shortLived.has(s.cls)) continue;
    // Code of an anonymous class is part of the code around it.
    const holder = s.cls ? fqnOf.get(s.cls) ?? null : null;
    for (const n of s.news) if (n.what.kind === 'name' && isStored(flowFor(n))) add(holder, n.what.name, n, 'new');
  }
  const { creations, resolved, lookups, transient } = instantiationsOf(facts, shortLived, flowFor, fqnOf);
  // A test's calls reset nothing and decide nothing in production: not even computed.
  const calls = isTest ? { calls: [], arguments: [] } : { calls: callsOf(facts, fqnOf), arguments: callArgumentsOf(file, facts, fqnOf), passedTo: request.passedTo, requestParams: request.requestParams, lookups, transient };
  return { path: file.path, classes, holds, longRunning, creates: creations, resolved, ...calls };
}

/** `fqn::method` and `->method` of every method call of the file, sorted and without duplicates. */
function callsOf(facts: Facts, fqnOf: ReadonlyMap<unknown, string>): string[] {
  const out = new Set<string>();
  for (const s of facts.scopes) {
    for (const call of s.calls) {
      const w = call.what;
      if (w.kind !== 'staticlookup' && w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup') continue;
      if (w.offset.kind !== 'identifier') continue;
      const m = w.offset.name.toLowerCase();
      if (w.kind !== 'staticlookup') {
        out.add(`->${m}`);
        // `$this->overCorrelatingValue->cleanCache()`: a receiver named for its class is as
        // close to a typed call as the index gets (`overcorrelatingvalue->cleancache`).
        const r = receiverName(w.what);
        if (r) out.add(`${r}->${m}`);
        continue;
      }
      const owner = w.what.kind === 'name' ? resolveClassName(w.what.name, w.what)
        : (w.what.kind === 'selfreference' || w.what.kind === 'staticreference') && s.cls ? fqnOf.get(s.cls) ?? null : null;
      if (owner && !NOT_CLASSES.has(owner.toLowerCase())) out.add(`${owner.toLowerCase()}::${m}`);
    }
  }
  return [...out].sort();
}

/** The last name of a call's receiver, lower-case: `$cache`, `$this->cache`, `self::$cache`. */
function receiverName(r: PhpNode): string | null {
  if (r.kind === 'variable' && typeof r.name === 'string' && r.name !== 'this') return r.name.toLowerCase();
  if ((r.kind === 'propertylookup' || r.kind === 'nullsafepropertylookup' || r.kind === 'staticlookup') && r.offset.kind === 'identifier') return r.offset.name.toLowerCase();
  return null;
}

/** A constructor parameter the object keeps: promoted, or assigned to a property in the constructor. */
function isKept(param: Parameter, ctor: Scope | undefined): boolean {
  if (param.flags !== 0) return true;
  const name = param.name?.name;
  if (!name || !ctor) return false;
  return ctor.accesses.some((a) => a.storage === 'prop' && a.role === 'assign' && a.via?.kind === 'assign' && isFromVar(a.via.right, name));
}

/** `$x`, `$x ?? new Y()`, `$x ?: …`: the value of variable `name`. */
function isFromVar(n: PhpNode, name: string): boolean {
  if (n.kind === 'variable') return n.name === name;
  if (n.kind === 'bin' && (n.type === '??' || n.type === '?:')) return isFromVar(n.left, name);
  return false;
}

/** Is the object (whose flow this is) stored where it outlives the call: a property, a static, a script's variable? */
function isStored(flow: Flow): boolean {
  return flow.holders.some((h) => h.kind === 'prop' || h.kind === 'static-prop' || (h.kind === 'var' && h.scope.kind === 'program'));
}

/** The `name` nodes of a (union, intersection, nullable) type, as written (`\\PDO` keeps its backslash). */
function classNamesOf(type: PhpNode | null | undefined): Name[] {
  if (!type) return [];
  if (type.kind === 'uniontype' || type.kind === 'intersectiontype') return type.types.flatMap(classNamesOf);
  return type.kind === 'name' ? [type] : [];
}

/** One step of a chain: `holder` (in `path`) keeps `held` alive at `hold.range`. */
export interface Link { path: string; hold: Hold }

/** How a class is kept alive by long-running code: links from the direct holder outward; the last one's file is long-running. */
export interface KeptAlive { links: Link[]; reason: string }

/** Holders followed outward from a class (UserService → Worker → the script) before giving up. */
const MAX_DEPTH = 4;

/** The summaries of a set of files, by path; updated file by file (the LSP) or filled once (the CLI). */
export class ProjectIndex {
  private readonly files = new Map<string, FileSummary>();
  /**
   * Held class (lower case) → the links that hold it, sorted by path (then in the file's order),
   * so the chain reported does not depend on the order files were indexed in. Kept up to date
   * file by file: the language server indexes tens of thousands of files while documents are
   * analysed, and rebuilding the whole map after every indexed file cost each analysis a sort
   * of every path.
   */
  private readonly heldBy = new Map<string, Link[]>();
  private readonly lifetimes = new LifetimeIndex();
  /** Called method (`fqn::method`, `->method`) → the paths whose code calls it. */
  private readonly calledFrom = new Map<string, Set<string>>();
  private readonly callers = new CallerIndex();

  /** Adds or replaces a file's summary; says whether anything changed. */
  set(summary: FileSummary): boolean {
    const old = this.files.get(summary.path);
    if (old && JSON.stringify(old) === JSON.stringify(summary)) return false;
    if (old) this.unlink(old);
    this.files.set(summary.path, summary);
    for (const hold of summary.holds) this.link({ path: summary.path, hold });
    this.lifetimes.add(summary);
    this.callers.add(summary);
    for (const c of summary.calls ?? []) {
      const paths = this.calledFrom.get(c);
      if (paths) paths.add(summary.path); else this.calledFrom.set(c, new Set([summary.path]));
    }
    return true;
  }

  delete(path: string): boolean {
    const old = this.files.get(path);
    if (!old) return false;
    this.unlink(old);
    this.files.delete(path);
    return true;
  }

  get(path: string): FileSummary | undefined { return this.files.get(path); }
  /** Every summary, by path order (heap dumps join with their declarations: engine/heap/join.ts). */
  summaries(): FileSummary[] { return [...this.files.keys()].sort().map((p) => this.files.get(p)!); }
  get size(): number { return this.files.size; }

  /** Is every instance of `fqn` made for one operation and dropped with it (engine/project-lifetimes.ts)? */
  perOperation(fqn: string): boolean {
    return this.lifetimes.perOperation(fqn, (k) => (this.heldBy.get(k) ?? []).map((l) => l.hold.holder), (h) => this.holderVerdict(h));
  }

  /** How the project serves HTTP (engine/http-runtime.ts): per-request lets `requestOnly` answer. */
  httpRuntime: HttpRuntime | null = null;

  /** Under PHP-FPM, is every instance of `fqn` reached only by request code (engine/project-lifetimes.ts)? */
  requestOnly(fqn: string): boolean {
    return this.httpRuntime === 'per-request' && this.lifetimes.requestOnly(fqn, (k) => (this.heldBy.get(k) ?? []).map((l) => l.hold.holder));
  }

  /** Does what `holder` (fully qualified; null: a file's code outside classes) keeps die with one operation? */
  isPerOperationHolder(holder: string | null): boolean {
    return this.holderVerdict(holder) ?? this.perOperation(holder!);
  }

  /**
   * What is known of a holder before the index follows its own instantiations and holders:
   * true, its instances die with one operation; false, they may not; undefined, follow it. The
   * one place that decides a holder (a per-request object of the framework would go here).
   */
  private holderVerdict(holder: string | null): boolean | undefined {
    // Script code keeps what it holds for as long as the script runs.
    return holder === null ? false : undefined;
  }

  /** The shortest chain of holders from `fqn` to long-running code in another file, or null. */
  keptAliveBy(fqn: string): KeptAlive | null {
    let level: { cls: string; links: Link[] }[] = [{ cls: fqn.toLowerCase(), links: [] }];
    const seen = new Set([fqn.toLowerCase()]);
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
      const next: typeof level = [];
      for (const { cls, links } of level) {
        for (const link of this.heldBy.get(cls) ?? []) {
          // A holder made for one operation keeps what it holds for that operation only.
          if (this.isPerOperationHolder(link.hold.holder)) continue;
          const chain = [...links, link];
          const reason = this.files.get(link.path)?.longRunning;
          if (reason) return { links: chain, reason };
          const h = link.hold.holder?.toLowerCase();
          if (h && !seen.has(h)) { seen.add(h); next.push({ cls: h, links: chain }); }
        }
      }
      level = next;
    }
    return null;
  }

  private link(l: Link): void {
    const k = l.hold.held.toLowerCase();
    const list = this.heldBy.get(k);
    if (!list) { this.heldBy.set(k, [l]); return; }
    // After every link of a smaller path and of the same path (a file's holds stay in order).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.path <= l.path) lo = mid + 1; else hi = mid;
    }
    list.splice(lo, 0, l);
  }

  /** Does code of a file other than `path` make one of these calls (`fqn::method`, `->method`)? */
  isCalledElsewhere(calls: readonly string[], path: string): boolean {
    return calls.some((k) => [...this.calledFrom.get(k) ?? []].some((p) => p !== path));
  }

  /** What the project's callers pass to the parameters a finding rests on (engine/project-callers.ts). */
  callersOf(f: Finding, path: string): CallerVerdict {
    return this.callers.verdict(f.callerArguments ?? [], path);
  }

  private unlink(s: FileSummary): void {
    this.lifetimes.remove(s);
    this.callers.remove(s);
    for (const c of s.calls ?? []) {
      const paths = this.calledFrom.get(c);
      paths?.delete(s.path);
      if (paths?.size === 0) this.calledFrom.delete(c);
    }
    for (const k of new Set(s.holds.map((h) => h.held.toLowerCase()))) {
      const list = this.heldBy.get(k);
      if (!list) continue;
      const kept = list.filter((l) => l.path !== s.path);
      if (kept.length === 0) this.heldBy.delete(k); else this.heldBy.set(k, kept);
    }
  }
}

export { enrich, type CrossFileRule, type EnrichOptions } from './project-enrich.js';
