import { isFunctionLike, type Call, type FunctionLike, type Loop, type Method, type PhpNode } from '../engine/nodes.js';
import {
  WRITE_ROLES, argumentAt, callReceiver, enclosingLoops, functionName, isWithin, methodName, thisPropertyName, typeNames, varName,
  type Scope,
} from '../engine/facts/index.js';
import { attributesOf, resolveClassName, resolvedName } from '../engine/facts/imports.js';
import { isEntryName } from '../engine/facts/services.js';
import { childrenOf } from '../engine/walk.js';
import { defineRule } from '../engine/rule.js';

// Registering a listener, timer or callback is a one-time act: the emitter keeps it until it is
// removed. Done per loop iteration, per message or per request on an emitter that outlives the
// job (the event loop, the app's dispatcher, an injected service), every job adds one more.

type Family = 'listener' | 'timer' | 'then' | 'handler';

interface Kind { family: Family; what: string; removal: readonly string[] }

/** Registration methods (lower-cased) and what removes what they add. */
const METHODS: Record<string, Kind> = {
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
const FUNCTIONS: Record<string, Kind> = {
  register_shutdown_function: { family: 'handler', what: 'shutdown function', removal: [] },
  set_error_handler: { family: 'handler', what: 'error handler', removal: ['restore_error_handler'] },
  set_exception_handler: { family: 'handler', what: 'exception handler', removal: ['restore_exception_handler'] },
  swoole_timer_tick: { family: 'timer', what: 'periodic timer', removal: ['swoole_timer_clear', 'swoole_timer_clear_all'] },
};
/** Registrations that facades and loop classes offer as static calls (`Event::listen`, `Loop::addPeriodicTimer`). */
const STATIC_OK = new Set(['listen', 'subscribe', 'addlistener', 'addperiodictimer', 'tick', 'repeat', 'onreadable', 'onwritable', 'onsignal', 'addreadstream', 'addwritestream', 'addsignal']);
/** Receivers that name an event dispatcher/emitter, for registrations whose listener is not an inline callable. */
const DISPATCHER_LIKE = /event|dispatch|emitter|bus|hub/i;
/** Calls whose callback runs for every event: a closure passed to them is a per-event context. */
const PER_EVENT_REGISTRARS = new Set(['on', 'addlistener', 'listen', 'subscribe', 'addperiodictimer', 'tick', 'repeat', 'onreadable', 'onwritable', 'addreadstream', 'addwritestream', 'handle']);
/** Long-lived receivers passed as parameters: an event loop or a dispatcher. */
const LONG_LIVED_TYPE = /(^|\\)(LoopInterface|Loop|EventLoop|EventDispatcherInterface|EventDispatcher|Dispatcher|EventEmitterInterface|EventEmitter|Server)$/;

/** Parameters that make a method a configurator rather than a per-job entry point. */
const INFRASTRUCTURE_TYPE = /(^|\\)(Application|Container|ContainerInterface|Dispatcher|EventDispatcherInterface|EventDispatcher|LoopInterface|EventEmitterInterface)$/;

/** Lifecycle hooks that run once per process or worker: `OnServerStart`, `onWorkerStart`, `handleBoot`. */
const ONCE = /start|boot|init|install|register|configure|setup/i;

interface Registration { call: Call; kind: Kind; name: string }
type Context =
  | { kind: 'loop'; loop: Loop }
  | { kind: 'method'; method: Method; name: string }
  | { kind: 'callback'; closure: FunctionLike; registrar: PhpNode };

export default defineRule({
  meta: {
    id: 'listener-in-loop',
    severity: 'warning',
    fixable: 'never',
    description: 'Listeners, timers or callbacks registered per iteration/message on a long-lived emitter and never removed.',
    messages: {
      registered: '`{{call}}` adds {{a}} {{what}} {{per}}, never removed',
      registeredThis: '`{{call}}` adds {{a}} {{what}} {{per}}, never removed',
    },
    details: {
      registered: '`{{call}}` runs {{context}} and adds {{a}} {{what}} to {{emitter}} each time; nothing removes them{{removal}}, so {{emitter}} holds one more per {{unit}}{{effect}}, for as long as it lives.',
      registeredThis: '`{{call}}` runs {{context}} and adds {{a}} {{what}} to {{emitter}} each time; nothing removes them{{removal}}, so {{emitter}} holds one more per {{unit}}{{effect}}, for as long as it lives. The callback is bound to `$this` ({{cls}}), so each one also keeps that object and everything it references alive.',
    },
    tips: {
      registered: 'Register it once, at start-up (a constructor, a service provider\'s boot(), before the loop), or remove it when the {{unit}} is done ({{removeHint}}).',
      registeredThis: 'Register it once, at start-up, or remove it when the {{unit}} is done ({{removeHint}}); a `static function` (or `static fn`) does not capture `$this`.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    if (ctx.isTestFile) return {};
    const regs: Registration[] = [];
    return {
      call(node) {
        const fn = functionName(node);
        if (fn !== null) {
          const kind = FUNCTIONS[fn];
          if (kind) regs.push({ call: node, kind, name: fn });
          return;
        }
        const m = methodName(node);
        if (m === null) return;
        const isStatic = node.what.kind === 'staticlookup';
        // `Mockery::on(…)`, `Model::on($connection)`: static `on`/`then` are not registrations.
        const kind = isStatic ? (STATIC_OK.has(m) ? METHODS[m] : MODEL_EVENTS.test(m) ? METHODS.listen : undefined) : METHODS[m];
        if (kind) regs.push({ call: node, kind, name: m });
      },
      'program:exit'() {
        for (const r of regs) check(r);
      },
    };

    function check(r: Registration): void {
      const { call, kind } = r;
      if (!hasCallback(call, r, ctx.file.textOf(callReceiver(call) ?? call.what))) return;
      if (forwardsParameter(call)) return;
      // `if (!$this->registered) { register_shutdown_function(…); $this->registered = true; }`:
      // once per object or process, not each time the method runs (monolog's BufferHandler).
      if (guardedByOnceFlag(call, ctx.file.textOf.bind(ctx.file))) return;
      if (kind.family === 'then' && !thenOnKeptPromise(call)) return;
      const context = contextOf(call);
      if (!context) return;
      const receiver = callReceiver(call);
      if (!longLived(receiver, call, context)) return;
      // Every call of a global registration adds one; elsewhere arguments that change per iteration are set-up.
      if (context.kind === 'loop' && kind.family !== 'handler' && !argumentsInvariant(call, context.loop, ctx.facts.scopeOf(call))) return;
      if (isRemoved(r, receiver, context)) return;
      const emitter = receiver === null ? 'PHP' : call.what.kind === 'staticlookup'
        ? `the ${kind.family === 'timer' ? 'event loop' : 'dispatcher'} behind \`${ctx.file.textOf(receiver).replace(/^.*\\/, '')}::\``
        : emitterText(receiver);
      const cb = callbackOf(call);
      const boundThis = cb !== null && bindsThis(cb);
      const cls = ctx.facts.classOf(call);
      const unit = context.kind === 'loop' ? 'iteration' : context.kind === 'method' ? 'call' : 'event';
      const effect = kind.family === 'timer' ? ' (each keeps firing)' : kind.family === 'then' ? ' (held until the promise settles)' : kind.family === 'listener' ? ' (each runs on every event)' : '';
      ctx.report({
        at: call,
        messageId: boundThis ? 'registeredThis' : 'registered',
        data: {
          call: callText(call), what: kind.what, a: /^[aeiou]/.test(kind.what) ? 'an' : 'a', emitter, context: contextText(context), per: perText(context), unit, effect,
          removal: kind.removal.length > 0 ? ` (no \`${displayRemoval(kind.removal[0]!)}()\`)` : kind.family === 'then' ? '' : ' (they cannot be removed)',
          removeHint: kind.removal.length > 0 ? `\`${displayRemoval(kind.removal[0]!)}()\``
            : kind.family === 'then' ? 'chain on a promise made for this job, not on one the object keeps' : 'register one callback for the process and let it see the current job',
          cls: cls?.name ?? 'the enclosing object',
        },
        related: context.kind === 'loop' ? [{ at: context.loop, message: 'the loop that repeats the registration' }]
          : context.kind === 'callback' ? [{ at: context.registrar, message: 'this callback runs for every event' }] : [],
      });
    }

    /** Where the registration repeats: the innermost loop, a per-message method, or a per-event callback. */
    function contextOf(call: Call): Context | null {
      const loops = enclosingLoops(call);
      if (loops.length > 0) return { kind: 'loop', loop: loops[0]! };
      for (let p = call.parent; p; p = p.parent) {
        if (p.kind === 'closure' || p.kind === 'arrowfunc') {
          const registrar = perEventRegistrar(p);
          if (registrar) return { kind: 'callback', closure: p, registrar };
          continue; // an inline closure called once: look further out
        }
        if (p.kind === 'method') {
          const name = typeof p.name === 'string' ? p.name : p.name.name;
          if (p.isStatic) return null;
          // Handed the application, container, dispatcher or loop: a configurator run at set-up.
          if (p.arguments.some((a) => typeNames(a.type).some((t) => INFRASTRUCTURE_TYPE.test(resolveClassName(t, a))))) return null;
          if (attributesOf(p).some((a) => /\\(AsEventListener|AsMessageHandler)$/.test(a.name))) return { kind: 'method', method: p, name };
          // A per-job method is handed its job (a message, event or request); `handle()` without
          // one is a console command's body, and start/boot hooks run once per process.
          const owner = ctx.facts.classOf(p)?.name ?? '';
          if (p.arguments.length === 0 || ONCE.test(name) || ONCE.test(owner)) return null;
          if (!isEntryName(name.toLowerCase()) && !isControllerAction(p)) return null;
          return { kind: 'method', method: p, name };
          return null;
        }
        if (p.kind === 'function') return null;
      }
      return null;
    }

    /** The registration or server that calls `fn` for every event, if `fn` is passed to one. */
    function perEventRegistrar(fn: FunctionLike): PhpNode | null {
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

    /** Does the emitter outlive one iteration/job? */
    function longLived(receiver: PhpNode | null, call: Call, context: Context): boolean {
      if (receiver === null) return true; // a global function: the runtime itself
      if (call.what.kind === 'staticlookup') return receiver.kind === 'name' || receiver.kind === 'selfreference' || receiver.kind === 'staticreference';
      if (varName(receiver) === 'this') return false;
      const prop = thisPropertyName(receiver);
      const scope = ctx.facts.scopeOf(call);
      if (context.kind === 'loop') {
        if (prop !== null) return !writtenWithin(scope, prop, 'prop', context.loop);
        const v = varName(receiver);
        return v !== null && !writtenWithin(scope, v, 'var', context.loop) && !isLoopVariable(context.loop, v);
      }
      if (prop !== null) return !writtenWithin(scope, prop, 'prop', context.kind === 'method' ? context.method : context.closure);
      if (isFactoryCall(receiver)) return true;
      const v = varName(receiver);
      if (v === null) return false;
      if (scope.captures.has(v)) return true;
      const param = scope.params.get(v);
      // A method handed the emitter configures it for its caller (`subscribe(Dispatcher $events)`,
      // an invokable provider): set-up. A per-event callback handed the server or loop is not.
      if (param) return context.kind === 'callback' && typeNames(param.type).some((t) => LONG_LIVED_TYPE.test(resolveClassName(t, param)));
      const writes = scope.accesses.filter((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign');
      return writes.length > 0 && writes.every((a) => a.via?.kind === 'assign' && isLongLivedSource(a.via.right));
    }

    function isRemoved(r: Registration, receiver: PhpNode | null, context: Context): boolean {
      // `$d->addSubscriber($x); …; $d->listeners = [];` in the same loop: its state is reset per iteration.
      const rv = varName(receiver);
      if (context.kind === 'loop' && rv !== null && ctx.facts.scopeOf(r.call).accesses.some((a) => a.storage === 'var' && a.name === rv && a.outer.parent?.kind === 'propertylookup' && a.outer.parent.parent?.kind === 'assign' && a.outer.parent.parent.left === a.outer.parent && isWithin(a.node, context.loop))) return true;
      const removal = r.kind.removal;
      if (removal.length === 0) return false;
      const where: PhpNode | null = ctx.facts.classOf(r.call)?.node ?? null;
      if (receiver === null) {
        // Global handlers: restored in the same function.
        const fn = enclosingFunction(r.call);
        return removal.some((name) => (ctx.facts.functionCalls.get(name) ?? []).some((c) => enclosingFunction(c) === fn));
      }
      const key = emitterKey(receiver, r.call);
      for (const name of removal) {
        for (const c of ctx.facts.methodCalls.get(name) ?? []) {
          if (where && !isWithin(c, where)) continue;
          const rr = callReceiver(c);
          if (!rr) continue;
          // Timers are cancelled through the handle they return, often on another receiver.
          if (r.kind.family === 'timer' || emitterKey(rr, c) === key) return true;
        }
        if (r.kind.family === 'timer') for (const c of ctx.facts.functionCalls.get(name) ?? []) if (!where || isWithin(c, where)) return true;
      }
      return false;
    }

    function emitterKey(receiver: PhpNode, at: Call): string {
      if (at.what.kind === 'staticlookup' && receiver.kind === 'name') return (resolvedName(receiver) ?? receiver.name).toLowerCase();
      return ctx.file.textOf(receiver).replace(/\s+/g, '');
    }

    function emitterText(receiver: PhpNode): string {
      const t = ctx.file.textOf(receiver).replace(/\s+/g, ' ');
      return `\`${t.length > 40 ? t.slice(0, 37) + '…' : t}\``;
    }

    function callText(call: Call): string {
      const r = callReceiver(call);
      const name = r ? ctx.file.textOf(call.what).replace(/\s+/g, '') : ctx.file.textOf(call.what);
      const first = argumentAt(call, 0);
      const arg = first && (first.kind === 'string' || first.kind === 'staticlookup' || first.kind === 'number') ? ctx.file.textOf(first) : call.arguments.length > 0 ? '…' : '';
      const short = name.length > 50 ? '…' + name.slice(-49) : name;
      return `${short}(${arg}${arg && call.arguments.length > 1 ? ', …' : ''})`;
    }

    /** How often the registration runs, without line numbers (the message: engine/identity.ts). */
    function perText(c: Context): string {
      switch (c.kind) {
        case 'loop': return 'on every iteration of a loop';
        case 'method': return `on every call of ${c.name}()`;
        case 'callback': return 'for every event';
      }
    }

    function contextText(c: Context): string {
      const line = (n: PhpNode): number => ctx.file.rangeOf(n).start.line;
      switch (c.kind) {
        case 'loop': return `on every iteration of the ${c.loop.kind} loop at line ${line(c.loop)}`;
        case 'method': return `in ${c.name}() (once per message, event or request)`;
        case 'callback': return `in a callback called for every event (line ${line(c.registrar)})`;
      }
    }
  },
});

/** A public controller action handed the request (`index(Request $request)` in a `…Controller`). */
function isControllerAction(m: Method): boolean {
  if (m.visibility === 'private' || m.visibility === 'protected') return false;
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class') return false;
  const named = (n: PhpNode | null | undefined): string => (n && n.kind === 'name' ? n.name : '');
  if (!/Controller$/.test(named(cls.extends)) && !/Controller$/.test(cls.name?.name ?? '')) return false;
  return m.arguments.some((a) => typeNames(a.type).some((t) => /(^|\\)\w*Request(Interface)?$/.test(t)));
}

function displayRemoval(lower: string): string {
  const names: Record<string, string> = {
    removelistener: 'removeListener', removealllisteners: 'removeAllListeners', removeeventlistener: 'removeEventListener',
    removesubscriber: 'removeSubscriber', forget: 'forget', canceltimer: 'cancelTimer', cancel: 'cancel', clear: 'Timer::clear',
    removereadstream: 'removeReadStream', removewritestream: 'removeWriteStream', removesignal: 'removeSignal',
    restore_error_handler: 'restore_error_handler', restore_exception_handler: 'restore_exception_handler', swoole_timer_clear: 'swoole_timer_clear',
    unsubscribe: 'unsubscribe', off: 'off', forgetpushed: 'forgetPushed',
  };
  return names[lower] ?? lower;
}

/** A callable among the arguments: a closure, `[$obj, 'm']`, `$obj->m(...)`, or (for dispatchers) a listener class/string. */
function hasCallback(call: Call, r: Registration, receiverText: string): boolean {
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

/** A flag the code sets once: `$this->x`, `self::$x`, `static::$x`, a `static` local. */
function flagText(n: PhpNode, text: (n: PhpNode) => string): string | null {
  let e = n;
  while (e.kind === 'unary' && e.type === '!') e = e.what;
  if (e.kind === 'call' && (functionName(e) === 'isset' || functionName(e) === 'empty') && e.arguments[0]) e = e.arguments[0];
  if (e.kind === 'isset' && e.variables.length === 1) e = e.variables[0]!;
  if (e.kind === 'empty') e = e.expression;
  if (e.kind === 'bin' && ['===', '==', '!==', '!='].includes(e.type)) {
    const lit = (x: PhpNode): boolean => x.kind === 'boolean' || x.kind === 'nullkeyword' || (x.kind === 'name' && /^(true|false|null)$/i.test(x.name));
    e = lit(e.left) ? e.right : lit(e.right) ? e.left : e;
  }
  if (e.kind === 'propertylookup' || e.kind === 'staticlookup' || e.kind === 'variable') return text(e);
  return null;
}

/** Flags tested by an `if` condition (`!$a && !$b`: each). */
function flagsOf(test: PhpNode, text: (n: PhpNode) => string): string[] {
  if (test.kind === 'bin' && (test.type === '&&' || test.type === '||' || test.type === 'and' || test.type === 'or')) {
    return [...flagsOf(test.left, text), ...flagsOf(test.right, text)];
  }
  const f = flagText(test, text);
  return f ? [f] : [];
}

/** Is some flag in `flags` assigned under `root`? */
function assignsFlag(root: PhpNode, flags: readonly string[], text: (n: PhpNode) => string): boolean {
  const stack: PhpNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'assign' && flags.includes(text(n.left))) return true;
    if (isFunctionLike(n) && n !== root) continue;
    stack.push(...childrenOf(n));
  }
  return false;
}

/**
 * Is the registration guarded by a once-flag: inside `if (<flag test>) { … }` whose body also
 * sets the flag, or after an early `if (<flag>) return;` in a function that sets the flag?
 */
function guardedByOnceFlag(call: Call, text: (n: PhpNode) => string): boolean {
  const fn = enclosingFunction(call);
  for (let n: PhpNode | undefined = call.parent; n && n !== fn; n = n.parent) {
    if (n.kind !== 'if') continue;
    const flags = flagsOf(n.test, text);
    if (flags.length > 0 && n.body && isWithin(call, n.body) && assignsFlag(n.body, flags, text)) return true;
  }
  if (!fn || !isFunctionLike(fn) || fn.kind === 'arrowfunc' || !fn.body) return false;
  const start = call.loc?.start.offset ?? 0;
  for (const st of fn.body.children) {
    if ((st.loc?.start.offset ?? 0) >= start) break;
    if (st.kind !== 'if' || !st.body) continue;
    const body = st.body.kind === 'block' ? st.body.children : [st.body];
    if (!body.some((b) => b.kind === 'return')) continue;
    const flags = flagsOf(st.test, text);
    if (flags.length > 0 && assignsFlag(fn.body, flags, text)) return true;
  }
  return false;
}

/** `function onFailure(callable $listener) { $this->dispatcher->addListener(…, $listener); }`: an API that registers what its caller gives. */
function forwardsParameter(call: Call): boolean {
  let fn: PhpNode | null = null;
  for (let p = call.parent; p; p = p.parent) if (isFunctionLike(p)) { fn = p; break; }
  if (!fn || !isFunctionLike(fn)) return false;
  const params = new Set(fn.arguments.map((p) => p.name?.name));
  return call.arguments.some((raw) => {
    const a = raw.kind === 'namedargument' ? raw.value : raw;
    const v = varName(a);
    return v !== null && params.has(v);
  });
}

function callbackOf(call: Call): PhpNode | null {
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
function bindsThis(cb: PhpNode): boolean {
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

/** `$this->promise->then(…)`: a callback added to a promise the object keeps. */
function thenOnKeptPromise(call: Call): boolean {
  const r = callReceiver(call);
  return r !== null && thisPropertyName(r) !== null;
}

function enclosingFunction(node: PhpNode): PhpNode | null {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return null;
}

/** Is a variable or `$this` property written inside `within` (a loop or a function)? */
function writtenWithin(scope: Scope, name: string, storage: 'var' | 'prop', within: PhpNode): boolean {
  const accesses = storage === 'prop' && scope.cls ? scope.cls.accesses : scope.accesses;
  return accesses.some((a) => a.storage === storage && a.name === name && WRITE_ROLES.has(a.role) && isWithin(a.node, within));
}

function isLoopVariable(loop: Loop, name: string): boolean {
  if (loop.kind !== 'foreach') return false;
  return [loop.key, loop.value].some((n) => n !== null && someVar(n, (v) => v === name));
}

/** Non-callback arguments must not change between iterations: else it registers different things (setup). */
function argumentsInvariant(call: Call, loop: Loop, scope: Scope): boolean {
  for (const raw of call.arguments) {
    const a = raw.kind === 'namedargument' ? raw.value : raw;
    if (a.kind === 'closure' || a.kind === 'arrowfunc') continue;
    const varies = someVar(a, (v) => v !== 'this' && (isLoopVariable(loop, v) || writtenWithin(scope, v, 'var', loop)));
    if (varies) return false;
  }
  return true;
}

/** Does any plain variable in the expression satisfy `pred`? */
function someVar(root: PhpNode, pred: (name: string) => boolean): boolean {
  const stack: PhpNode[] = [root];
  for (let i = 0; stack.length > 0 && i < 300; i++) {
    const n = stack.pop()!;
    if (isFunctionLike(n)) continue;
    const v = varName(n);
    if (v !== null && pred(v)) return true;
    stack.push(...childrenOf(n));
  }
  return false;
}

/** `app('events')`, `app()->make(…)`, `resolve(…)`, `Loop::get()`, `EventLoop::getDriver()`: process-wide objects. */
function isFactoryCall(n: PhpNode): boolean {
  if (n.kind === 'call') {
    const fn = functionName(n);
    if (fn === 'app' || fn === 'resolve' || fn === 'event') return true;
    if (n.what.kind === 'staticlookup') return true;
    const r = callReceiver(n);
    return r !== null && (isFactoryCall(r) || thisPropertyName(r) !== null || varName(r) === 'this');
  }
  if (n.kind === 'offsetlookup') return thisPropertyName(n.what) !== null || isFactoryCall(n.what);
  return false;
}

function isLongLivedSource(n: PhpNode): boolean {
  return thisPropertyName(n) !== null || isFactoryCall(n) || n.kind === 'staticlookup';
}

