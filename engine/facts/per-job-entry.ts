import type { FunctionLike, Method, PhpNode } from '../nodes.js';
import { attributesOf, resolveClassName, resolvedName } from './imports.js';
import { functionName, methodName, typeNames } from './names.js';
import { isEntryName } from './services.js';
import type { Facts } from './index.js';

// Which code runs once per message, event or request (so what it does to a long-lived object
// is done again for every one): per-job methods (handlers, listeners, controller actions) and
// callbacks that a server or emitter calls for every event. Set-up code (start/boot hooks,
// configurators handed the container) runs once and is not per-job.

/** Calls whose callback runs for every event: a closure passed to them is a per-event context. */
const PER_EVENT_REGISTRARS = new Set(['on', 'addlistener', 'listen', 'subscribe', 'addperiodictimer', 'tick', 'repeat', 'onreadable', 'onwritable', 'addreadstream', 'addwritestream', 'handle']);
/** Parameters that make a method a configurator rather than a per-job entry point. */
const INFRASTRUCTURE_TYPE = /(^|\\)(Application|Container|ContainerInterface|Dispatcher|EventDispatcherInterface|EventDispatcher|LoopInterface|EventEmitterInterface)$/;
/** Lifecycle hooks that run once per process or worker: `OnServerStart`, `onWorkerStart`, `handleBoot`. */
const ONCE = /start|boot|init|install|register|configure|setup/i;

/**
 * Does `m` run once per message, event or request? A per-job method is handed its job (a
 * message, event or request): `__invoke`/`handle*`/`process`/`on*` with parameters, methods with
 * `#[AsEventListener]`/`#[AsMessageHandler]`, public controller actions handed the request.
 * `handle()` without parameters is a console command's body; start/boot hooks run once.
 */
export function isPerJobMethod(m: Method, facts: Facts): boolean {
  const name = typeof m.name === 'string' ? m.name : m.name.name;
  if (m.isStatic) return false;
  // Handed the application, container, dispatcher or loop: a configurator run at set-up.
  if (m.arguments.some((a) => typeNames(a.type).some((t) => INFRASTRUCTURE_TYPE.test(resolveClassName(t, a))))) return false;
  if (attributesOf(m).some((a) => /\\(AsEventListener|AsMessageHandler)$/.test(a.name))) return true;
  const owner = facts.classOf(m)?.name ?? '';
  if (m.arguments.length === 0 || ONCE.test(name) || ONCE.test(owner)) return false;
  return isEntryName(name.toLowerCase()) || isControllerAction(m);
}

/** The registration or server that calls `fn` for every event, if `fn` is passed to one. */
export function perEventRegistrar(fn: FunctionLike): PhpNode | null {
  let n: PhpNode = fn;
  if (n.parent?.kind === 'namedargument') n = n.parent;
  const p = n.parent;
  if (!p) return null;
  if (p.kind === 'call' && p.arguments.includes(n)) {
    const m = methodName(p);
    if (m && PER_EVENT_REGISTRARS.has(m)) return p;
    if (functionName(p) === 'swoole_timer_tick') return p;
  }
  if (p.kind === 'new' && p.arguments.includes(n) && /Server$/.test(resolvedName(p.what) ?? '')) return p;
  // Workerman: `$worker->onMessage = function (…) { … }`.
  if (p.kind === 'assign' && p.right === n && p.left.kind === 'propertylookup' && p.left.offset.kind === 'identifier' && /^on[A-Z]/.test(p.left.offset.name)) return p;
  return null;
}

/** A public controller action handed the request (`index(Request $request)` in a `…Controller`). */
export function isControllerAction(m: Method): boolean {
  if (m.visibility === 'private' || m.visibility === 'protected') return false;
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class') return false;
  const named = (n: PhpNode | null | undefined): string => (n && n.kind === 'name' ? n.name : '');
  if (!/Controller$/.test(named(cls.extends)) && !/Controller$/.test(cls.name?.name ?? '')) return false;
  return m.arguments.some((a) => typeNames(a.type).some((t) => /(^|\\)\w*Request(Interface)?$/.test(t)));
}
