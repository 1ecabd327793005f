import {
  AddressTable, Growable, KEY_INT, T_ARRAY, T_OBJECT, KEY_OTHER, MAX_INTERNED, StringTable, TYPE_ID, type HeapGraph, type Root,
} from './graph.js';
import { decodeJsonString, type DecodeTally, type JsonHandler, type JsonSyntaxError } from './json-tokens.js';

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

const T_STRING = TYPE_ID.get('string')!, T_INT = TYPE_ID.get('int')!;
const NAME_CACHE = 4096;

const enum Section { None, Header, Items, Skip }
const enum Field { None, Type, Size, Symbol, Frame, Class, IsRoot, Children, Other }
const FIELDS: Record<string, Field> = {
  type: Field.Type, size: Field.Size, symbol_name: Field.Symbol, frame: Field.Frame, class: Field.Class, is_root: Field.IsRoot, children: Field.Children,
};

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
  private readonly table: AddressTable;
  private readonly nameCache = new Int32Array(NAME_CACHE).fill(-1);
  private readonly roots: Root[] = [];
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
  private duplicateOf = -1;
  private field = Field.None;
  private isRoot = false;
  private symbol = -1;
  private frame = -1;
  private childKey = KEY_OTHER;
  private inChildren = false;

  // Tallies for `skipped`.
  private badKeys = 0;
  private badItems = 0;
  private duplicates = 0;
  private badChildren = 0;
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
    this.table = new AddressTable(() => this.hi.data, () => this.lo.data, n);
  }

  get nodeCount(): number { return this.hi.length; }

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
      if (this.duplicateOf >= 0) return;
      if (!this.hex(buf, start, end)) { this.badChildren++; return; }
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
      case Field.Type: if (this.duplicateOf < 0) this.type.data[this.node] = typeOf(buf, start, end); return;
      case Field.Size: if (this.duplicateOf < 0) this.size.data[this.node] = decimal(buf, start, end); return;
      case Field.Symbol: this.symbol = this.name(buf, start, end, escaped, false); return;
      case Field.Frame: this.frame = this.name(buf, start, end, escaped, false); return;
      case Field.Class: if (this.duplicateOf < 0) this.cls.data[this.node] = this.name(buf, start, end, escaped, false); return;
      default:
    }
  }

  number(buf: Buffer, start: number, end: number): void {
    if (this.skipTo >= 0) return;
    if (this.section === Section.Header && this.depth === 2) { this.header[this.headerKey] = Number(buf.toString('latin1', start, end)); return; }
    // Some versions write the size as a number.
    if (this.inItem && this.depth === 3 && this.field === Field.Size && this.duplicateOf < 0) this.size.data[this.node] = Number(buf.toString('latin1', start, end)) || 0;
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
    this.hi.data[n] = this.itemHi;
    this.lo.data[n] = this.itemLo;
    const existing = this.table.add(n);
    if (existing !== n) {
      this.duplicates++;
      this.duplicateOf = existing;
      this.node = existing;
      return;
    }
    this.hi.length = this.lo.length = this.size.length = this.type.length = this.cls.length = this.edgeStart.length = n + 1;
    this.duplicateOf = -1;
    this.node = n;
    this.size.data[n] = 0;
    this.type.data[n] = 0;
    this.cls.data[n] = -1;
    this.edgeStart.data[n] = this.edgeHi.length;
  }

  private endItem(): void {
    this.inItem = false;
    if (this.isRoot) this.roots.push({ node: this.node, symbol: this.symbol, frame: this.frame });
    this.duplicateOf = -1;
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
    const skipped: string[] = [];
    // An item cut off by the end of the text is dropped with its children.
    if (this.inItem && this.duplicateOf < 0) {
      const last = this.hi.length - 1;
      this.edgeHi.length = this.edgeLo.length = this.edgeKey.length = this.edgeStart.data[last]!;
      this.hi.length = this.lo.length = this.size.length = this.type.length = this.cls.length = this.edgeStart.length = last;
    }
    const kept = this.hi.length;
    if (syntax) skipped.push(`the dump is not valid JSON from byte ${syntax.offset} (${syntax.message.replace(/ at byte \d+$/, '')}): read the ${fmt(kept)} items before it, the rest is skipped`);
    else if (truncated) skipped.push(`the dump ends early (truncated after ${fmt(bytes)} bytes): read ${fmt(kept)} complete items, the rest is missing`);
    if (this.badKeys) skipped.push(`${fmt(this.badKeys)} items under keys that are not addresses were skipped`);
    if (this.badItems) skipped.push(`${fmt(this.badItems)} items that are not objects were skipped`);
    if (this.duplicates) skipped.push(`${fmt(this.duplicates)} items repeat an address already read: the first one was kept`);
    if (this.badChildren) skipped.push(`${fmt(this.badChildren)} children are not addresses and were dropped`);
    this.edgeStart.push(this.edgeHi.length);
    const edgeStart = this.edgeStart.trimmed();
    // Resolve child addresses to node indexes, dropping those not in the dump.
    const m = this.edgeHi.length;
    const to = new Int32Array(m);
    const keys = this.edgeKey.data;
    const eh = this.edgeHi.data, el = this.edgeLo.data;
    let w = 0;
    let dangling = 0;
    for (let i = 0; i < kept; i++) {
      const from = edgeStart[i]!, until = edgeStart[i + 1]!;
      edgeStart[i] = w;
      for (let e = from; e < until; e++) {
        const t = this.table.get(eh[e]!, el[e]!);
        if (t < 0 || t >= kept) { dangling++; continue; }
        to[w] = t;
        keys[w] = keys[e]!;
        w++;
      }
    }
    edgeStart[kept] = w;
    if (dangling) skipped.push(`${fmt(dangling)} children point at addresses that are not in the dump and were dropped`);
    const roots = this.roots.filter((r) => r.node < kept);
    if (this.tally.notUtf8) skipped.push(`${fmt(this.tally.notUtf8)} names are not valid UTF-8 (shown with \uFFFD)`);
    if (this.tally.oddEscapes) skipped.push(`${fmt(this.tally.oddEscapes)} unknown escapes in names were read as written (older meminfo versions do not escape \\)`);
    if (roots.length === 0 && kept > 0) skipped.push('no item is marked "is_root": nothing can be named or ranked');
    const graph: HeapGraph = {
      nodeCount: kept, edgeCount: w,
      addrHi: this.hi.trimmed(), addrLo: this.lo.trimmed(), size: this.size.trimmed(), type: this.type.trimmed(), cls: this.cls.trimmed(),
      edgeStart, edgeTo: to.slice(0, w), edgeKey: keys.slice(0, w), roots, strings: this.strings, header: this.header,
    };
    return { graph, skipped, bytes };
  }
}

/** The item field a key names, from its bytes (no string made: millions of keys). */
function fieldOf(buf: Buffer, start: number, end: number): Field {
  const len = end - start;
  const c = buf[start];
  let f = Field.Other;
  if (len === 4) f = c === 0x74 ? Field.Type : c === 0x73 ? Field.Size : Field.Other;
  else if (len === 8 && c === 0x63) f = Field.Children;
  else if (len === 7 && c === 0x69) f = Field.IsRoot;
  else if (len === 5) f = c === 0x66 ? Field.Frame : c === 0x63 ? Field.Class : Field.Other;
  else if (len === 11 && c === 0x73) f = Field.Symbol;
  // Confirm the guess (a key of another meminfo version may share length and first letter).
  return f === Field.Other || ascii(buf, start, end, FIELD_NAMES[f]!) ? f : Field.Other;
}

function ascii(buf: Buffer, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

const FIELD_NAMES: Record<number, string> = Object.fromEntries(Object.entries(FIELDS).map(([k, v]) => [v, k]));

/** The type id of a `type` value, from its bytes. */
function typeOf(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  const c = buf[start];
  if (c === 0x61 && len === 5 && ascii(buf, start, end, 'array')) return T_ARRAY;
  if (c === 0x6f && len === 6 && ascii(buf, start, end, 'object')) return T_OBJECT;
  if (c === 0x73 && len === 6 && ascii(buf, start, end, 'string')) return T_STRING;
  if (c === 0x69 && len === 3 && ascii(buf, start, end, 'int')) return T_INT;
  return TYPE_ID.get(buf.toString('latin1', start, end)) ?? 0;
}

function decimal(buf: Buffer, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return Number(buf.toString('latin1', start, end)) || 0;
    v = v * 10 + c;
  }
  return v;
}

/** 1,234,567 (toLocaleString loads ICU data: slow on a first call). */
export function fmt(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
