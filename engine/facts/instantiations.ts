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
}

export interface Instantiations {
  creations: Creation[];
  /** Classes named with `X::class` in a call to a container (`app()`, `->make()`, `->singleton()`, `->get()`…). */
  resolved: string[];
  /** Of those, the ones looked up (`app(X::class)`, `->make()`, `->get()`), with the class whose code does it (null: outside classes). */
  lookups: Lookup[];
}

export interface Lookup { cls: string; by: string | null }

/** Container calls that hand out an instance (the others bind or configure one). */
const LOOKUP_CALLS = new Set(['app', 'resolve', 'make', 'makewith', 'get', 'build']);

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
export function instantiationsOf(facts: Facts, shortLived: ReadonlySet<ClassFacts>, flowOf: (n: New) => Flow, fqnOf: ReadonlyMap<unknown, string>): Instantiations {
  const seen = new Set<string>();
  const creations: Creation[] = [];
  const resolved = new Set<string>();
  const lookups = new Map<string, Lookup>();
  for (const s of facts.scopes) {
    for (const n of s.news) {
      const cls = createdClass(n, s);
      if (!cls) continue;
      const by = keepersOf(flowOf(n), s, shortLived, fqnOf);
      const key = `${cls.toLowerCase()}|${by === null ? '*' : by.join(',').toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      creations.push(by === null ? { cls, kept: true } : { cls, kept: false, ...(by.length > 0 ? { by } : {}) });
    }
    for (const c of s.calls) {
      const name = methodName(c) ?? functionName(c);
      if (!name || !CONTAINER_CALLS.has(name)) continue;
      for (const a of c.arguments) {
        const named = classConstantClass(a.kind === 'namedargument' ? (a as { value: PhpNode }).value : a);
        if (!named || NOT_CLASSES.has(named.toLowerCase())) continue;
        resolved.add(named);
        if (!LOOKUP_CALLS.has(name)) continue;
        const by = s.cls ? fqnOf.get(s.cls) ?? null : null;
        lookups.set(`${named}|${by ?? ''}`.toLowerCase(), { cls: named, by });
      }
    }
  }
  return { creations, resolved: [...resolved].sort(), lookups: [...lookups.keys()].sort().map((k) => lookups.get(k)!) };
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
