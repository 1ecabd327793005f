import type { Call, Parameter, PhpNode } from '../nodes.js';
import { methodName, varName } from './names.js';
import type { Scope } from './scopes.js';

// A private or protected method's parameter holds what its class passes at each call: the
// key facts (key-provenance, key-sources, call-arguments) follow it there.

/** `$this->m()`, `self::m()`, `static::m()`. */
export function isOwnCall(call: Call): boolean {
  const w = call.what;
  if (w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup' && w.kind !== 'staticlookup') return false;
  return varName(w.what) === 'this' || w.what.kind === 'selfreference' || w.what.kind === 'staticreference';
}

/**
 * The class's own calls of the private or protected method `scope`, with the argument each
 * passes for `param` (undefined where the call leaves it to its default). Null for a public
 * method, a function or a parameter of another scope: their callers are not all in the class.
 */
export function ownCallArguments(scope: Scope, param: Parameter): { call: Call; arg: PhpNode | undefined }[] | null {
  const m = scope.node;
  if (m.kind !== 'method' || (m.visibility !== 'private' && m.visibility !== 'protected') || !scope.cls) return null;
  const index = m.arguments.indexOf(param);
  if (index < 0) return null;
  const name = m.name.name.toLowerCase();
  const out: { call: Call; arg: PhpNode | undefined }[] = [];
  for (const sc of scope.cls.scopes) {
    for (const call of sc.calls) {
      if (isOwnCall(call) && methodName(call)?.toLowerCase() === name) out.push({ call, arg: call.arguments[index] });
    }
  }
  return out;
}
