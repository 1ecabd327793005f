import type { Call, PhpNode } from '../nodes.js';
import { callReceiver, functionName, methodName, varName } from './names.js';
import { childrenOf } from '../walk.js';

// Which calls register something that the receiver keeps until it is removed: listeners,
// subscribers, timers, watchers, promise callbacks, PHP's global handlers. Registering is a
// one-time act; the rules that care are about doing it again and again on something that lives.

export type RegistrationFamily = 'listener' | 'timer' | 'then' | 'handler' | 'hook';

export interface RegistrationKind {
  family: RegistrationFamily;
  /** Noun for messages: "listener", "periodic timer". */
  what: string;
  /** Lower-cased names of the calls that remove what this adds. */
  removal: readonly string[];
  /**
   * Verbs too common to trust by name (`attach` is also Eloquent's pivot insert, `after` a
   * query scope): a registration only on a receiver named like a long-lived hub.
   */
  receiver?: RegExp;
}

export interface Registration { call: Call; kind: RegistrationKind; name: string }

/**
 * The last name of a receiver that is a process-wide hub: `$this->app`, `$container`,
 * `$this->events`, `$eventManager`, `$emitter`, `$engine`, `Gate::`, `Queue::`.
 */
export const HUB_NAME = /(^|_)(app|application|container|events|eventmanager|eventsmanager|dispatcher|eventdispatcher|emitter|eventemitter|engine|kernel|gate|queue|bus|hub)$/i;
/** Hubs whose hooks are application lifecycle hooks (`terminating`, `booted`, `resolving`). */
const APP_NAME = /(^|_)(app|application|container|kernel)$/i;

/** Registration methods (lower-cased) and what removes what they add. */
const METHODS: Record<string, RegistrationKind> = {
  once: { family: 'listener', what: 'one-shot listener', removal: ['removelistener', 'off', 'removealllisteners'], receiver: HUB_NAME },
  attach: { family: 'listener', what: 'listener', removal: ['detach', 'detachaggregate', 'clearlisteners'], receiver: /(^|_)(events|eventmanager|eventsmanager|emitter|eventemitter|dispatcher|subject|hub)$/i },
  before: { family: 'hook', what: '"before" callback', removal: [], receiver: /(^|_)(gate|queue|bus|events|dispatcher|app|application)$/i },
  after: { family: 'hook', what: '"after" callback', removal: [], receiver: /(^|_)(gate|queue|bus|events|dispatcher|app|application)$/i },
  terminating: { family: 'hook', what: 'terminating callback', removal: [], receiver: APP_NAME },
  booted: { family: 'hook', what: 'booted callback', removal: [], receiver: APP_NAME },
  booting: { family: 'hook', what: 'booting callback', removal: [], receiver: APP_NAME },
  resolving: { family: 'hook', what: 'resolving callback', removal: [], receiver: APP_NAME },
  afterresolving: { family: 'hook', what: 'resolving callback', removal: [], receiver: APP_NAME },
  beforeresolving: { family: 'hook', what: 'resolving callback', removal: [], receiver: APP_NAME },
  on: { family: 'listener', what: 'listener', removal: ['removelistener', 'off', 'removealllisteners'] },
  addlistener: { family: 'listener', what: 'listener', removal: ['removelistener', 'removealllisteners', 'removesubscriber'] },
  addeventlistener: { family: 'listener', what: 'listener', removal: ['removeeventlistener'] },
  addsubscriber: { family: 'listener', what: 'subscriber', removal: ['removesubscriber'] },
  listen: { family: 'listener', what: 'listener', removal: ['forget', 'forgetpushed'] },
  subscribe: { family: 'listener', what: 'subscriber', removal: ['forget', 'unsubscribe'] },
  addperiodictimer: { family: 'timer', what: 'periodic timer', removal: ['canceltimer', 'cancel'] },
  tick: { family: 'timer', what: 'periodic timer', removal: ['clear', 'clearall', 'cancel'] },
  repeat: { family: 'timer', what: 'repeating callback', removal: ['cancel', 'disable'] },
  onreadable: { family: 'timer', what: 'stream watcher', removal: ['cancel', 'disable'] },
  onwritable: { family: 'timer', what: 'stream watcher', removal: ['cancel', 'disable'] },
  onsignal: { family: 'timer', what: 'signal watcher', removal: ['cancel', 'disable'] },
  addreadstream: { family: 'timer', what: 'stream watcher', removal: ['removereadstream', 'removestream'] },
  addwritestream: { family: 'timer', what: 'stream watcher', removal: ['removewritestream', 'removestream'] },
  addsignal: { family: 'timer', what: 'signal listener', removal: ['removesignal'] },
  then: { family: 'then', what: 'promise callback', removal: [] },
};
/** Eloquent model events: `User::created(fn …)` registers on the application's dispatcher. */
const MODEL_EVENTS = /^(creating|created|updating|updated|saving|saved|deleting|deleted|restoring|restored|retrieved|replicating|forcedeleting|forcedeleted|trashed)$/;
const FUNCTIONS: Record<string, RegistrationKind> = {
  register_shutdown_function: { family: 'handler', what: 'shutdown function', removal: [] },
  set_error_handler: { family: 'handler', what: 'error handler', removal: ['restore_error_handler'] },
  set_exception_handler: { family: 'handler', what: 'exception handler', removal: ['restore_exception_handler'] },
  swoole_timer_tick: { family: 'timer', what: 'periodic timer', removal: ['swoole_timer_clear', 'swoole_timer_clear_all'] },
};
/** Registrations that facades and loop classes offer as static calls (`Event::listen`, `Loop::addPeriodicTimer`). */
const STATIC_OK = new Set([
  'listen', 'subscribe', 'addlistener', 'addperiodictimer', 'tick', 'repeat', 'onreadable', 'onwritable', 'onsignal', 'addreadstream', 'addwritestream', 'addsignal',
  'once', 'before', 'after', 'terminating', 'booted', 'booting', 'resolving', 'afterresolving', 'beforeresolving',
]);
/** Receivers that name an event dispatcher/emitter, for registrations whose listener is not an inline callable. */
const DISPATCHER_LIKE = /event|dispatch|emitter|bus|hub/i;

const DISPLAY: Record<string, string> = {
  removelistener: 'removeListener', removealllisteners: 'removeAllListeners', removeeventlistener: 'removeEventListener',
  removesubscriber: 'removeSubscriber', forget: 'forget', canceltimer: 'cancelTimer', cancel: 'cancel', clear: 'Timer::clear',
  removereadstream: 'removeReadStream', removewritestream: 'removeWriteStream', removesignal: 'removeSignal',
  restore_error_handler: 'restore_error_handler', restore_exception_handler: 'restore_exception_handler', swoole_timer_clear: 'swoole_timer_clear',
  unsubscribe: 'unsubscribe', off: 'off', forgetpushed: 'forgetPushed', detach: 'detach', detachaggregate: 'detachAggregate', clearlisteners: 'clearListeners',
};

/** The registration `call` makes, by its name alone (the callback is checked by `hasCallback`). */
export function registrationOf(call: Call): Registration | null {
  const fn = functionName(call);
  if (fn !== null) {
    const kind = FUNCTIONS[fn];
    return kind ? { call, kind, name: fn } : null;
  }
  const m = methodName(call);
  if (m === null) return null;
  const isStatic = call.what.kind === 'staticlookup';
  // `Mockery::on(…)`, `Model::on($connection)`: static `on`/`then` are not registrations.
  const kind = isStatic ? (STATIC_OK.has(m) ? METHODS[m] : MODEL_EVENTS.test(m) ? METHODS.listen : undefined) : METHODS[m];
  if (!kind) return null;
  if (kind.receiver && !kind.receiver.test(receiverName(callReceiver(call)) ?? '')) return null;
  return { call, kind, name: m };
}

/**
 * The last name of a receiver: `$this->app` → app, `$events`, `Gate::` → Gate, `app()` → app,
 * `app('events')` / `$app['events']` / `$app->make('events')` → events.
 */
export function receiverName(n: PhpNode | null): string | null {
  if (!n) return null;
  switch (n.kind) {
    case 'variable': return typeof n.name === 'string' ? n.name : null;
    case 'propertylookup': case 'nullsafepropertylookup': return n.offset.kind === 'identifier' ? n.offset.name : null;
    case 'staticlookup': return n.offset.kind === 'identifier' ? n.offset.name : null;
    case 'name': return n.name.replace(/^.*\\/, '');
    case 'offsetlookup': return n.offset && n.offset.kind === 'string' ? n.offset.value.replace(/^.*[.\\]/, '') : receiverName(n.what);
    case 'call': {
      const first = n.arguments[0];
      if (first && first.kind === 'string') return first.value.replace(/^.*[.\\]/, '');
      if (first && first.kind === 'staticlookup' && first.offset.kind === 'identifier' && first.offset.name.toLowerCase() === 'class') return receiverName(first.what);
      return functionName(n) ?? null;
    }
    default: return null;
  }
}

/** A removal call's name as written in PHP (`removeListener`). */
export function displayRemoval(lower: string): string {
  return DISPLAY[lower] ?? lower;
}

/** A callable among the arguments: a closure, `[$obj, 'm']`, `$obj->m(...)`, or (for dispatchers) a listener class/string. */
export function hasCallback(r: Registration, receiverText: string): boolean {
  const call = r.call;
  if (callbackOf(call)) return true;
  if (r.kind.family === 'handler') return call.arguments.length > 0;
  // Laravel: `Event::listen(Shipped::class, SendNotification::class)`, `->listen('x', 'Listener@handle')`; a
  // dispatcher given a listener held in a variable. Not `$this->listener->listen($connection, $queue)`.
  if (r.name === 'listen' || r.name === 'addlistener' || r.name === 'subscribe' || r.name === 'addsubscriber') {
    if (DISPATCHER_LIKE.test(receiverText)) return call.arguments.length > 0;
    return call.arguments.some((a) => (a.kind === 'staticlookup' && a.offset.kind === 'identifier' && a.offset.name.toLowerCase() === 'class') || (a.kind === 'string' && /@/.test(a.value)));
  }
  return false;
}

/** The inline callable argument: a closure or arrow function, `[$obj, 'm']`, `$obj->m(...)`. */
export function callbackOf(call: Call): PhpNode | null {
  for (const raw of call.arguments) {
    const a = raw.kind === 'namedargument' ? raw.value : raw;
    if (a.kind === 'closure' || a.kind === 'arrowfunc') return a;
    if (a.kind === 'array' && a.items.length === 2) {
      const first = a.items[0];
      const second = a.items[1];
      if (first?.kind === 'entry' && second?.kind === 'entry' && second.value.kind === 'string' && (first.value.kind === 'variable' || first.value.kind === 'propertylookup' || first.value.kind === 'staticlookup')) return a;
    }
    if (a.kind === 'call' && a.arguments.length === 1 && a.arguments[0]!.kind === 'variadicplaceholder') return a;
  }
  return null;
}

/** Non-static closures and arrow functions in an instance method capture `$this`; so do `[$this, 'm']` and `$this->m(...)`. */
export function bindsThis(cb: PhpNode): boolean {
  if (cb.kind === 'closure' || cb.kind === 'arrowfunc') {
    if (cb.isStatic) return false;
    for (let p = cb.parent; p; p = p.parent) {
      if (p.kind === 'method') return !p.isStatic;
      if (p.kind === 'function') return false;
      if ((p.kind === 'closure' || p.kind === 'arrowfunc') && p.isStatic) return false;
    }
    return false;
  }
  if (cb.kind === 'array') return cb.items[0]?.kind === 'entry' && varName(cb.items[0].value) === 'this';
  if (cb.kind === 'call') return varName(callReceiver(cb)) === 'this';
  return false;
}

/**
 * `$this->after('start', function …)` where `after()` is a method of the same class that keeps
 * the callable it is handed: appends it to a property (`$this->filters[$name][] = $callback`)
 * or passes it on to a property (`$this->dispatcher->hook($name, 'after', $callback)`).
 */
export function ownKeeperMethod(call: Call, methods: ReadonlyMap<string, PhpNode>): boolean {
  if (varName(callReceiver(call)) !== 'this' || call.what.kind === 'staticlookup') return false;
  const name = methodName(call);
  const m = name !== null ? methods.get(name) : undefined;
  if (!m || m.kind !== 'method' || !m.body) return false;
  const params = new Set(m.arguments.map((a) => a.name?.name).filter((n): n is string => !!n));
  const stack: PhpNode[] = [m.body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'closure' || n.kind === 'arrowfunc' || n.kind === 'function') continue;
    if (n.kind === 'assign' && n.operator === '=' && params.has(varName(n.right) ?? '') && n.left.kind === 'offsetlookup') {
      let t: PhpNode = n.left;
      while (t.kind === 'offsetlookup') t = t.what;
      if (t.kind === 'propertylookup' && varName(t.what) === 'this') return true;
    }
    if (n.kind === 'call' && n.arguments.some((a) => params.has(varName(a) ?? ''))) {
      const r = callReceiver(n);
      if (r && r.kind === 'propertylookup' && varName(r.what) === 'this') return true;
    }
    stack.push(...childrenOf(n));
  }
  return false;
}

/** `AnnotationRegistry::registerLoader(fn)`, `Hooks::addFilter(fn)`: a class-level (process-wide) registry of callbacks. */
const STATIC_REGISTRY_VERB = /^(register|add)\w*(loader|listener|handler|callback|hook|filter|function|resolver)s?$/i;

/**
 * A callback added to a process-wide registry: a static `register…Loader()`/`add…Callback()` on
 * a class (not `self::`/`static::`), or `spl_autoload_register()`. Removed by the `un`/`remove`
 * twin (`unregisterLoader`, `spl_autoload_unregister`).
 */
export function staticRegistryOf(call: Call): Registration | null {
  if (functionName(call) === 'spl_autoload_register') {
    return { call, kind: { family: 'hook', what: 'autoloader', removal: ['spl_autoload_unregister'] }, name: 'spl_autoload_register' };
  }
  if (call.what.kind !== 'staticlookup' || call.what.what.kind !== 'name' || call.what.offset.kind !== 'identifier') return null;
  const written = String(call.what.offset.name);
  if (!STATIC_REGISTRY_VERB.test(written)) return null;
  const m = written.toLowerCase();
  const shown = m.startsWith('register') ? 'un' + written : 'remove' + written.slice(3);
  DISPLAY[shown.toLowerCase()] ??= shown;
  const removal = [shown.toLowerCase()];
  return { call, kind: { family: 'hook', what: 'callback', removal }, name: m };
}
