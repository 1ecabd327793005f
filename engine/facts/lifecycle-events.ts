import type { Method, PhpNode } from '../nodes.js';
import { resolvedName } from './imports.js';

// A listener's handler runs once per event it listens to. When every event it declares is a
// lifecycle event of the process (the application booted, a worker started, a factory is
// ready, a command is about to run), the handler runs once per process or worker, like a
// boot() hook: what it registers is set-up, not a registration per job. Hyperf's listeners
// declare their events in `listen(): array`; Symfony subscribers in `getSubscribedEvents()`.

/** `BootApplication`, `BeforeWorkerStart`, `AfterWorkerStart`, `MetricFactoryReady`, `BeforeHandle`, `KernelBooted`. */
const LIFECYCLE = /^(Boot|Bootstrap)|(Boot|Booted|Booting|Start|Started|Starting|Ready|Init|Initialized|Initialised|BeforeHandle)(Event)?$/;

/** Does the class of `m` declare, in `listen()`/`getSubscribedEvents()`, only lifecycle events? */
export function listensOnlyToLifecycleEvents(m: Method): boolean {
  let cls: PhpNode | undefined = m.parent;
  while (cls && cls.kind !== 'class') cls = cls.parent;
  if (!cls || cls.kind !== 'class') return false;
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
