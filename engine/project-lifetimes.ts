import type { FileSummary } from './project-index.js';

// Cross-file: is a class only ever made for one operation? The files' summaries say where each
// `new X` is and whether that instance may outlive its call (engine/facts/instantiations.ts);
// this joins them. A class is per operation when the project makes it (or a subclass) at least
// once, every instance stays in locals, goes back to the caller or is kept by an object of a
// class that is itself per operation (a property, a constructor parameter, a stored `new`: the
// holder index), no container is handed its name, and it is not a service by its own shape.
// Then its instance arrays die with each call: firefly's `new PiggyBankEnrichment()` in a
// controller method, shopware's `new LineItemGroup()` per packaging call, a mail header parsed
// into the message or part that is made per fetch. Kept up to date file by file, like the
// holder index (the language server indexes tens of thousands of files).
//
// "Per operation" of a class rests on its holders' being so, and theirs on their holders': a
// conjunction over every class reached by following holders outward. Classes that only hold each
// other (a message and its parts) are per operation when nothing else keeps any of them: the
// greatest fixpoint, which for a conjunction is "every class reached passes its own checks".

/** Subclasses followed down from a class before giving up (and saying "not per operation"). */
const MAX_FAMILY = 64;
/** Holder classes followed outward from a class before giving up (and saying "not per operation"). */
const MAX_HOLDERS = 128;

/** The instantiations of a class in one file: `by` lists the holders (as written) of the sites that only objects keep. */
interface Sites { dropped: number; kept: number; by: string[]; /** Dropped instances a container lookup made (also in `lookups`, with who looks up). */ looked: number }

/**
 * What the project knows of a holder (fully qualified; null: a file's code outside classes)
 * without following its own instantiations and holders: true, its instances die with one
 * operation; false, they may not; undefined, the index follows it.
 */
export type HolderVerdict = (holder: string | null) => boolean | undefined;

export class LifetimeIndex {
  /** Class (lower case) → path → its instantiation sites there. */
  private readonly sites = new Map<string, Map<string, Sites>>();
  /** Class (lower case) → paths that hand its name to a container. */
  private readonly resolvedIn = new Map<string, Set<string>>();
  /** Parent class (lower case) → path → subclasses declared there (lower case). */
  private readonly children = new Map<string, Map<string, string[]>>();
  /** Class (lower case) → paths that declare it as a service. */
  private readonly services = new Map<string, Set<string>>();
  /**
   * Concrete class (lower case) → path → the abstracts (lower case) registered to build it anew
   * per resolution (`bind()`; itself when bound alone): a service by its name is not shared
   * then, and what the project does with a lookup or a typed holder of the abstract is done
   * with the concrete class.
   */
  private readonly transient = new Map<string, Map<string, string[]>>();
  /** Class (lower case) → paths that declare it as request code (a controller, a middleware). */
  private readonly requestClasses = new Map<string, Set<string>>();
  /** Class (lower case) → paths whose code other than request code takes one as a parameter. */
  private readonly passed = new Map<string, Set<string>>();
  /** Class (lower case) → paths whose request code takes one as a parameter. */
  private readonly requestParams = new Map<string, Set<string>>();
  /** Class (lower case) → path → the classes whose code looks one up in a container there (null: code outside classes). */
  private readonly lookups = new Map<string, Map<string, (string | null)[]>>();
  private memo = new Map<string, boolean>();
  private requestMemo = new Map<string, boolean>();

  add(s: FileSummary): void {
    this.memo = new Map();
    this.requestMemo = new Map();
    for (const p of s.passedTo ?? []) getOr(this.passed, p.toLowerCase(), () => new Set<string>()).add(s.path);
    for (const p of s.requestParams ?? []) getOr(this.requestParams, p.toLowerCase(), () => new Set<string>()).add(s.path);
    for (const l of s.lookups ?? []) getOr(getOr(this.lookups, l.cls.toLowerCase(), () => new Map<string, (string | null)[]>()), s.path, () => []).push(l.by);
    for (const c of s.creates) {
      const k = c.cls.toLowerCase();
      const byPath = getOr(this.sites, k, () => new Map<string, Sites>());
      const sites = getOr(byPath, s.path, (): Sites => ({ dropped: 0, kept: 0, by: [], looked: 0 }));
      if (c.kept) sites.kept++;
      else if (c.by?.length) sites.by.push(...c.by);
      else if (c.lookup) sites.looked++;
      else sites.dropped++;
    }
    for (const r of s.resolved) getOr(this.resolvedIn, r.toLowerCase(), () => new Set<string>()).add(s.path);
    for (const b of s.transient ?? []) getOr(getOr(this.transient, b.concrete.toLowerCase(), () => new Map<string, string[]>()), s.path, () => []).push(b.abstract.toLowerCase());
    for (const c of s.classes) {
      if (c.service) getOr(this.services, c.fqn.toLowerCase(), () => new Set<string>()).add(s.path);
      if (c.perRequest) getOr(this.requestClasses, c.fqn.toLowerCase(), () => new Set<string>()).add(s.path);
      if (c.extends) getOr(getOr(this.children, c.extends.toLowerCase(), () => new Map<string, string[]>()), s.path, () => []).push(c.fqn.toLowerCase());
    }
  }

  remove(s: FileSummary): void {
    this.memo = new Map();
    this.requestMemo = new Map();
    for (const p of s.passedTo ?? []) dropPath(this.passed, p.toLowerCase(), s.path);
    for (const p of s.requestParams ?? []) dropPath(this.requestParams, p.toLowerCase(), s.path);
    for (const l of s.lookups ?? []) dropPath(this.lookups, l.cls.toLowerCase(), s.path);
    for (const c of s.creates) dropPath(this.sites, c.cls.toLowerCase(), s.path);
    for (const r of s.resolved) dropPath(this.resolvedIn, r.toLowerCase(), s.path);
    for (const b of s.transient ?? []) dropPath(this.transient, b.concrete.toLowerCase(), s.path);
    for (const c of s.classes) {
      dropPath(this.services, c.fqn.toLowerCase(), s.path);
      dropPath(this.requestClasses, c.fqn.toLowerCase(), s.path);
      if (c.extends) dropPath(this.children, c.extends.toLowerCase(), s.path);
    }
  }

  /**
   * Is every instance of `fqn` (and of its subclasses) made for one operation? `holdersOf` gives
   * the holders (null: a file's code) that keep one through a property, a constructor parameter
   * or a stored `new`; `verdict` decides a holder before the index follows it.
   */
  perOperation(fqn: string, holdersOf: (lowerFqn: string) => Iterable<string | null>, verdict: HolderVerdict): boolean {
    const k = fqn.toLowerCase();
    let v = this.memo.get(k);
    if (v === undefined) { v = this.compute(k, holdersOf, verdict); if (!this.memo.has(k)) this.memo.set(k, v); }
    return v;
  }

  /** Every class reached from `k` by following holders passes its own checks (then all of them are per operation). */
  private compute(k: string, holdersOf: (lowerFqn: string) => Iterable<string | null>, verdict: HolderVerdict): boolean {
    const reached = [k];
    const seen = new Set(reached);
    for (let i = 0; i < reached.length; i++) {
      const c = reached[i]!;
      const known = i > 0 ? this.memo.get(c) : undefined;
      if (known === false) return false;
      // Per operation already: so is everything it reaches.
      if (known === true) continue;
      const holders = this.holdersOfFamily(c, holdersOf);
      if (!holders) return false;
      for (const h of holders) {
        const hk = h?.toLowerCase() ?? null;
        if (hk !== null && seen.has(hk)) continue;
        const v = verdict(h);
        if (v === false || (v === undefined && hk === null)) return false;
        if (v === true || hk === null) continue;
        if (reached.length >= MAX_HOLDERS) return false;
        seen.add(hk);
        reached.push(hk);
      }
    }
    // Each class reached reaches only classes reached: all of them are settled.
    for (const c of reached) this.memo.set(c, true);
    return true;
  }

  /**
   * Under PHP-FPM, does only request code reach instances of `fqn`? So when request code takes
   * one as a parameter (a controller's constructor or action) or every holder (a property, a
   * kept constructor parameter, a stored `new`, a container lookup in its code) is a request
   * class or itself reached only by request code, and nothing else does: no instance is made
   * or dropped elsewhere, and no other code takes one as a
   * parameter (a queued job's `handle(Registry $r)`). Being a service by shape does not matter:
   * under PHP-FPM the container itself lives for one request; what matters is that no worker
   * reaches the instance. Leantime's `TemplateRegistry`, autowired into controllers only.
   */
  requestOnly(fqn: string, holdersOf: (lowerFqn: string) => Iterable<string | null>): boolean {
    const k = fqn.toLowerCase();
    let v = this.requestMemo.get(k);
    if (v === undefined) { v = this.computeRequestOnly(k, holdersOf); this.requestMemo.set(k, v); }
    return v;
  }

  private computeRequestOnly(k: string, holdersOf: (lowerFqn: string) => Iterable<string | null>): boolean {
    const reached = [k];
    const seen = new Set(reached);
    for (let i = 0; i < reached.length; i++) {
      const c = reached[i]!;
      if (i > 0 && this.requestClasses.has(c)) continue;
      const family = this.familyOf(c);
      if (!family) return false;
      // The contracts bound to build them (`bind(Contract::class, X::class)`) reach them too.
      const all = [...family.members, ...family.abstracts];
      const holders: (string | null)[] = [];
      for (const f of all) {
        if (this.passed.has(f)) return false;
        // A lookup in a container reaches the instance from the code that makes it: followed
        // like a holder. A binding alone (`->singleton(X::class)`) reaches nothing.
        for (const by of this.lookups.get(f)?.values() ?? []) holders.push(...by);
        for (const site of this.sites.get(f)?.values() ?? []) {
          if (site.kept > 0 || site.dropped > 0) return false;
          holders.push(...site.by);
        }
        holders.push(...holdersOf(f));
      }
      // Nothing the index sees keeps one or takes one: who uses it is unknown.
      if (holders.length === 0 && !all.some((f) => this.requestParams.has(f))) return false;
      for (const h of holders) {
        if (h === null) return false;
        const hk = h.toLowerCase();
        if (seen.has(hk)) continue;
        if (reached.length >= MAX_HOLDERS) return false;
        seen.add(hk);
        reached.push(hk);
      }
    }
    return true;
  }

  /**
   * The holders of instances of `k` and of its subclasses, or null when one may outlive its
   * operation whoever holds it: a service by shape, a name handed to a container, an instance
   * kept where the index cannot follow, or no instance the project makes at all.
   */
  private holdersOfFamily(k: string, holdersOf: (lowerFqn: string) => Iterable<string | null>): (string | null)[] | null {
    const family = this.familyOf(k);
    if (!family) return null;
    const holders: (string | null)[] = [];
    let made = 0;
    for (const c of family.members) {
      if (this.services.has(c) && !this.transient.has(c)) return null;
    }
    for (const c of [...family.members, ...family.abstracts]) {
      if (this.resolvedIn.has(c)) return null;
      for (const s of this.sites.get(c)?.values() ?? []) {
        if (s.kept > 0) return null;
        made += s.dropped + s.looked + s.by.length;
        holders.push(...s.by);
      }
      holders.push(...holdersOf(c));
    }
    return made === 0 ? null : holders;
  }

  /**
   * `k` and its subclasses (`members`), and the contracts bound to build one of them anew per
   * resolution (`abstracts`: what the project does with those is done with them); null past
   * MAX_FAMILY classes.
   */
  private familyOf(k: string): { members: string[]; abstracts: string[] } | null {
    const members = [k];
    const seen = new Set(members);
    const abstracts = new Set<string>();
    for (let i = 0; i < members.length; i++) {
      if (members.length > MAX_FAMILY) return null;
      const c = members[i]!;
      for (const list of this.transient.get(c)?.values() ?? []) for (const a of list) if (a !== c) abstracts.add(a);
      for (const list of this.children.get(c)?.values() ?? []) {
        for (const child of list) if (!seen.has(child)) { seen.add(child); members.push(child); }
      }
    }
    return { members, abstracts: [...abstracts].filter((a) => !seen.has(a)) };
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
