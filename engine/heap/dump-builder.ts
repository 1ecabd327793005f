import { Growable, KEY_INT, KEY_OTHER, MAX_INTERNED, StringTable, type HeapGraph, type Root } from './graph.js';
import { decodeJsonString, type DecodeTally, type JsonHandler, type JsonSyntaxError } from './json-tokens.js';
import { ascii, decimal, Field, fieldOf, typeOf } from './dump-fields.js';
import type { DumpPart } from './dump-part.js';
import { mergeSorted, sortByAddress, type SortedAddresses } from './address-sort.js';
import { resolveItems } from './resolve.js';

// The JSON handler that turns meminfo's items into the graph's typed arrays as they stream by.
//
// Bad input never crashes and never hangs: text that is not a dump is a DumpError saying what
// it is; a dump that ends early, has a syntax error part-way, items under non-address keys,
// duplicate addresses or children pointing at addresses that are not in the dump gives a
// partial graph and `skipped` lines saying what was left out.

export class DumpError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DumpError';
  }
}

export interface DumpRead {
  graph: HeapGraph;
  /** What was left out or repaired, one line each (empty for a clean dump). */
  skipped: string[];
  bytes: number;
}

const NAME_CACHE = 4096;

const enum Section { None, Header, Items, Skip }

export class DumpBuilder implements JsonHandler {
  readonly strings = new StringTable();
  private readonly hi: Growable<Uint32Array>;
  private readonly lo: Growable<Uint32Array>;
  private readonly size: Growable<Float64Array>;
  private readonly type: Growable<Uint8Array>;
  private readonly cls: Growable<Int32Array>;
  private readonly edgeStart: Growable<Int32Array>;
  private readonly edgeHi: Growable<Uint32Array>;
  private readonly edgeLo: Growable<Uint32Array>;
  private readonly edgeKey: Growable<Int32Array>;
  private readonly nameCache = new Int32Array(NAME_CACHE).fill(-1);
  private readonly roots: Root[] = [];
  /** The complete items' and their children's addresses, sorted by presort() (each thread its part). */
  private sorted: { items: SortedAddresses; refs: SortedAddresses } | undefined;
  private readonly header: Record<string, number> = {};
  readonly tally: DecodeTally = { oddEscapes: 0, notUtf8: 0 };

  private depth = 0;
  private topIsObject = false;
  private section = Section.None;
  private sectionDepth = 0;
  private sawItems = false;
  private topKeys: string[] = [];
  private pendingTopKey = '';
  private headerKey = '';
  /** Skipping a value nested deeper than the format says, down to this depth. */
  private skipTo = -1;

  // The item being read.
  private itemHi = 0;
  private itemLo = 0;
  private itemValid = false;
  private inItem = false;
  private node = -1;
  private field = Field.None;
  private isRoot = false;
  private symbol = -1;
  private frame = -1;
  private childKey = KEY_OTHER;
  private inChildren = false;

  // Tallies for `skipped`.
  private badKeys = 0;
  private badItems = 0;
  /** Children that are not addresses, per item that has any (a repeated item's are not counted). */
  private readonly badChildrenOf = new Map<number, number>();
  private tmpHi = 0;
  private tmpLo = 0;

  constructor(expectedItems = 0) {
    const n = Math.max(1 << 14, Math.ceil(expectedItems));
    this.hi = new Growable(Uint32Array, n);
    this.lo = new Growable(Uint32Array, n);
    this.size = new Growable(Float64Array, n);
    this.type = new Growable(Uint8Array, n);
    this.cls = new Growable(Int32Array, n);
    this.edgeStart = new Growable(Int32Array, n);
    this.edgeHi = new Growable(Uint32Array, n);
    this.edgeLo = new Growable(Uint32Array, n);
    this.edgeKey = new Growable(Int32Array, n);
  }

  get nodeCount(): number { return this.hi.length; }

  /** The reader of a dump's second half starts inside "items", between two items. */
  resumeInItems(): void {
    this.depth = 2;
    this.topIsObject = true;
    this.section = Section.Items;
    this.sectionDepth = 2;
    this.sawItems = true;
    this.pendingTopKey = 'items';
  }

  /** Between two items of "items", nothing cut or skipped: where a second half can be joined. */
  get betweenItems(): boolean {
    return this.depth === 2 && this.section === Section.Items && this.skipTo < 0 && !this.inItem;
  }

  /** Sorts the addresses read so far (finish() needs them sorted): each thread sorts its own part. */
  presort(): void {
    const n = this.inItem ? this.hi.length - 1 : this.hi.length;
    const m = n < this.hi.length ? this.edgeStart.data[n]! : this.edgeHi.length;
    this.sorted = { items: sortByAddress(this.hi.data, this.lo.data, n), refs: sortByAddress(this.edgeHi.data, this.edgeLo.data, m) };
  }

  /** What this builder read, to be appended to the builder of the text before it (views of its own buffers, to be moved, not copied). */
  exportPart(): DumpPart {
    const n = this.hi.length, m = this.edgeHi.length;
    return {
      hi: this.hi.data.subarray(0, n), lo: this.lo.data.subarray(0, n), size: this.size.data.subarray(0, n), type: this.type.data.subarray(0, n), cls: this.cls.data.subarray(0, n),
      edgeStart: this.edgeStart.data.subarray(0, n), edgeHi: this.edgeHi.data.subarray(0, m), edgeLo: this.edgeLo.data.subarray(0, m), edgeKey: this.edgeKey.data.subarray(0, m),
      strings: this.strings.list, roots: this.roots, header: this.header, tally: this.tally,
      badKeys: this.badKeys, badItems: this.badItems, badChildrenOf: [...this.badChildrenOf], inItem: this.inItem, sorted: this.sorted,
    };
  }

  /**
   * Appends a part read from the text right after this builder's (which ended between two
   * items). False, nothing changed, when the names of both could reach the interning bound:
   * which keys stay named would then depend on the order they were read in.
   */
  appendPart(p: DumpPart): boolean {
    if (this.strings.list.length + p.strings.length > MAX_INTERNED) return false;
    const ids = Int32Array.from(p.strings, (text) => this.strings.intern(text));
    const id = (x: number) => (x >= 0 ? ids[x]! : x);
    // The part's arrays are this thread's now: names renumbered in place.
    for (let i = 0; i < p.cls.length; i++) if (p.cls[i]! >= 0) p.cls[i] = ids[p.cls[i]!]!;
    for (let i = 0; i < p.edgeKey.length; i++) if (p.edgeKey[i]! >= 0) p.edgeKey[i] = ids[p.edgeKey[i]!]!;
    const nodes = this.hi.length, edges = this.edgeHi.length;
    this.sorted = this.sorted && p.sorted && {
      items: mergeSorted(this.sorted.items, p.sorted.items, nodes), refs: mergeSorted(this.sorted.refs, p.sorted.refs, edges),
    };
    this.hi.append(p.hi); this.lo.append(p.lo); this.size.append(p.size); this.type.append(p.type);
    this.cls.append(p.cls);
    this.edgeStart.append(p.edgeStart, edges);
    this.edgeHi.append(p.edgeHi); this.edgeLo.append(p.edgeLo);
    this.edgeKey.append(p.edgeKey);
    for (const r of p.roots) this.roots.push({ node: r.node + nodes, symbol: id(r.symbol), frame: id(r.frame) });
    Object.assign(this.header, p.header);
    this.tally.oddEscapes += p.tally.oddEscapes;
    this.tally.notUtf8 += p.tally.notUtf8;
    this.badKeys += p.badKeys;
    this.badItems += p.badItems;
    for (const [item, bad] of p.badChildrenOf) this.badChildrenOf.set(item + nodes, bad);
    this.inItem = p.inItem;
    return true;
  }

  startObject(): void { this.open(true); }
  startArray(): void { this.open(false); }

  private open(isObject: boolean): void {
    const d = ++this.depth;
    if (this.skipTo >= 0) return;
    if (d === 1) { this.topIsObject = isObject; if (!isObject) this.skipTo = 0; return; }
    if (d === 2) {
      const k = this.pendingTopKey;
      if (isObject && k === 'header') { this.section = Section.Header; this.sectionDepth = 2; return; }
      if (isObject && k === 'items') { this.section = Section.Items; this.sectionDepth = 2; this.sawItems = true; return; }
      this.skipTo = 1;
      return;
    }
    if (this.section === Section.Items) {
      if (d === 3 && isObject && this.itemValid) { this.beginItem(); return; }
      if (d === 3) { if (this.itemValid) this.badItems++; this.skipTo = 2; return; }
      if (d === 4 && isObject && this.field === Field.Children) { this.inChildren = true; return; }
    }
    this.skipTo = d - 1;
  }

  endObject(): void { this.close(); }
  endArray(): void { this.close(); }

  private close(): void {
    const d = this.depth--;
    if (this.skipTo >= 0) {
      if (this.depth === this.skipTo) this.skipTo = -1;
      return;
    }
    if (d === 2) { this.section = Section.None; return; }
    if (this.section === Section.Items) {
      if (d === 4) { this.inChildren = false; this.field = Field.None; return; }
      if (d === 3) this.endItem();
    }
  }

  key(buf: Buffer, start: number, end: number, escaped: boolean): void {
    if (this.skipTo >= 0) return;
    const d = this.depth;
    if (d === 1) {
      this.pendingTopKey = decodeJsonString(buf, start, end, escaped, this.tally);
      if (this.topKeys.length < 8) this.topKeys.push(this.pendingTopKey);
      return;
    }
    if (this.section === Section.Header && d === 2) { this.headerKey = buf.toString('latin1', start, end); return; }
    if (this.section !== Section.Items) return;
    if (d === 2) {
      this.itemValid = this.hex(buf, start, end);
      if (this.itemValid) { this.itemHi = this.tmpHi; this.itemLo = this.tmpLo; } else this.badKeys++;
      return;
    }
    if (d === 3) { this.field = fieldOf(buf, start, end); return; }
    if (d === 4 && this.inChildren) this.childKey = this.keyId(buf, start, end, escaped);
  }

  string(buf: Buffer, start: number, end: number, escaped: boolean): void {
    if (this.skipTo >= 0 || !this.inItem) return;
    if (this.inChildren) {
      if (!this.hex(buf, start, end)) { this.badChildrenOf.set(this.node, (this.badChildrenOf.get(this.node) ?? 0) + 1); return; }
      // Direct stores (not Growable.push): one typed-array kind per site keeps them monomorphic.
      const e = this.edgeHi.length;
      if (e >= this.edgeHi.data.length || e >= this.edgeLo.data.length || e >= this.edgeKey.data.length) { this.edgeHi.grow(e + 1); this.edgeLo.grow(e + 1); this.edgeKey.grow(e + 1); }
      this.edgeHi.data[e] = this.tmpHi;
      this.edgeLo.data[e] = this.tmpLo;
      this.edgeKey.data[e] = this.childKey;
      this.edgeHi.length = this.edgeLo.length = this.edgeKey.length = e + 1;
      return;
    }
    if (this.depth !== 3) return;
    switch (this.field) {
      case Field.Type: this.type.data[this.node] = typeOf(buf, start, end); return;
      case Field.Size: this.size.data[this.node] = decimal(buf, start, end); return;
      case Field.Symbol: this.symbol = this.name(buf, start, end, escaped, false); return;
      case Field.Frame: this.frame = this.name(buf, start, end, escaped, false); return;
      case Field.Class: this.cls.data[this.node] = this.name(buf, start, end, escaped, false); return;
      default:
    }
  }

  number(buf: Buffer, start: number, end: number): void {
    if (this.skipTo >= 0) return;
    if (this.section === Section.Header && this.depth === 2) { this.header[this.headerKey] = Number(buf.toString('latin1', start, end)); return; }
    // Some versions write the size as a number.
    if (this.inItem && this.depth === 3 && this.field === Field.Size) this.size.data[this.node] = Number(buf.toString('latin1', start, end)) || 0;
  }

  literal(value: boolean | null): void {
    if (this.skipTo >= 0 || !this.inItem || this.depth !== 3) return;
    if (this.field === Field.IsRoot) this.isRoot = value === true;
  }

  private beginItem(): void {
    this.inItem = true;
    this.isRoot = false;
    this.symbol = -1;
    this.frame = -1;
    this.field = Field.None;
    const n = this.hi.length;
    if (n >= this.hi.data.length || n >= this.lo.data.length || n >= this.size.data.length || n >= this.type.data.length || n >= this.cls.data.length || n >= this.edgeStart.data.length) {
      for (const g of [this.hi, this.lo, this.size, this.type, this.cls, this.edgeStart] as Growable<Uint32Array>[]) g.grow(n + 1);
    }
    // A repeated address is kept here too: finish() sorts the addresses and drops the repeats.
    this.hi.data[n] = this.itemHi;
    this.lo.data[n] = this.itemLo;
    this.hi.length = this.lo.length = this.size.length = this.type.length = this.cls.length = this.edgeStart.length = n + 1;
    this.node = n;
    this.size.data[n] = 0;
    this.type.data[n] = 0;
    this.cls.data[n] = -1;
    this.edgeStart.data[n] = this.edgeHi.length;
  }

  private endItem(): void {
    this.inItem = false;
    if (this.isRoot) this.roots.push({ node: this.node, symbol: this.symbol, frame: this.frame });
  }

  private keyId(buf: Buffer, start: number, end: number, escaped: boolean): number {
    if (end - start === 0) return KEY_OTHER;
    if (!escaped && end - start <= 19) {
      let i = start;
      if (buf[i] === 0x2d) i++;
      let digits = i < end;
      for (; i < end; i++) { const c = buf[i]!; if (c < 0x30 || c > 0x39) { digits = false; break; } }
      if (digits) return KEY_INT;
    }
    if (end - start > 128) return KEY_OTHER;
    const id = this.name(buf, start, end, escaped, true);
    return id < 0 ? KEY_OTHER : id;
  }

  /**
   * The interned id of a name, through a small cache keyed by a hash of its bytes: the same few
   * class and property names come back millions of times, and decoding each into a string to
   * look it up would cost more than the rest of the item.
   */
  private name(buf: Buffer, start: number, end: number, escaped: boolean, bounded: boolean): number {
    const len = end - start;
    let slot = -1;
    if (!escaped && len <= 64) {
      let h = 0x811c9dc5;
      for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 16777619);
      slot = (h >>> 0) & (NAME_CACHE - 1);
      const id = this.nameCache[slot]!;
      if (id >= 0 && ascii(buf, start, end, this.strings.list[id]!)) return id;
    }
    const text = decodeJsonString(buf, start, end, escaped, this.tally);
    const id = bounded ? this.strings.internBounded(text, MAX_INTERNED) : this.strings.intern(text);
    if (slot >= 0 && id >= 0) this.nameCache[slot] = id;
    return id;
  }

  /** Parses a hex address from bytes into tmpHi/tmpLo. */
  private hex(buf: Buffer, start: number, end: number): boolean {
    if (end - start < 3 || end - start > 18 || buf[start] !== 0x30 || (buf[start + 1] !== 0x78 && buf[start + 1] !== 0x58)) return false;
    let hi = 0, lo = 0;
    for (let i = start + 2; i < end; i++) {
      const c = buf[i]!;
      const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (v < 0) return false;
      hi = ((hi << 4) | (lo >>> 28)) >>> 0;
      lo = ((lo << 4) | v) >>> 0;
    }
    this.tmpHi = hi;
    this.tmpLo = lo;
    return true;
  }

  finish(file: string, bytes: number, syntax: JsonSyntaxError | null, truncated: boolean): DumpRead {
    const n = this.hi.length;
    if (!this.topIsObject && n === 0) {
      throw new DumpError(file, syntax ? `not a php-meminfo dump: not JSON (${syntax.message})` : bytes === 0 ? 'not a php-meminfo dump: the file is empty' : 'not a php-meminfo dump: the JSON is not an object with "items"');
    }
    if (!this.sawItems) {
      const why = syntax ? `not JSON (${syntax.message})` : truncated ? 'the text ends before an "items" object' : `no "items" object (top-level keys: ${this.topKeys.map((k) => JSON.stringify(k)).join(', ') || 'none'})`;
      throw new DumpError(file, `not a php-meminfo dump: ${why}`);
    }
    // An item cut off by the end of the text is dropped with its children.
    const read = this.inItem ? n - 1 : n;
    const r = resolveItems({
      count: read, hi: this.hi.data, lo: this.lo.data, size: this.size.data, type: this.type.data, cls: this.cls.data,
      edgeStart: this.edgeStart.data, edgeHi: this.edgeHi.data, edgeLo: this.edgeLo.data, edgeKey: this.edgeKey.data,
      edgeCount: read < n ? this.edgeStart.data[read]! : this.edgeHi.length, sorted: this.sorted,
    });
    let badChildren = 0;
    for (const [item, bad] of this.badChildrenOf) if (!r.repeated(item)) badChildren += bad;
    const kept = r.nodeCount;
    const skipped: string[] = [];
    if (syntax) skipped.push(`the dump is not valid JSON from byte ${syntax.offset} (${syntax.reason}): read the ${fmt(kept)} items before it, the rest is skipped`);
    else if (truncated) skipped.push(`the dump ends early (truncated after ${fmt(bytes)} bytes): read ${fmt(kept)} complete items, the rest is missing`);
    if (this.badKeys) skipped.push(`${fmt(this.badKeys)} items under keys that are not addresses were skipped`);
    if (this.badItems) skipped.push(`${fmt(this.badItems)} items that are not objects were skipped`);
    if (r.repeats) skipped.push(`${fmt(r.repeats)} items repeat an address already read: the first one was kept`);
    if (badChildren) skipped.push(`${fmt(badChildren)} children are not addresses and were dropped`);
    if (r.dangling) skipped.push(`${fmt(r.dangling)} children point at addresses that are not in the dump and were dropped`);
    // A repeated item marked as a root makes the first one a root.
    const roots = this.roots.filter((x) => x.node < read).map((x) => ({ ...x, node: r.nodeOf(x.node) }));
    if (this.tally.notUtf8) skipped.push(`${fmt(this.tally.notUtf8)} names are not valid UTF-8 (shown with \uFFFD)`);
    if (this.tally.oddEscapes) skipped.push(`${fmt(this.tally.oddEscapes)} unknown escapes in names were read as written (older meminfo versions do not escape \\)`);
    if (roots.length === 0 && kept > 0) skipped.push('no item is marked "is_root": nothing can be named or ranked');
    const graph: HeapGraph = { ...r.graph, roots, strings: this.strings, header: this.header };
    return { graph, skipped, bytes };
  }
}

/** 1,234,567 (toLocaleString loads ICU data: slow on a first call). */
export function fmt(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
