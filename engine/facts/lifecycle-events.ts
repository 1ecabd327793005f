import type { Method, PhpNode } from '../nodes.js';
import type { Scope } from './scopes.js';
import { resolvedName } from './imports.js';

// A listener's handler runs once per event it listens to. When every event it declares is a
// lifecycle event of the process (the application booted, a worker started, a factory is
// ready, a command is about to run), the handler runs once per process or worker, like a
// boot() hook: what it registers is set-up, not a registration per job. Hyperf's listeners
// declare their events in `listen(): array`; Symfony subscribers in `getSubscribedEvents()`.
// Start-up methods (`boot()`, `register()`, a service provider's hooks) run once per process too:
// both are shared here, by per-job-entry.ts and by circular-reference.

/** `BootApplication`, `BeforeWorkerStart`, `AfterWorkerStart`, `MetricFactoryReady`, `BeforeHandle`, `KernelBooted`. */
const LIFECYCLE = /^(Boot|Bootstrap)|(Boot|Booted|Booting|Start|Started|Starting|Ready|Init|Initialized|Initialised|BeforeHandle)(Event)?$/;

/** Does the class of `m` declare, in `listen()`/`getSubscribedEvents()`, only lifecycle events? */
export function listensOnlyToLifecycleEvents(m: Method): boolean {
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class') return false;
  // Asked for every method of a class (each call's scope, engine/facts/call-arguments.ts): once per class.
  let v = lifecycleOnly.get(cls);
  if (v === undefined) { v = classListensOnlyToLifecycleEvents(cls); lifecycleOnly.set(cls, v); }
  return v;
}
const lifecycleOnly = new WeakMap<PhpNode, boolean>();

function classListensOnlyToLifecycleEvents(cls: Extract<PhpNode, { kind: 'class' }>): boolean {
  for (const member of cls.body) {
    if (member.kind !== 'method') continue;
    const name = (typeof member.name === 'string' ? member.name : member.name.name).toLowerCase();
    if (name !== 'listen' && name !== 'getsubscribedevents') continue;
    const events = declaredEvents(member, name === 'getsubscribedevents');
    return events !== null && events.length > 0 && events.every((e) => LIFECYCLE.test(e));
  }
  return false;
}

/** Short class names of the events a `return [X::class, …]` (or `[X::class => 'method']`) declares; null when not that plain. */
function declaredEvents(m: Method, keys: boolean): string[] | null {
  const body = m.body?.children ?? [];
  if (body.length !== 1 || body[0]!.kind !== 'return' || body[0]!.expr?.kind !== 'array') return null;
  const out: string[] = [];
  for (const item of body[0]!.expr.items) {
    if (item.kind !== 'entry') return null;
    const e = keys ? item.key : item.key === null ? item.value : null;
    if (!e || e.kind !== 'staticlookup' || e.offset.kind !== 'identifier' || e.offset.name.toLowerCase() !== 'class' || e.what.kind !== 'name') return null;
    out.push((resolvedName(e.what) ?? e.what.name).replace(/^.*\\/, ''));
  }
  return out;
}

/**
 * Start-up code, which runs once per process: `boot()`, `bootLaravel()`, `bootstrap…()`,
 * `install…()`, `setUp…()`, `initialize…()`, and `register()`/`configure()` themselves (not
 * `registerRpc()`, which a factory may call per connection); a service provider's
 * `register…()`/`boot…()`.
 */
const ONCE_PER_PROCESS = /^(boot|bootstrap|install|setUp|setup|initiali[sz]e)(?=[A-Z_]|$)|^(register|configure)$/;

/** Is the function or method around `scope` start-up code that runs once per process (by its name, or a handler of lifecycle events only)? */
export function runsOncePerProcess(scope: Scope): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (s.kind !== 'method' && s.kind !== 'function') continue;
    const name = writtenName(s.node);
    if (ONCE_PER_PROCESS.test(name)) return true;
    if (s.node.kind === 'method' && listensOnlyToLifecycleEvents(s.node)) return true;
    return !!s.cls && /ServiceProvider$/.test(s.cls.name ?? '') && /^(register|boot)/.test(name);
  }
  return false;
}

/** The name as written (scopes keep it lower-cased; camelCase tells `bootLaravel` from `booted`). */
function writtenName(n: PhpNode): string {
  const name = (n as { name?: string | { name?: string } | null }).name;
  return typeof name === 'string' ? name : name?.name ?? '';
}
