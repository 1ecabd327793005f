import type { FileSummary } from './project-index.js';

// Cross-file: is a class only ever made for one operation? The files' summaries say where each
// `new X` is and whether that instance may outlive its call (engine/facts/instantiations.ts);
// this joins them. A class is per operation when the project makes it (or a subclass) at least
// once, every instance stays in locals or goes back to the caller, no property or constructor
// parameter of any class holds one (the holder index), no container is handed its name, and
// it is not a service by its own shape. Then its instance arrays die with each call: firefly's
// `new PiggyBankEnrichment()` in a controller method, shopware's `new LineItemGroup()` per
// packaging call. Kept up to date file by file, like the holder index (the language server
// indexes tens of thousands of files).

/** Subclasses followed down from a class before giving up (and saying "not per operation"). */
const MAX_FAMILY = 64;

interface Sites { dropped: number; kept: number }

export class LifetimeIndex {
  /** Class (lower case) → path → its instantiation sites there. */
  private readonly sites = new Map<string, Map<string, Sites>>();
  /** Class (lower case) → paths that hand its name to a container. */
  private readonly resolvedIn = new Map<string, Set<string>>();
  /** Parent class (lower case) → path → subclasses declared there (lower case). */
  private readonly children = new Map<string, Map<string, string[]>>();
  /** Class (lower case) → paths that declare it as a service. */
  private readonly services = new Map<string, Set<string>>();
  private memo = new Map<string, boolean>();

  add(s: FileSummary): void {
    this.memo = new Map();
    for (const c of s.creates) {
      const k = c.cls.toLowerCase();
      const byPath = getOr(this.sites, k, () => new Map<string, Sites>());
      const sites = getOr(byPath, s.path, () => ({ dropped: 0, kept: 0 }));
      if (c.kept) sites.kept++; else sites.dropped++;
    }
    for (const r of s.resolved) getOr(this.resolvedIn, r.toLowerCase(), () => new Set<string>()).add(s.path);
    for (const c of s.classes) {
      if (c.service) getOr(this.services, c.fqn.toLowerCase(), () => new Set<string>()).add(s.path);
      if (c.extends) getOr(getOr(this.children, c.extends.toLowerCase(), () => new Map<string, string[]>()), s.path, () => []).push(c.fqn.toLowerCase());
    }
  }

  remove(s: FileSummary): void {
    this.memo = new Map();
    for (const c of s.creates) dropPath(this.sites, c.cls.toLowerCase(), s.path);
    for (const r of s.resolved) dropPath(this.resolvedIn, r.toLowerCase(), s.path);
    for (const c of s.classes) {
      dropPath(this.services, c.fqn.toLowerCase(), s.path);
      if (c.extends) dropPath(this.children, c.extends.toLowerCase(), s.path);
    }
  }

  /**
   * Is every instance of `fqn` (and of its subclasses) made for one operation? `isHeld` says
   * whether some class keeps one through a property, a constructor parameter or a stored `new`.
   */
  perOperation(fqn: string, isHeld: (lowerFqn: string) => boolean): boolean {
    const k = fqn.toLowerCase();
    let v = this.memo.get(k);
    if (v === undefined) { v = this.compute(k, isHeld); this.memo.set(k, v); }
    return v;
  }

  private compute(k: string, isHeld: (lowerFqn: string) => boolean): boolean {
    const family = [k];
    const seen = new Set(family);
    let made = 0;
    for (let i = 0; i < family.length; i++) {
      if (family.length > MAX_FAMILY) return false;
      const c = family[i]!;
      if (this.services.has(c) || this.resolvedIn.has(c) || isHeld(c)) return false;
      for (const s of this.sites.get(c)?.values() ?? []) {
        if (s.kept > 0) return false;
        made += s.dropped;
      }
      for (const list of this.children.get(c)?.values() ?? []) {
        for (const child of list) if (!seen.has(child)) { seen.add(child); family.push(child); }
      }
    }
    return made > 0;
  }
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) { v = make(); m.set(k, v); }
  return v;
}

function dropPath<V>(m: Map<string, Map<string, V> | Set<string>>, k: string, path: string): void {
  const inner = m.get(k);
  if (!inner) return;
  inner.delete(path);
  if (inner.size === 0) m.delete(k);
}
