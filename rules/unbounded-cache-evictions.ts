import type { Access } from '../engine/facts/access.js';
import { keyChain } from '../engine/facts/array-growth.js';
import { varName, type Facts } from '../engine/facts/index.js';
import type { PhpNode } from '../engine/nodes.js';
import type { SourceFile } from '../engine/source.js';

// An eviction is a bound only when it removes what the cache stores. `unset($c[$k])` of another
// key than the one written (the validated form's hash, while the write stores under its root
// form's hash) leaves every written entry in place.

/**
 * Does the `unset()` remove the entry of another key than the one written: the same key function
 * applied to another value (`unset($c[spl_object_hash($form)])` while the write stores under
 * `spl_object_hash($form->getRoot())`)? Then the written entries are never evicted.
 */
export function evictsAnotherKey(facts: Facts, file: SourceFile, eviction: Access, writes: readonly Access[]): boolean {
  if (eviction.role !== 'unset-element') return false;
  const key = keyChain(eviction)[0];
  if (!key) return false;
  const gone = resolvedKey(facts, key);
  return writes.every((w) => {
    const k = keyChain(w)[0];
    if (!k) return false;
    const written = resolvedKey(facts, k);
    if (gone.kind !== 'call' || written.kind !== 'call') return false;
    const f = keyFunction(gone);
    return f !== null && f === keyFunction(written) && file.textOf(gone).replace(/\s+/g, '') !== file.textOf(written).replace(/\s+/g, '');
  });
}

/** `spl_object_hash`, `->getId`: the function a key is computed by, lower-cased. */
function keyFunction(call: Extract<PhpNode, { kind: 'call' }>): string | null {
  const w = call.what;
  if (w.kind === 'name') return String(w.name).replace(/^\\/, '').toLowerCase();
  if ((w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup' || w.kind === 'staticlookup') && w.offset.kind === 'identifier') return `->${w.offset.name.toLowerCase()}`;
  return null;
}

/** A local key variable assigned once (`$rootHash = spl_object_hash($root)`): what it is assigned; else the key itself. */
export function resolvedKey(facts: Facts, key: PhpNode): PhpNode {
  const name = varName(key);
  if (!name || key.kind !== 'variable') return key;
  const scope = facts.scopeOf(key);
  if (scope.params.has(name)) return key;
  const sources = scope.accesses.filter((a) => a.storage === 'var' && a.name === name && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node);
  return sources.length === 1 && sources[0]!.via?.kind === 'assign' && sources[0]!.via.operator === '=' ? sources[0]!.via.right : key;
}

