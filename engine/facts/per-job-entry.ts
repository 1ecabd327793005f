import type { Call, FunctionLike, Method, PhpNode } from '../nodes.js';
import { attributesOf, resolveClassName, resolvedName } from './imports.js';
import { argumentAt, callReceiver, functionName, methodName, typeNames } from './names.js';
import { HUB_NAME, receiverName } from './registrations.js';
import { isEntryName } from './services.js';
import type { Facts } from './index.js';
import { listensOnlyToLifecycleEvents } from './lifecycle-events.js';

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
  if (attributesOf(m).some((a) => /\\(AsEventListener|AsMessageHandler|Route)$/.test(a.name))) return true;
  const owner = facts.classOf(m)?.name ?? '';
  if (ONCE.test(name) || ONCE.test(owner)) return false;
  if (listensOnlyToLifecycleEvents(m)) return false;
  if (isControllerAction(m)) return true;
  // A queued job's handle() runs once per job, whatever it is handed (often nothing).
  if ((name.toLowerCase() === 'handle' || name.toLowerCase() === '__invoke') && isQueuedJob(m)) return true;
  return m.arguments.length > 0 && isEntryName(name.toLowerCase());
}

function isQueuedJob(m: Method): boolean {
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class') return false;
  return (cls.implements ?? []).some((i) => /(^|\\)ShouldQueue$/.test(resolvedName(i) ?? ''));
}

/**
 * Classes whose instances are made for one request, one render or one item (a Laravel
 * middleware, a view or Livewire component, an API resource, a form request, a mailable or
 * notification): their constructor runs once per request, not once per process.
 */
const PER_REQUEST_BASES = /(^|\\)(Illuminate\\View\\Component|Livewire\\Component|Illuminate\\Http\\Resources\\Json\\(JsonResource|ResourceCollection)|Illuminate\\Foundation\\Http\\FormRequest|Illuminate\\Mail\\Mailable|Illuminate\\Notifications\\Notification)$/;

/** What a per-request object is, for messages ("a middleware"), when `m` is its constructor; else null. */
export function perRequestConstructor(m: Method): string | null {
  const name = typeof m.name === 'string' ? m.name : m.name.name;
  if (name.toLowerCase() !== '__construct') return null;
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class' || cls.isAbstract) return null;
  const base = resolvedName(cls.extends) ?? '';
  if (PER_REQUEST_BASES.test(base)) return `a \`${base.replace(/^.*\\/, '')}\` (made for each use)`;
  // A Laravel middleware: `handle($request, Closure $next)`; the kernel makes one per request.
  for (const member of cls.body) {
    if (member.kind !== 'method' || (typeof member.name === 'string' ? member.name : member.name.name).toLowerCase() !== 'handle') continue;
    const next = member.arguments[1];
    if (next && (next.name?.name === 'next' || typeNames(next.type).some((t) => /(^|\\)Closure$/.test(t)))) return 'a middleware (made for each request)';
  }
  return null;
}

/**
 * The container call that runs `fn` on every resolution: `$app->bind(X::class, fn)` (not
 * shared), Pimple's `$c->factory(fn)`.
 */
export function perResolutionRegistrar(fn: FunctionLike): Call | null {
  let n: PhpNode = fn;
  if (n.parent?.kind === 'namedargument') n = n.parent;
  const p = n.parent;
  if (!p || p.kind !== 'call' || !p.arguments.includes(n)) return null;
  const m = methodName(p);
  // On a container: `$this->app`, `$container`, `App::`, Pimple's `$c`.
  const r = receiverName(callReceiver(p)) ?? '';
  if (!HUB_NAME.test(r) && r !== 'c' && r !== 'App') return null;
  if (m === 'bind') {
    const shared = argumentAt(p, 2, 'shared');
    return shared && shared.kind === 'boolean' && shared.value ? null : p;
  }
  // Not `resolving`/`afterResolving`: on a shared binding (most are) they run once.
  return m === 'factory' ? p : null;
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

/**
 * A public controller action: any public method of a class extending a `…Controller` (but not
 * its constructor or magic methods), or one handed the request in a class named `…Controller`.
 */
export function isControllerAction(m: Method): boolean {
  if (m.visibility === 'private' || m.visibility === 'protected') return false;
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class') return false;
  const named = (n: PhpNode | null | undefined): string => (n && n.kind === 'name' ? n.name : '');
  const name = typeof m.name === 'string' ? m.name : m.name.name;
  if (/Controller$/.test(named(cls.extends)) && !name.startsWith('__') && !cls.isAbstract) return true;
  if (!/Controller$/.test(cls.name?.name ?? '')) return false;
  return m.arguments.some((a) => typeNames(a.type).some((t) => /(^|\\)\w*Request(Interface)?$/.test(t)));
}
