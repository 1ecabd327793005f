import { isFunctionLike, type Call, type Loop, type Method, type Parameter, type PhpNode } from '../engine/nodes.js';
import { WRITE_ROLES, callReceiver, functionName, isWithin, thisPropertyName, typeNames, varName, type Scope } from '../engine/facts/index.js';
import { childrenOf } from '../engine/walk.js';

// listener-in-loop's questions about one call or one scope: is the emitter handed in, does an
// argument change per iteration, is a value one of the process's objects.

/**
 * A connection handed to a per-request method together with the request: a keep-alive
 * connection (or a database connection) carries many requests, so what is registered on it per
 * request piles up for as long as it stays open.
 */
export function carriesManyRequests(param: Parameter, method: Method): boolean {
  const isConnection = typeNames(param.type).some((t) => /(^|\\)\w*Connection(Interface)?$/.test(t)) || /^conn(ection)?$/i.test(param.name?.name ?? '');
  if (!isConnection) return false;
  return method.arguments.some((a) => a !== param && (typeNames(a.type).some((t) => /(^|\\)\w*Request(Interface)?$/.test(t)) || /^request$/i.test(a.name?.name ?? '')));
}

/** `function onFailure(callable $listener) { $this->dispatcher->addListener(…, $listener); }`: an API that registers what its caller gives. */
export function forwardsParameter(call: Call): boolean {
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

/** `$this->promise->then(…)`: a callback added to a promise the object keeps. */
export function thenOnKeptPromise(call: Call): boolean {
  const r = callReceiver(call);
  return r !== null && thisPropertyName(r) !== null;
}

export function enclosingFunction(node: PhpNode): PhpNode | null {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return null;
}

/** Is a variable or `$this` property written inside `within` (a loop or a function)? */
export function writtenWithin(scope: Scope, name: string, storage: 'var' | 'prop', within: PhpNode): boolean {
  const accesses = storage === 'prop' && scope.cls ? scope.cls.accesses : scope.accesses;
  return accesses.some((a) => a.storage === storage && a.name === name && WRITE_ROLES.has(a.role) && isWithin(a.node, within));
}

export function isLoopVariable(loop: Loop, name: string): boolean {
  if (loop.kind !== 'foreach') return false;
  return [loop.key, loop.value].some((n) => n !== null && someVar(n, (v) => v === name));
}

/** Non-callback arguments must not change between iterations: else it registers different things (setup). */
export function argumentsInvariant(call: Call, loop: Loop, scope: Scope): boolean {
  for (const raw of call.arguments) {
    const a = raw.kind === 'namedargument' ? raw.value : raw;
    if (a.kind === 'closure' || a.kind === 'arrowfunc') continue;
    const varies = someVar(a, (v) => v !== 'this' && (isLoopVariable(loop, v) || writtenWithin(scope, v, 'var', loop)));
    if (varies) return false;
  }
  return true;
}

/** Does any plain variable in the expression satisfy `pred`? */
export function someVar(root: PhpNode, pred: (name: string) => boolean): boolean {
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
export function isFactoryCall(n: PhpNode): boolean {
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

export function isLongLivedSource(n: PhpNode): boolean {
  return thisPropertyName(n) !== null || isFactoryCall(n) || n.kind === 'staticlookup';
}

