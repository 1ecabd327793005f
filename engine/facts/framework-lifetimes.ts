import { importsAt, resolvedName } from './imports.js';
import { typeNames } from './names.js';
import type { ClassFacts } from './scopes.js';
import { implementedInterfaces } from './services.js';

// Objects a framework makes afresh for each request, job or message, also in a process that
// serves many (Octane, a queue worker): what their instance properties keep dies with that
// request or job. Statics of these classes still live as long as the process.
//
// - Laravel middleware: the pipeline resolves each middleware from the container per request
//   (Pipeline::carry → Container::make), and the kernel resolves it again for terminate(); only a
//   middleware bound as a singleton is shared, and that binding is in a service provider.
// - Form requests: resolved per request (FormRequestServiceProvider builds one per resolution).
// - Queued jobs, listeners, notifications and mailables (`ShouldQueue`): the worker unserializes
//   a new instance from each job's payload, or builds a listener per job (CallQueuedListener).
// - Notifications, mailables, and classes dispatched with `new` (`Dispatchable`: jobs, events).
//
// Not here: Laravel controllers. A Route keeps the controller it resolved (Route::getController)
// and reuses it for every request to that route in a long-lived process until someone calls
// Route::flushController(); their instance state can outlive a request.

const QUEUED = 'illuminate\\contracts\\queue\\shouldqueue';
/** Base classes whose instances are made for one request or one message. */
const PER_USE_BASES: ReadonlyMap<string, string> = new Map([
  ['illuminate\\foundation\\http\\formrequest', 'a form request, made for each request'],
  ['illuminate\\notifications\\notification', 'a notification, made for each message'],
  ['illuminate\\mail\\mailable', 'a mailable, made for each message'],
]);
const DISPATCHABLE = new Set(['illuminate\\foundation\\bus\\dispatchable', 'illuminate\\foundation\\events\\dispatchable']);
const LARAVEL_MIDDLEWARE_NAMESPACE = /(^|\\)Http\\Middleware(\\|$)/;

/** Why a framework makes an instance of `cls` for one request or job, or null. */
export function frameworkMadeFor(cls: ClassFacts): string | null {
  const node = cls.node;
  if (node.kind !== 'class' || node.isAnonymous) return null;
  if (implementedInterfaces(cls).has(QUEUED)) return 'queued (`ShouldQueue`): one instance per job';
  const base = resolvedName(node.extends)?.toLowerCase();
  const perUse = base ? PER_USE_BASES.get(base) : undefined;
  if (perUse) return perUse;
  for (const member of node.body) {
    if (member.kind !== 'traituse') continue;
    if (member.traits.some((t) => DISPATCHABLE.has(resolvedName(t)?.toLowerCase() ?? ''))) return 'dispatched (`Dispatchable`): one instance per dispatch';
  }
  if (LARAVEL_MIDDLEWARE_NAMESPACE.test(importsAt(node).namespace ?? '') || hasMiddlewareHandle(cls)) {
    return 'a Laravel middleware, made for each request';
  }
  return null;
}

/** `handle($request, Closure $next)`: Laravel's middleware signature. */
function hasMiddlewareHandle(cls: ClassFacts): boolean {
  const handle = cls.methods.get('handle');
  const next = handle?.arguments[1];
  return !!next && typeNames(next.type).some((t) => t.replace(/^\\/, '').toLowerCase() === 'closure');
}
