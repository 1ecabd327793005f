import type { Method, New, PhpNode } from '../nodes.js';
import { resolveClassName } from './imports.js';
import type { Flow } from './holders.js';
import { functionName, methodName } from './names.js';
import type { ClassFacts, Scope } from './scopes.js';
import { classConstantClass } from './services.js';
import type { Facts } from './index.js';

// Where does this file make instances of a class, and does any of them outlive the code that
// made it? An instance array lives as long as its object: when every `new X` of a project keeps
// the object only in local variables (`$e = new PiggyBankEnrichment(); $e->enrich($rows);`) or
// hands it back to its caller, each X lives for one call, and what it caches dies with it. One
// `new X` stored in a static or a script's variable, passed to code we do not follow, or an
// `X::class` handed to a container (which may keep it as a singleton) makes X possibly
// long-lived. One stored in an object (`$this->header = new Header($raw)`, `new Part(new
// Header($raw))`) lives as long as that object: the project index (engine/project-lifetimes.ts)
// joins the files' answers and follows the holders.

/** One `new X` of the file (X fully qualified). */
export interface Creation {
  cls: string;
  /** The instance may outlive the call that made it, in a way the index cannot follow (see `keepersOf`). */
  kept: boolean;
  /**
   * When not `kept`: the classes (fully qualified, sorted) whose instances keep it, through
   * their own property (`$this->header = new Header($raw)`) or as they are built around it
   * (`new Part($body, new Header($raw))`). It lives as long as they do: the index decides.
   */
  by?: string[];
  /** Made by a container lookup (`resolve(X::class)`), not a `new`: the index follows lookups by who makes them (engine/project-lifetimes.ts `requestOnly`). */
  lookup?: true;
}

export interface Instantiations {
  creations: Creation[];
  /** Classes named with `X::class` in a call to a container (`app()`, `->make()`, `->singleton()`, `->get()`…). */
  resolved: string[];
  /** Of those, the ones looked up (`app(X::class)`, `->make()`, `->get()`), with the class whose code does it (null: outside classes). */
  lookups: Lookup[];
  /** Registrations that build a new instance per resolution (`bind(Abstract::class, Concrete::class)`): the concrete class lives as each caller keeps it, whatever its name says. */
  transient: Binding[];
}

/** `abstract` resolves to a new `concrete` each time (the same class when bound alone). */
export interface Binding { abstract: string; concrete: string }

export interface Lookup { cls: string; by: string | null }

/** Container calls that hand out an instance (the others bind or configure one). */
const LOOKUP_CALLS = new Set(['app', 'resolve', 'make', 'makewith', 'get', 'build']);
/**
 * Laravel's lookups by class name: each builds a new instance unless something registers the
 * class as shared (`singleton()`, `scoped()`, `instance()`, a provider's `$singletons`, which name
 * it too and so keep it in `resolved`). What the caller does with that instance decides, as for
 * a `new`: unopim's `resolve(VariantValueResolver::class)->resolve($this)` is dropped at once.
 */
const TRANSIENT_LOOKUPS = new Set(['app', 'resolve', 'make', 'makewith']);
/** Registrations that build a new instance on every resolution: they keep nothing. */
const TRANSIENT_BINDINGS = new Set(['bind', 'bindif']);
/** Class attributes and provider properties that make a class shared (Laravel's `#[Singleton]`, `$singletons`). */
const SHARED_ATTRIBUTES = /(^|\\)(Singleton|Scoped)$/;
const SHARED_PROPERTIES = new Set(['singletons', 'scoped']);

/** Calls that build or bind instances from a class name: Laravel's and Symfony's containers and service locators. */
const CONTAINER_CALLS = new Set([
  'app', 'resolve', 'make', 'makewith', 'get', 'singleton', 'singletonif', 'scoped', 'scopedif', 'instance', 'bind', 'bindif',
  'share', 'set', 'extend', 'register', 'autowire', 'service', 'alias', 'when', 'give', 'tag', 'build',
]);
const NOT_CLASSES = new Set(['self', 'static', 'parent']);

/**
 * The instantiations of the file. `shortLived` holds the classes whose own properties die with
 * one operation (engine/facts/lifetime.ts): an X stored there dies with its holder.
 */
export function instantiationsOf(facts: Facts, shortLived: ReadonlySet<ClassFacts>, flowOf: (n: PhpNode) => Flow, fqnOf: ReadonlyMap<unknown, string>): Instantiations {
  const seen = new Set<string>();
  const creations: Creation[] = [];
  const resolved = new Set<string>();
  const lookups = new Map<string, Lookup>();
  const transient = new Map<string, Binding>();
  const addCreation = (cls: string, by: string[] | null, lookup = false): void => {
    const key = `${cls.toLowerCase()}|${by === null ? '*' : by.join(',').toLowerCase()}|${lookup}`;
    if (seen.has(key)) return;
    seen.add(key);
    const how = lookup ? { lookup: true as const } : {};
    creations.push(by === null ? { cls, kept: true, ...how } : { cls, kept: false, ...(by.length > 0 ? { by } : {}), ...how });
  };
  for (const c of facts.classes) for (const cls of sharedRegistrations(c, fqnOf)) resolved.add(cls);
  for (const s of facts.scopes) {
    for (const n of s.news) {
      const cls = createdClass(n, s);
      if (!cls) continue;
      addCreation(cls, keepersOf(flowOf(n), s, shortLived, fqnOf));
    }
    for (const c of s.calls) {
      const name = methodName(c) ?? functionName(c);
      if (!name || !CONTAINER_CALLS.has(name)) continue;
      for (const [i, a] of c.arguments.entries()) {
        const named = classConstantClass(a.kind === 'namedargument' ? (a as { value: PhpNode }).value : a);
        if (!named || NOT_CLASSES.has(named.toLowerCase())) continue;
        const by = s.cls ? fqnOf.get(s.cls) ?? null : null;
        if (LOOKUP_CALLS.has(name)) lookups.set(`${named}|${by ?? ''}`.toLowerCase(), { cls: named, by });
        if (TRANSIENT_LOOKUPS.has(name) && i === 0) {
          addCreation(named, keepersOf(flowOf(c), s, shortLived, fqnOf), true);
          continue;
        }
        if (!TRANSIENT_BINDINGS.has(name)) { resolved.add(named); continue; }
        // `bind(Contract::class, Impl::class)`: lookups of the contract make an Impl; `bind(Impl::class)` alone, an Impl.
        const concrete = i === 0 ? classConstantClass(c.arguments[1] ?? null) ?? named : null;
        if (concrete) transient.set(`${named}|${concrete}`.toLowerCase(), { abstract: named, concrete });
      }
    }
  }
  return { creations, resolved: [...resolved].sort(), lookups: [...lookups.keys()].sort().map((k) => lookups.get(k)!), transient: [...transient.keys()].sort().map((k) => transient.get(k)!) };
}

/** Classes a class declares shared without a call: `#[Singleton]` on itself, a provider's `$singletons = [X::class => …]`. */
function sharedRegistrations(c: ClassFacts, fqnOf: ReadonlyMap<unknown, string>): string[] {
  const out: string[] = [];
  const self = fqnOf.get(c);
  const attrs = c.node.attrGroups ?? [];
  if (self && attrs.some((g) => g.kind === 'attrgroup' && g.attrs.some((a) => a.kind === 'attribute' && SHARED_ATTRIBUTES.test(a.name)))) out.push(self);
  for (const [name, p] of c.properties) {
    const value = p.node.value;
    if (!SHARED_PROPERTIES.has(name.toLowerCase()) || !value || value.kind !== 'array') continue;
    for (const item of value.items) {
      if (item.kind !== 'entry') continue;
      for (const part of [item.key, item.value]) {
        const named = classConstantClass(part ?? null);
        if (named) out.push(named);
      }
    }
  }
  return out;
}

/** The class a `new` makes, fully qualified: `new self`/`new static` name the enclosing class. */
function createdClass(n: New, s: Scope): string | null {
  if (n.what.kind !== 'name') return null;
  const written = n.what.name;
  if (!NOT_CLASSES.has(written.toLowerCase())) return resolveClassName(written, n);
  if (written.toLowerCase() === 'parent' || !s.cls?.name) return null;
  return resolveClassName(`namespace\\${s.cls.name}`, s.cls.node);
}

/**
 * Who keeps the object whose flow this is beyond the call that made it? null: something the
 * index cannot follow: a static, a script's variable, code we do not follow (a function's or a
 * static method's argument, an object we cannot name), a closure's return value (a container
 * factory's) or a static method's (a named constructor, whose callers we do not see). Else the
 * classes whose instances keep it: a property of the class whose code made it (not one of an
 * object that is itself short-lived by its shape), an object built around it (`new Part($h)`);
 * empty when only local variables (not parameters or captured variables: those are the caller's
 * objects), receivers of calls and the caller of an instance method see it, whose own storing
 * would show up as a typed property or constructor parameter (the index checks those).
 */
function keepersOf(flow: Flow, s: Scope, shortLived: ReadonlySet<ClassFacts>, fqnOf: ReadonlyMap<unknown, string>): string[] | null {
  if (flow.passedTo.length > 0) return null;
  const by = new Set<string>();
  for (const h of flow.holders) {
    if (h.kind === 'static-prop') return null;
    if (h.kind === 'object') {
      const built = h.node.kind === 'new' ? createdClass(h.node as New, s) : null;
      if (!built) return null;
      by.add(built);
    }
    if (h.kind === 'prop' && !(h.cls && shortLived.has(h.cls))) {
      const holder = h.cls ? fqnOf.get(h.cls) : undefined;
      if (!holder) return null;
      by.add(holder);
    }
    // A script's variable lives as long as the script; a parameter or a captured variable is an
    // object of the caller (`function attach(Registry $r) { $r->add(new X); }`).
    if (h.kind === 'var' && (h.scope.kind === 'program' || h.scope.globals.has(h.name) || h.scope.staticVars.has(h.name)
      || h.scope.params.has(h.name) || h.scope.captures.has(h.name))) return null;
  }
  if (flow.returned) {
    // A value returned from a closure goes to whoever calls the closure: often a container.
    if (s.kind === 'closure' || s.kind === 'arrowfunc' || s.kind === 'function' || s.kind === 'program') return null;
    if (s.kind === 'method' && (s.node as Method).isStatic === true) return null;
  }
  return [...by].sort();
}
