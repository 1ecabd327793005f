import type { Access } from '../engine/facts/access.js';
import { isReset } from '../engine/facts/array-growth.js';
import { importsAt } from '../engine/facts/imports.js';
import { closestAncestor, type ClassFacts } from '../engine/facts/index.js';
import type { Method } from '../engine/nodes.js';

// A store that a public method of its class empties (`cleanCache(): $this->blockedValues = []`)
// is bounded when the project calls that method: the caller (an event's processing, a job's
// end) decides when entries go. Nothing in the class file says whether anyone does, so the
// finding names the calls that would answer it (`Finding.unlessCalled`) and the project phase
// drops it when another non-test file makes one (engine/project-index.ts). A call counts by its
// class (`Cls::m()`, `self::`/`static::` inside it) or on a receiver named for the class
// (`$this->overCorrelatingValue->cleanCache()`): an untyped `->clear()` on any object (an
// entity manager's) is not this store's reset. A reset that nobody calls keeps the finding: the
// talk's ArrayBasedCache::clear().

/** The calls of the class's public resets of the store, as the project index records them. */
export function resetCalls(cls: ClassFacts, accesses: readonly Access[]): string[] {
  if (!cls.name) return [];
  const ns = importsAt(cls.node).namespace;
  const fqn = (ns ? `${ns}\\${cls.name}` : cls.name).toLowerCase();
  const short = cls.name.toLowerCase();
  const out = new Set<string>();
  for (const a of accesses) {
    if (!isReset(a)) continue;
    const m = closestAncestor(a.node, (p) => p.kind === 'method', true) as Method | null;
    if (!m || (m.visibility !== '' && m.visibility !== 'public')) continue;
    const name = m.name.name.toLowerCase();
    if (name === '__construct') continue;
    out.add(`${fqn}::${name}`);
    if (!m.isStatic) out.add(`${short}->${name}`);
  }
  return [...out].sort();
}
