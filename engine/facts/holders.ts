import type { Call, PhpNode } from '../nodes.js';
import { storageOf } from './access.js';
import { callReceiver, thisPropertyName, varName } from './names.js';
import type { ClassFacts, Scope } from './scopes.js';
import type { Facts } from './index.js';

// "Where does this object end up?" — the variables, properties and receivers that hold a value
// created by an expression (`$h = new X`, `$logger->pushHandler(new X)`, `new Logger('a', [new X])`),
// followed through local variables of the same function. Rules use it to find whether the code
// that holds an object ever calls a cleanup method on it. Decide at `program:exit`.

export type Holder =
  | { kind: 'var'; name: string; scope: Scope; node: PhpNode }
  | { kind: 'prop'; name: string; cls: ClassFacts | null; node: PhpNode }
  | { kind: 'static-prop'; name: string; cls: string; node: PhpNode }
  /** An object built around the value (`new Logger('app', [$value])`) or a receiver we cannot name. */
  | { kind: 'object'; node: PhpNode };

export interface Flow {
  holders: Holder[];
  /** Returned from its function (the caller holds it). */
  returned: boolean;
  /** Passed to a plain function or static call we do not follow. */
  passedTo: Call[];
}

const MAX_STEPS = 64;

/** Where the value of `expr` goes: its holders, whether it is returned or handed to other code. */
export function flowOf(expr: PhpNode, facts: Facts): Flow {
  const flow: Flow = { holders: [], returned: false, passedTo: [] };
  const seenVars = new Set<string>();
  const queue: PhpNode[] = [expr];
  let steps = 0;
  while (queue.length > 0 && steps++ < MAX_STEPS) climb(queue.shift()!);
  return flow;

  function climb(start: PhpNode): void {
    let n = start;
    for (let i = 0; i < 16; i++) {
      const p = n.parent;
      if (!p) return;
      switch (p.kind) {
        case 'assign':
          if (p.right !== n) return;
          if (p.operator === '=' || p.operator === '??=') hold(p.left);
          n = p;
          continue;
        case 'entry':
          if (p.value !== n) return;
          n = p;
          continue;
        case 'array': case 'namedargument': case 'retif': case 'cast': case 'silent':
          n = p;
          continue;
        case 'bin':
          if (p.type !== '??' && p.type !== '?:') return;
          n = p;
          continue;
        case 'new':
          if (!p.arguments.includes(n)) return;
          flow.holders.push({ kind: 'object', node: p });
          n = p;
          continue;
        case 'call': {
          if (!p.arguments.includes(n)) return;
          const r = callReceiver(p);
          if (r && p.what.kind !== 'staticlookup') hold(r);
          else flow.passedTo.push(p);
          return;
        }
        case 'return':
          flow.returned = true;
          return;
        case 'arrowfunc':
          if (p.body === n) flow.returned = true;
          return;
        default:
          return;
      }
    }
  }

  /** Record `target` (an assignment target or a receiver) as a holder; follow local variables. */
  function hold(target: PhpNode): void {
    // `$this->handlers[] = $h` / `$list[$k] = $h`: the base storage holds it.
    let base = target;
    while (base.kind === 'offsetlookup') base = base.what;
    const id = storageOf(base);
    if (!id) {
      flow.holders.push({ kind: 'object', node: target });
      return;
    }
    if (id.storage === 'prop') {
      flow.holders.push({ kind: 'prop', name: id.name, cls: facts.classOf(base), node: base });
      return;
    }
    if (id.storage === 'static-prop') {
      flow.holders.push({ kind: 'static-prop', name: id.name, cls: id.cls ?? '', node: base });
      return;
    }
    const scope = facts.scopeOf(base);
    flow.holders.push({ kind: 'var', name: id.name, scope, node: base });
    const key = `${scope.node.loc?.start.offset ?? -1}:${id.name}`;
    if (seenVars.has(key)) return;
    seenVars.add(key);
    // Every read of the variable in its function passes the same object on.
    for (const a of scope.accesses) {
      if (a.storage === 'var' && a.name === id.name && a.role === 'read' && a.node !== base) queue.push(a.outer);
    }
  }
}

/** Is `receiver` (a call's receiver) the same storage as `holder`, seen from `at`? */
export function receiverIsHolder(receiver: PhpNode, holder: Holder, at: PhpNode, facts: Facts): boolean {
  switch (holder.kind) {
    case 'var': {
      if (varName(receiver) !== holder.name) return false;
      // The same function, or a closure inside it that captures the variable.
      for (let s: Scope | null = facts.scopeOf(at); s; s = s.parent) {
        if (s === holder.scope) return true;
        if (!s.captures.has(holder.name)) return false;
      }
      return false;
    }
    case 'prop':
      return thisPropertyName(receiver) === holder.name && (holder.cls === null || facts.classOf(at) === holder.cls);
    case 'static-prop': {
      const id = storageOf(receiver);
      return id !== null && id.storage === 'static-prop' && id.name === holder.name;
    }
    case 'object':
      return false;
  }
}
