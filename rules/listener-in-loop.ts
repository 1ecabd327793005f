import { type Assign, type Call, type FunctionLike, type Loop, type Method, type PhpNode } from '../engine/nodes.js';
import {
  argumentAt, callReceiver, enclosingLoops, functionName, isWithin, methodName, staticProperty, thisPropertyName, typeNames, varName,
  type Scope,
} from '../engine/facts/index.js';
import { resolveClassName, resolvedName } from '../engine/facts/imports.js';
import { lifetimeOf } from '../engine/facts/lifetime.js';
import { firstRunBranch, guardedByOnceFlag } from '../engine/facts/once-guard.js';
import { isPerJobMethod, perEventRegistrar, perRequestConstructor, perResolutionRegistrar } from '../engine/facts/per-job-entry.js';
import { calledOnlyByOwnConstructor } from '../engine/facts/repetition.js';
import {
  HUB_NAME, bindsThis, callbackOf, displayRemoval, hasCallback, ownKeeperMethod, receiverName, registrationOf, staticRegistryOf, type Registration, type RegistrationKind,
} from '../engine/facts/registrations.js';
import { defineRule } from '../engine/rule.js';
import {
  carriesManyRequests, forwardsParameter, thenOnKeptPromise, enclosingFunction, writtenWithin, isLoopVariable, argumentsInvariant, isFactoryCall, isLongLivedSource,
} from './listener-in-loop-scope.js';

// Registering a listener, timer or callback is a one-time act: the emitter keeps it until it is
// removed. Done per loop iteration, per message or per request on an emitter that outlives the
// job (the event loop, the app's dispatcher, an injected service), every job adds one more.

/** Long-lived receivers passed as parameters: an event loop or a dispatcher. */
const LONG_LIVED_TYPE = /(^|\\)(LoopInterface|Loop|EventLoop|EventDispatcherInterface|EventDispatcher|Dispatcher|EventEmitterInterface|EventEmitter|Server)$/;

/** Types of what a per-request object's constructor or a resolver closure is handed: the process's hubs. */
const HUB_TYPE = /(^|\\)(Application|Container|ContainerInterface|Dispatcher|EventDispatcherInterface|EventDispatcher|EventManager|EventManagerInterface|LoopInterface|EventEmitterInterface|EventEmitter|Gate)$/;

const UNIT: Record<Context['kind'], string> = { loop: 'iteration', method: 'call', callback: 'event', constructor: 'instance', resolution: 'resolution', rerun: 'call', instance: 'instance' };

/** A callback handed to a method of the same class that keeps it (`$this->after('start', fn …)`). */
const OWN_KEEPER: RegistrationKind = { family: 'hook', what: 'callback', removal: [], receiver: /^this$/ };

/** Lists of callbacks (`$callbacks`, `$terminatingCallbacks`, `$listeners`, `$hooks`, `$observers`). */
const CALLBACK_LIST = /(callbacks|listeners|hooks|observers|subscribers|handlers)$/i;

type Context =
  | { kind: 'loop'; loop: Loop }
  | { kind: 'method'; method: Method; name: string }
  | { kind: 'callback'; closure: FunctionLike; registrar: PhpNode }
  /** The constructor of an object made per request (a middleware, a component): `what` says which. */
  | { kind: 'constructor'; method: Method; what: string }
  /** A closure the container runs on every resolution (`bind`, `factory`, `resolving`). */
  | { kind: 'resolution'; closure: FunctionLike; registrar: PhpNode }
  /** A method whose own first-run flag (`if (!$this->started) { …; $this->started = true; }`) shows it runs again on the same object. */
  | { kind: 'rerun'; method: Method; name: string; flag: string; test: PhpNode }
  /** An instance method of a class made per operation (a builder), adding to a process-wide registry. */
  | { kind: 'instance'; method: Method; name: string; cls: string; why: string };

export default defineRule({
  meta: {
    id: 'listener-in-loop',
    severity: 'warning',
    // Kept from one request or job to the next: a one-shot script gives it back when it exits.
    silentInOneShot: true,
    fixable: 'never',
    description: 'Listeners, timers or callbacks registered per iteration/message on a long-lived emitter and never removed.',
    messages: {
      registered: '`{{call}}` adds {{a}} {{what}} {{per}}, never removed',
      registeredThis: '`{{call}}` adds {{a}} {{what}} {{per}}, never removed',
      pushed: '`{{target}}[] = …` adds a callback {{per}} to a list kept for the whole process',
    },
    details: {
      pushed: '`{{target}}[] = …` runs {{context}} and appends a callback to `{{target}}`, a list kept by {{owner}} for as long as the process lives; nothing takes it out, so the list holds one more per {{unit}}, each with everything its closure captures.',
      registered: '`{{call}}` runs {{context}} and adds {{a}} {{what}} to {{emitter}} each time; nothing removes them{{removal}}, so {{emitter}} holds one more per {{unit}}{{effect}}, for as long as it lives.',
      registeredThis: '`{{call}}` runs {{context}} and adds {{a}} {{what}} to {{emitter}} each time; nothing removes them{{removal}}, so {{emitter}} holds one more per {{unit}}{{effect}}, for as long as it lives. The callback is bound to `$this` ({{cls}}), so each one also keeps that object and everything it references alive.',
    },
    tips: {
      pushed: 'Add it once, at start-up (or behind a once-flag), or take it out of `{{target}}` when the {{unit}} is done.',
      registered: 'Register it once, at start-up (a constructor, a service provider\'s boot(), before the loop), or remove it when the {{unit}} is done ({{removeHint}}).',
      registeredThis: 'Register it once, at start-up, or remove it when the {{unit}} is done ({{removeHint}}); a `static function` (or `static fn`) does not capture `$this`.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    if (ctx.isTestFile) return {};
    const regs: Registration[] = [];
    /** Registrations on a class-level registry: per instance of a per-operation class counts as repetition. */
    const processWide = new Set<Call>();
    const pushes: { node: Assign; target: string; owner: string }[] = [];
    return {
      call(node) {
        const r = registrationOf(node);
        if (r) regs.push(r);
        else if (callbackOf(node) && ownKeeperMethod(node, ctx.facts.classOf(node)?.methods ?? new Map())) regs.push({ call: node, kind: OWN_KEEPER, name: methodName(node) ?? '' });
        else {
          const sr = staticRegistryOf(node);
          if (sr && callbackOf(node)) { regs.push(sr); processWide.add(node); }
        }
      },
      assign(node) {
        const p = callbackPush(node);
        if (p) pushes.push({ node, ...p });
      },
      'program:exit'() {
        for (const r of regs) check(r);
        for (const p of pushes) checkPush(p.node, p.target, p.owner);
      },
    };

    /** `Hooks::$callbacks[] = fn …` / `$this->app->terminatingCallbacks[] = …` in per-job code. */
    function checkPush(node: Assign, target: string, owner: string): void {
      if (guardedByOnceFlag(node, ctx.file.textOf.bind(ctx.file))) return;
      const context = contextOf(node, true);
      if (!context || context.kind === 'loop') return;
      ctx.report({
        at: node, messageId: 'pushed',
        data: { target, owner, per: perText(context), context: contextText(context), unit: UNIT[context.kind] },
      });
    }

    /** An append of a callable onto a callbacks list of a class (static) or of a hub. */
    function callbackPush(node: Assign): { target: string; owner: string } | null {
      if (node.operator !== '=' || node.left.kind !== 'offsetlookup' || node.left.offset) return null;
      const right = node.right;
      if (!(right.kind === 'closure' || right.kind === 'arrowfunc' || (right.kind === 'call' && right.arguments.length === 1 && right.arguments[0]!.kind === 'variadicplaceholder'))) return null;
      const list = node.left.what;
      const sp = staticProperty(list);
      if (sp && sp.cls !== 'parent' && CALLBACK_LIST.test(sp.name)) return { target: ctx.file.textOf(list), owner: 'the class' };
      if ((list.kind === 'propertylookup' || list.kind === 'nullsafepropertylookup') && list.offset.kind === 'identifier' && CALLBACK_LIST.test(list.offset.name)) {
        if (varName(list.what) === 'this' || !HUB_NAME.test(receiverName(list.what) ?? '')) return null;
        return { target: ctx.file.textOf(list).replace(/\s+/g, ''), owner: `\`${ctx.file.textOf(list.what).replace(/\s+/g, '')}\`` };
      }
      return null;
    }

    function check(r: Registration): void {
      const { call, kind } = r;
      if (!hasCallback(r, ctx.file.textOf(callReceiver(call) ?? call.what))) return;
      if (forwardsParameter(call)) return;
      // `if (!$this->registered) { register_shutdown_function(…); $this->registered = true; }`:
      // once per object or process, not each time the method runs (monolog's BufferHandler).
      if (guardedByOnceFlag(call, ctx.file.textOf.bind(ctx.file))) return;
      if (kind.family === 'then' && !thenOnKeptPromise(call)) return;
      // Lifecycle hooks and the verbs trusted only on a hub (`booted`, `attach`, `once`) are
      // registered in set-up loops over configuration (one per disk, per command path): a loop
      // counts only inside code that itself runs per job.
      const context = contextOf(call, kind.receiver !== undefined);
      if (!context) return;
      // A class-level registry's verbs (`addHook`, `registerLoader`) are trusted only per instance
      // of a per-operation class: in a loop or a handler, the registry may be rebuilt per run.
      if (processWide.has(call) && context.kind !== 'instance') return;
      const receiver = callReceiver(call);
      if (!longLived(receiver, call, context)) return;
      // Every call of a global registration adds one; elsewhere arguments that change per iteration are set-up.
      if (context.kind === 'loop' && kind.family !== 'handler' && !argumentsInvariant(call, context.loop, ctx.facts.scopeOf(call))) return;
      if (isRemoved(r, receiver, context)) return;
      const emitter = receiver === null ? 'PHP' : processWide.has(call) ? `the process-wide registry \`${ctx.file.textOf(receiver).replace(/^.*\\/, '')}\``
        : call.what.kind === 'staticlookup'
        ? `the ${kind.family === 'timer' ? 'event loop' : 'dispatcher'} behind \`${ctx.file.textOf(receiver).replace(/^.*\\/, '')}::\``
        : emitterText(receiver);
      const cb = callbackOf(call);
      const boundThis = cb !== null && bindsThis(cb);
      const cls = ctx.facts.classOf(call);
      const unit = UNIT[context.kind];
      const effect = kind.family === 'timer' ? ' (each keeps firing)' : kind.family === 'then' ? ' (held until the promise settles)'
        : kind.what === 'one-shot listener' ? ' (each kept until its event fires)' : kind.family === 'listener' ? ' (each runs on every event)'
          : kind.family === 'hook' ? ' (each kept with everything its callback captures)' : '';
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
          : context.kind === 'callback' ? [{ at: context.registrar, message: 'this callback runs for every event' }]
            : context.kind === 'resolution' ? [{ at: context.registrar, message: 'the container runs this closure on every resolution' }]
              : context.kind === 'rerun' ? [{ at: context.test, message: 'the first-run flag: everything after this branch runs on every later call' }] : [],
      });
    }

    /** Where the registration repeats: the innermost loop, a per-message method, or a per-event callback. */
    function contextOf(call: PhpNode, loopNeedsJob = false): Context | null {
      const loops = enclosingLoops(call);
      if (loops.length > 0 && !loopNeedsJob) return { kind: 'loop', loop: loops[0]! };
      for (let p = call.parent; p; p = p.parent) {
        if (p.kind === 'closure' || p.kind === 'arrowfunc') {
          const registrar = perEventRegistrar(p);
          if (registrar) return { kind: 'callback', closure: p, registrar };
          const resolver = perResolutionRegistrar(p);
          if (resolver) return { kind: 'resolution', closure: p, registrar: resolver };
          continue; // an inline closure called once: look further out
        }
        if (p.kind === 'method') {
          const perRequest = perRequestConstructor(p);
          if (perRequest) return { kind: 'constructor', method: p, what: perRequest };
          const name = typeof p.name === 'string' ? p.name : p.name.name;
          if (!isPerJobMethod(p, ctx.facts)) {
            // An initializer only the constructor calls runs once per object: a flag it tests (`if
            // (null === $this->enabled)`) is a lazy setting, not a sign that it runs again.
            if (calledOnlyByOwnConstructor(p, ctx.facts)) return null;
            const first = firstRunBranch(call, ctx.file.textOf.bind(ctx.file));
            if (first) return { kind: 'rerun', method: p, name, flag: first.flag, test: first.test };
            const cls = ctx.facts.classOf(p);
            if (!p.isStatic && cls?.name && call.kind === 'call' && processWide.has(call)) {
              const life = lifetimeOf(cls, ctx.facts, ctx.longRunning);
              if (life.lifetime === 'operation') return { kind: 'instance', method: p, name, cls: cls.name, why: life.why };
            }
            return null;
          }
          return { kind: 'method', method: p, name };
        }
        if (p.kind === 'function') return null;
      }
      return null;
    }

    /** Does the emitter outlive one iteration/job? */
    function longLived(receiver: PhpNode | null, call: Call, context: Context): boolean {
      if (receiver === null) return true; // a global function: the runtime itself
      if (call.what.kind === 'staticlookup') return receiver.kind === 'name' || receiver.kind === 'selfreference' || receiver.kind === 'staticreference';
      // Only the object's own keeper methods, and only where its first-run flag proves it is reused.
      if (varName(receiver) === 'this') return context.kind === 'rerun' && ownKeeperMethod(call, ctx.facts.classOf(call)?.methods ?? new Map());
      const prop = thisPropertyName(receiver);
      const scope = ctx.facts.scopeOf(call);
      if (context.kind === 'loop') {
        if (prop !== null) return !writtenWithin(scope, prop, 'prop', context.loop);
        const v = varName(receiver);
        if (v === null || writtenWithin(scope, v, 'var', context.loop) || isLoopVariable(context.loop, v)) return false;
        // An emitter the method is handed (a form builder in `buildForm($builder, …)`) dies with the
        // operation it was made for, unless its name or type says it is one of the process's hubs.
        const param = scope.params.get(v);
        if (param) return HUB_NAME.test(v) || typeNames(param.type).some((t) => HUB_TYPE.test(resolveClassName(t, param)) || LONG_LIVED_TYPE.test(resolveClassName(t, param)));
        return true;
      }
      if (context.kind === 'constructor' || context.kind === 'resolution') return handedHub(receiver, scope);
      if (prop !== null) return !writtenWithin(scope, prop, 'prop', context.kind === 'callback' ? context.closure : context.method);
      if (isFactoryCall(receiver)) return true;
      const v = varName(receiver);
      if (v === null) return false;
      if (scope.captures.has(v)) return true;
      const param = scope.params.get(v);
      // A method handed the emitter configures it for its caller (`subscribe(Dispatcher $events)`,
      // an invokable provider): set-up. A per-event callback handed the server or loop is not.
      if (param) {
        if (context.kind === 'method' && carriesManyRequests(param, context.method)) return true;
        return context.kind === 'callback' && typeNames(param.type).some((t) => LONG_LIVED_TYPE.test(resolveClassName(t, param)));
      }
      const writes = scope.accesses.filter((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign');
      return writes.length > 0 && writes.every((a) => a.via?.kind === 'assign' && isLongLivedSource(a.via.right));
    }

    /**
     * In a per-request constructor or a resolver closure, the hubs are what the code is handed:
     * `$this->events` / `$events` typed or named as the app, container, dispatcher, event manager
     * or loop; `$app['events']`, `$app->make('events')`, `app()`, facades.
     */
    function handedHub(receiver: PhpNode, scope: Scope): boolean {
      let base: PhpNode = receiver;
      while (base.kind === 'offsetlookup' || (base.kind === 'call' && callReceiver(base) !== null)) base = base.kind === 'offsetlookup' ? base.what : callReceiver(base)!;
      if (base.kind === 'call') return functionName(base) === 'app' || functionName(base) === 'resolve';
      const prop = thisPropertyName(base);
      if (prop !== null) {
        // An emitter the object makes itself dies with it.
        if (scope.cls?.accesses.some((a) => a.storage === 'prop' && a.name === prop && a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind === 'new')) return false;
        const decl = scope.cls?.properties.get(prop);
        const promoted = scope.cls?.methods.get('__construct')?.arguments.find((a) => a.name?.name === prop);
        const typeNode = promoted?.type ?? (decl?.statement as { type?: PhpNode } | undefined)?.type;
        return HUB_NAME.test(prop) || typeNames(typeNode).some((t) => HUB_TYPE.test(resolveClassName(t, base)));
      }
      const v = varName(base);
      if (v === null || v === 'this') return false;
      const param = scope.params.get(v);
      if (param) return HUB_NAME.test(v) || typeNames(param.type).some((t) => HUB_TYPE.test(resolveClassName(t, param)));
      return scope.captures.has(v) && HUB_NAME.test(v);
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
        case 'constructor': return 'per instance of a per-request class';
        case 'resolution': return 'on every resolution from the container';
        case 'rerun': return `on every call of ${c.name}() after the first`;
        case 'instance': return `for every ${c.cls} that runs ${c.name}()`;
      }
    }

    function contextText(c: Context): string {
      const line = (n: PhpNode): number => ctx.file.rangeOf(n).start.line;
      switch (c.kind) {
        case 'loop': return `on every iteration of the ${c.loop.kind} loop at line ${line(c.loop)}`;
        case 'method': return `in ${c.name}() (once per message, event or request)`;
        case 'callback': return `in a callback called for every event (line ${line(c.registrar)})`;
        case 'constructor': return `in the constructor of ${c.what}`;
        case 'resolution': return `in a closure the container runs on every resolution (line ${line(c.registrar)})`;
        case 'instance': return `in ${c.name}() of ${c.cls} (${c.why}), so once per instance, on a registry that lives as long as the process,`;
        case 'rerun': return `in ${c.name}() after the branch that sets its first-run flag \`${c.flag}\` (line ${line(c.test)}), so on every call but the first on the same object,`;
      }
    }
  },
});
