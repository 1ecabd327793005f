// The heap graph in compact form: one slot per item in typed arrays, edges in one CSR block,
// every name (class, symbol, property or key) interned once. A dump of 200 MB holds a few
// million items; as JS objects they would take more memory than the text.

export const NODE_TYPES = ['unknown', 'array', 'object', 'string', 'int', 'float', 'bool', 'null', 'resource', 'reference', 'callable'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
export const TYPE_ID: ReadonlyMap<string, number> = new Map(NODE_TYPES.map((t, i) => [t, i]));
export const T_ARRAY = 1, T_OBJECT = 2;

/** Edge keys that are not interned names. */
export const KEY_INT = -2, KEY_OTHER = -1;

/** Names kept before keys stop being interned (a memo keyed by user data must not grow the table without bound). */
export const MAX_INTERNED = 200_000;

export class StringTable {
  private readonly ids = new Map<string, number>();
  readonly list: string[] = [];
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) { id = this.list.length; this.list.push(s); this.ids.set(s, id); }
    return id;
  }
  /** The id, or -1 when the table is full and `s` is new. */
  internBounded(s: string, max: number): number {
    const id = this.ids.get(s);
    if (id !== undefined) return id;
    return this.list.length >= max ? -1 : this.intern(s);
  }
  get(id: number): string { return this.list[id] ?? ''; }
}

type TypedArray = Int32Array | Uint32Array | Float64Array | Uint8Array;
type Ctor<T extends TypedArray> = new (n: number) => T;

/** An append-only typed array that doubles when full. */
export class Growable<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(private readonly ctor: Ctor<T>, initial = 1024) { this.data = new ctor(initial); }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new this.ctor(cap);
    next.set(this.data as never);
    this.data = next;
  }
  /** Appends every value of src, each plus `add`. */
  append(src: ArrayLike<number>, add = 0): void {
    if (this.length + src.length > this.data.length) this.grow(this.length + src.length);
    const d = this.data, at = this.length;
    if (add === 0 && ArrayBuffer.isView(src)) d.set(src as never, at);
    else for (let i = 0; i < src.length; i++) d[at + i] = src[i]! + add;
    this.length += src.length;
  }
  /** The used part, trimmed (a copy, so the doubled buffer can be collected). */
  trimmed(): T { return this.data.slice(0, this.length) as T; }
}

export interface Root { node: number; symbol: number; frame: number }

export interface HeapGraph {
  nodeCount: number;
  edgeCount: number;
  addrHi: Uint32Array;
  addrLo: Uint32Array;
  size: Float64Array;
  type: Uint8Array;
  /** Interned class name, -1 when none. */
  cls: Int32Array;
  /** CSR: node i's children are edgeTo[edgeStart[i] .. edgeStart[i + 1]). */
  edgeStart: Int32Array;
  edgeTo: Int32Array;
  /** Interned key, KEY_INT for an integer key, KEY_OTHER for a key not kept. */
  edgeKey: Int32Array;
  roots: Root[];
  strings: StringTable;
  header: Record<string, number>;
}

export function addressOf(g: HeapGraph, node: number): string {
  const hi = g.addrHi[node]!, lo = g.addrLo[node]!;
  return '0x' + (hi ? hi.toString(16) + lo.toString(16).padStart(8, '0') : lo.toString(16));
}

/** Parses "0x7f08f1c58200" into hi/lo 32-bit halves; null when it is not a hex address. */
export function parseAddress(text: string): [number, number] | null {
  const m = /^0x([0-9a-fA-F]{1,16})$/.exec(text.trim());
  if (!m) return null;
  const hex = m[1]!.padStart(16, '0');
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8), 16) >>> 0];
}
