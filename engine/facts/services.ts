import type { Call, ClassDecl, Method, Parameter, PhpNode } from '../nodes.js';
import { childrenOf } from '../walk.js';
import { attributesOf, resolveClassName, resolvedName, shortClassName } from './imports.js';
import { argumentAt, callReceiver, isThis, methodName, stringValue, typeNames } from './names.js';
import type { ClassFacts } from './scopes.js';
import type { Facts } from './index.js';

// Which classes are shared services (one instance serves every message, event or request of a
// long-running process), and which of their methods run once per unit of work. Read from the
// class itself (attributes, interfaces, constructor dependencies) and from bindings in the same
// file. Used by rules about state kept between jobs and about listeners registered per job.

export type ServiceKind =
  /** `#[AsMessageHandler]`, `MessageHandlerInterface`, `MessageSubscriberInterface` */
  | 'message-handler'
  /** `#[AsEventListener]` on the class or a method */
  | 'event-listener'
  /** `implements EventSubscriberInterface` */
  | 'event-subscriber'
  /** a constructor-injected container or logger and a public `__invoke`/`handle` */
  | 'invokable-service'
  /** bound with `->singleton(X::class, …)` in this file (Laravel) */
  | 'laravel-singleton';

export interface SharedService {
  kind: ServiceKind;
  /** Noun phrase for messages: "a Symfony Messenger handler (`#[AsMessageHandler]`)". */
  label: string;
  /** What one call of an entry method handles: "message", "event", "request". */
  unit: 'message' | 'event' | 'request';
  /** The attribute, interface name, constructor parameter or binding call that makes it one. */
  evidence: PhpNode;
  /** Lower-cased names of the methods that run once per unit of work. */
  entries: Set<string>;
  /** The reset hook that frees per-job state for this kind of service. */
  hook: 'symfony-reset' | 'laravel-scoped';
}

const MESSENGER = 'Symfony\\Component\\Messenger\\';
const AS_MESSAGE_HANDLER = `${MESSENGER}Attribute\\AsMessageHandler`;
const AS_EVENT_LISTENER = 'Symfony\\Component\\EventDispatcher\\Attribute\\AsEventListener';
const SUBSCRIBER_INTERFACES = new Set([
  'symfony\\component\\eventdispatcher\\eventsubscriberinterface',
  'doctrine\\common\\eventsubscriber',
]);
const HANDLER_INTERFACES = new Set([`${MESSENGER}Handler\\MessageHandlerInterface`, `${MESSENGER}Handler\\MessageSubscriberInterface`].map((s) => s.toLowerCase()));
/** Constructor dependencies that mark a long-lived, container-built service. */
const SERVICE_DEPENDENCIES = new Set([
  'psr\\container\\containerinterface', 'symfony\\component\\dependencyinjection\\containerinterface',
  'illuminate\\contracts\\container\\container', 'illuminate\\container\\container',
  'illuminate\\contracts\\foundation\\application', 'illuminate\\foundation\\application',
  'psr\\log\\loggerinterface',
]);

/** Reset hooks: Symfony's ResetInterface and Monolog's ResettableInterface (same contract). */
export const RESET_INTERFACES: ReadonlySet<string> = new Set([
  'symfony\\contracts\\service\\resetinterface', 'monolog\\resettableinterface',
  // Symfony Cache's own reset contract (extends ResetInterface: the services resetter calls it).
  'symfony\\component\\cache\\resettableinterface',
]);

/** Method names that run once per message/event/request when the class is a handler or listener. */
export function isEntryName(lower: string): boolean {
  return lower === '__invoke' || lower === 'handle' || lower === 'process' || /^handle[a-z_]/.test(lower) || /^on[a-z_]/.test(lower) && lower.length > 2;
}

/** Fully qualified name of a class declared in this file. */
export function classFqn(cls: ClassFacts): string | null {
  if (!cls.name) return null;
  return resolveClassName(`namespace\\${cls.name}`, cls.node);
}

/** Lower-cased resolved names of the interfaces a class declares it implements. */
export function implementedInterfaces(cls: ClassFacts): Set<string> {
  const out = new Set<string>();
  if (cls.node.kind !== 'class') return out;
  for (const i of cls.node.implements ?? []) {
    const r = resolvedName(i);
    if (r) out.add(r.toLowerCase());
  }
  return out;
}

/**
 * Is `cls` a shared service, and which methods are its per-job entry points? Decide at
 * `program:exit`: Laravel bindings are found through `facts.methodCalls`, complete only then.
 */
export function sharedServiceOf(cls: ClassFacts, facts: Facts): SharedService | null {
  // Asked for every class by several rules and the summary: once the walk is over (the facts
  // are final) the answer is kept. Before, it is worked out afresh, bindings may still come.
  if (!facts.longRunning.complete) return decideSharedService(cls, facts);
  let s = SERVICES.get(cls);
  if (s === undefined) { s = decideSharedService(cls, facts); SERVICES.set(cls, s); }
  return s;
}
const SERVICES = new WeakMap<ClassFacts, SharedService | null>();

function decideSharedService(cls: ClassFacts, facts: Facts): SharedService | null {
  const node = cls.node;
  if (node.kind !== 'class' || node.isAnonymous || node.isAbstract || !cls.name) return null;
  const methods = [...cls.methods.entries()];
  const lowerInterfaces = implementedInterfaces(cls);

  // Symfony Messenger handlers.
  const classAttrs = attributesOf(node);
  const handlerAttr = classAttrs.find((a) => a.name === AS_MESSAGE_HANDLER);
  const handlerMethods = methods.filter(([, m]) => attributesOf(m).some((a) => a.name === AS_MESSAGE_HANDLER));
  if (handlerAttr || handlerMethods.length > 0) {
    const entries = new Set(handlerMethods.map(([n]) => n));
    if (handlerAttr) entries.add(stringValue(argumentAt({ arguments: handlerAttr.node.args }, 99, 'method'))?.toLowerCase() ?? '__invoke');
    return { kind: 'message-handler', label: 'a Symfony Messenger handler (`#[AsMessageHandler]`)', unit: 'message', evidence: handlerAttr?.node ?? handlerMethods[0]![1], entries, hook: 'symfony-reset' };
  }
  const handlerInterface = [...lowerInterfaces].find((i) => HANDLER_INTERFACES.has(i));
  if (handlerInterface) {
    const entries = new Set(methods.map(([n]) => n).filter((n) => n === '__invoke' || /^handle/.test(n)));
    return { kind: 'message-handler', label: `a Symfony Messenger handler (\`${writtenName(node, handlerInterface)}\`)`, unit: 'message', evidence: interfaceNode(node, handlerInterface), entries, hook: 'symfony-reset' };
  }

  // Symfony event listeners and subscribers.
  const listenerAttr = classAttrs.find((a) => a.name === AS_EVENT_LISTENER);
  const listenerMethods = methods.filter(([, m]) => attributesOf(m).some((a) => a.name === AS_EVENT_LISTENER));
  if (listenerAttr || listenerMethods.length > 0) {
    const entries = new Set(listenerMethods.map(([n]) => n));
    if (listenerAttr) {
      const named = stringValue(argumentAt({ arguments: listenerAttr.node.args }, 99, 'method'));
      if (named) entries.add(named.toLowerCase());
      for (const [n] of methods) if (isEntryName(n)) entries.add(n);
    }
    return { kind: 'event-listener', label: 'a Symfony event listener (`#[AsEventListener]`)', unit: 'event', evidence: listenerAttr?.node ?? listenerMethods[0]![1], entries, hook: 'symfony-reset' };
  }
  const subscriberInterface = [...lowerInterfaces].find((i) => SUBSCRIBER_INTERFACES.has(i));
  if (subscriberInterface) {
    const entries = subscribedMethods(cls);
    return { kind: 'event-subscriber', label: `an event subscriber (\`${writtenName(node, subscriberInterface)}\`)`, unit: 'event', evidence: interfaceNode(node, subscriberInterface), entries, hook: 'symfony-reset' };
  }

  // Laravel singletons bound in this file.
  const binding = singletonBinding(cls, facts);
  if (binding) {
    const entries = new Set(methods.filter(([n, m]) => !m.isStatic && m.visibility !== 'private' && m.visibility !== 'protected' && !isSetupName(n)).map(([n]) => n));
    return { kind: 'laravel-singleton', label: 'a Laravel singleton (`->singleton()` binding)', unit: 'request', evidence: binding, entries, hook: 'laravel-scoped' };
  }

  // A container-built service: injected container/logger plus a public __invoke/handle.
  const ctor = cls.methods.get('__construct');
  const dep = ctor?.arguments.find((p) => isServiceDependency(p));
  if (ctor && dep) {
    const entries = new Set(methods.filter(([n, m]) => (n === '__invoke' || n === 'handle') && !m.isStatic && (m.visibility === 'public' || m.visibility === '')).map(([n]) => n));
    if (entries.size > 0) {
      return { kind: 'invokable-service', label: `a container-built service (constructor-injected \`${typeNames(dep.type).map(shortClassName).join('|')}\`, public \`${[...entries][0]}()\`)`, unit: 'request', evidence: dep, entries, hook: 'symfony-reset' };
    }
  }
  return null;
}

function isServiceDependency(p: Parameter): boolean {
  return typeNames(p.type).some((t) => SERVICE_DEPENDENCIES.has(resolveClassName(t, p).toLowerCase()));
}

/** Setter injection and lifecycle methods: called while the container builds the service. */
export function isSetupName(lower: string): boolean {
  return /^(__construct|__destruct|__clone|__wakeup|__unserialize|__sleep|__serialize|__set_state|reset|boot|register|configure|setup|initialize|init|getsubscribedevents|gethandledmessages)$/.test(lower) || /^set[a-z_]/.test(lower);
}

/** The interface's short name as the class spells it. */
function writtenName(node: ClassDecl, lowerFqn: string): string {
  const n = interfaceNode(node, lowerFqn);
  return n.kind === 'name' ? shortClassName(resolvedName(n) ?? n.name) : shortClassName(lowerFqn);
}

function interfaceNode(node: ClassDecl, lowerFqn: string): PhpNode {
  return (node.implements ?? []).find((i) => resolvedName(i)?.toLowerCase() === lowerFqn) ?? node;
}

/** Methods named as listeners in `getSubscribedEvents()`; falls back to `on*`/`handle*` names. */
function subscribedMethods(cls: ClassFacts): Set<string> {
  const out = new Set<string>();
  const gse = cls.methods.get('getsubscribedevents') ?? cls.methods.get('getsubscribedevent');
  if (gse?.body) {
    // A small subtree (one method's return arrays): read directly, not part of the engine's walk.
    const stack: PhpNode[] = [gse.body];
    while (stack.length > 0) {
      const n = stack.pop()!;
      const s = stringValue(n);
      if (s !== null && cls.methods.has(s.toLowerCase())) out.add(s.toLowerCase());
      // Doctrine's `return [Events::postPersist, …]`: the listener method is named after the event.
      if (n.kind === 'staticlookup' && n.offset.kind === 'identifier' && cls.methods.has(n.offset.name.toLowerCase())) out.add(n.offset.name.toLowerCase());
      stack.push(...childrenOf(n));
    }
  }
  if (out.size === 0) for (const n of cls.methods.keys()) if (isEntryName(n)) out.add(n);
  return out;
}

/** `$this->app->singleton(Foo::class, …)` / `$app->singleton(Foo::class)` / `App::singleton(…)` for this class. */
function singletonBinding(cls: ClassFacts, facts: Facts): Call | null {
  const fqn = classFqn(cls)?.toLowerCase();
  if (!fqn) return null;
  for (const call of facts.methodCalls.get('singleton') ?? []) {
    const first = argumentAt(call, 0, 'abstract');
    const target = classConstantClass(first) ?? classConstantClass(argumentAt(call, 1, 'concrete'));
    if (target && target.toLowerCase() === fqn) return call;
  }
  return null;
}

/** `Foo::class` → resolved `Foo`. */
export function classConstantClass(node: PhpNode | null): string | null {
  if (!node || node.kind !== 'staticlookup' || node.offset.kind !== 'identifier' || node.offset.name.toLowerCase() !== 'class') return null;
  return resolvedName(node.what);
}

/** Classes listed in an Octane-style `'flush' => [Foo::class, …]` entry (lower-cased), else empty. */
export function flushListed(entry: PhpNode): string[] {
  if (entry.kind !== 'entry' || stringValue(entry.key) !== 'flush' || entry.value.kind !== 'array') return [];
  const out: string[] = [];
  for (const it of entry.value.items) {
    const c = it.kind === 'entry' ? classConstantClass(it.value) : null;
    if (c) out.push(c.toLowerCase());
  }
  return out;
}

/**
 * Entry methods plus the private/protected methods they reach through `$this->m()` (two levels):
 * state written by a helper of `__invoke` is written per job too.
 */
export function methodsRunPerJob(cls: ClassFacts, entries: ReadonlySet<string>): Map<string, Method> {
  const out = new Map<string, Method>();
  let frontier = [...entries].filter((n) => cls.methods.has(n));
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const name of frontier) {
      const m = cls.methods.get(name);
      if (!m || out.has(name)) continue;
      out.set(name, m);
      const scope = cls.scopes.find((s) => s.node === m);
      for (const call of scope?.calls ?? []) {
        const r = callReceiver(call);
        const callee = methodName(call);
        if (callee && r && isThis(r) && call.what.kind === 'propertylookup' && !out.has(callee) && cls.methods.has(callee)) {
          const target = cls.methods.get(callee)!;
          if (target.visibility === 'private' || target.visibility === 'protected') next.push(callee);
        }
      }
    }
    frontier = next;
  }
  return out;
}
