import type { Access } from '../engine/facts/access.js';
import { isEntryEviction, isReset, keyChain, ownMethodCalls } from '../engine/facts/array-growth.js';
import { importsAt } from '../engine/facts/imports.js';
import { closestAncestor, typeNames, varName, type ClassFacts, type Facts } from '../engine/facts/index.js';
import { definitionObject } from '../engine/facts/key-provenance.js';
import { functionName, methodName } from '../engine/facts/names.js';
import type { Method, PhpNode } from '../engine/nodes.js';

// A static registry of objects handed to a public method, each stored under its own identity
// (`static::$blocks[$block->id()] = $block`), that the class empties only in a method of its own
// (`clearBlocks()`): the class says its entries are transient (one render, one request), and
// relies on its callers to drop them. Under PHP-FPM the process ends with the request; in a
// worker every object ever registered stays until some code calls the reset. Whether some code
// does is a project fact: the finding names the reset in `unlessCalled`, and the cross-file pass
// drops it when another file calls it (engine/project-index.ts).

export interface TransientRegistry {
  write: Access;
  /** The stored parameter, without `$`. */
  param: string;
  /** The method that empties the registry, as written. */
  reset: string;
  resetAccess: Access;
  /**
   * The calls that would answer the finding, for `unlessCalled`: `fqn::method`, and for an
   * instance method also `->method` (the index does not type receivers). A static reset counts
   * only called by its class: `->flush()` on anything else (an entity manager) is not it.
   */
  resetCalls: string[];
}

const SCALAR = new Set(['array', 'string', 'int', 'float', 'bool', 'mixed', 'object', 'iterable', 'callable', 'closure', 'null', 'false', 'true', 'self', 'static']);

/** The write of such a registry, or null. Only for static properties: an instance registry goes with its object. */
export function transientRegistry(facts: Facts, cls: ClassFacts, accesses: readonly Access[]): TransientRegistry | null {
  if (accesses.some(isEntryEviction)) return null;
  const resetAccess = accesses.find((a) => isReset(a) && isPublicMethod(methodOf(a.node)) && methodOf(a.node)?.name.name.toLowerCase() !== '__construct');
  const resetMethod = resetAccess ? methodOf(resetAccess.node) : null;
  if (!resetAccess || !resetMethod || !cls.name) return null;
  // The class calls its reset itself (after rendering what it holds): it decides when entries go.
  const reset = resetMethod.name.name.toLowerCase();
  if ([...cls.methods.values()].some((m) => m !== resetMethod && m.body && ownMethodCalls(m.body).includes(reset))) return null;
  for (const w of accesses) {
    if (w.role !== 'keyed' || w.depth !== 1 || w.via?.kind !== 'assign' || w.via.operator !== '=') continue;
    const m = methodOf(w.node);
    if (!m || m === resetMethod || !isPublicMethod(m)) continue;
    const value = w.via.right;
    const param = varName(value);
    const declared = param ? m.arguments.find((p) => p.name?.name === param) : undefined;
    if (!param || !declared || !isObjectType(declared.type)) continue;
    // A definition of the code (an entity type, a route, a field) is registered as many times as the code has them.
    if (definitionObject(value, facts)) continue;
    const key = keyChain(w)[0];
    if (!key || !isOwnIdentity(key, param)) continue;
    const ns = importsAt(cls.node).namespace;
    const fqn = ns ? `${ns}\\${cls.name}` : cls.name;
    const name = resetMethod.name.name.toLowerCase();
    const resetCalls = resetMethod.isStatic ? [`${fqn.toLowerCase()}::${name}`] : [`${fqn.toLowerCase()}::${name}`, `->${name}`];
    return { write: w, param, reset: resetMethod.name.name, resetAccess, resetCalls };
  }
  return null;
}

/** `$block->id()`, `$block->getId()`, `$block->id`, `spl_object_id($block)`: the stored object's own identity. */
function isOwnIdentity(key: PhpNode, param: string): boolean {
  if (key.kind === 'call') {
    const fn = functionName(key);
    if (fn === 'spl_object_id' || fn === 'spl_object_hash') return varName(key.arguments[0]) === param;
    const m = methodName(key);
    const w = key.what;
    return !!m && /^(get)?(id|uuid|hash)$/i.test(m) && (w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup') && varName(w.what) === param && key.arguments.length === 0;
  }
  return (key.kind === 'propertylookup' || key.kind === 'nullsafepropertylookup') && key.offset.kind === 'identifier'
    && /^(id|uuid)$/i.test(key.offset.name) && varName(key.what) === param;
}

function isObjectType(type: PhpNode | null | undefined): boolean {
  const names = typeNames(type ?? null).map((t) => t.replace(/^\\/, '').toLowerCase());
  return names.length > 0 && names.every((t) => !SCALAR.has(t));
}

function methodOf(n: PhpNode): Method | null {
  return closestAncestor(n, (p) => p.kind === 'method', true) as Method | null;
}

function isPublicMethod(m: Method | null): m is Method {
  return !!m && (m.visibility === '' || m.visibility === 'public');
}
