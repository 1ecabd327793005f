import type { SortedAddresses } from './address-sort.js';
import type { DecodeTally } from './json-tokens.js';
import type { Root } from './graph.js';

// A dump's second half, read by a worker thread while the main thread reads the first half
// (engine/heap/dump-reader.ts): what its builder read, in the builder's own terms (names by
// the part's own ids), and how its text ended.

export interface DumpPart {
  hi: Uint32Array; lo: Uint32Array; size: Float64Array; type: Uint8Array; cls: Int32Array;
  /** Offsets into this part's edges. */
  edgeStart: Int32Array;
  edgeHi: Uint32Array; edgeLo: Uint32Array; edgeKey: Int32Array;
  /** The part's interned names, by id. */
  strings: string[];
  roots: Root[];
  header: Record<string, number>;
  tally: DecodeTally;
  badKeys: number;
  badItems: number;
  badChildrenOf: [item: number, count: number][];
  /** The text ended inside an item. */
  inItem: boolean;
  /** The part's complete items' and their children's addresses, sorted. */
  sorted: { items: SortedAddresses; refs: SortedAddresses } | undefined;
}

export interface PartRequest { file: string; start: number; expectedItems: number; chunkBytes?: number | undefined }

export type PartReply =
  | { ok: true; part: DumpPart; bytes: number; done: boolean; syntax: { reason: string; offset: number } | null }
  | { ok: false; error: string };

/** The buffers to move (not copy) to the main thread. */
export function transferList(p: DumpPart): ArrayBuffer[] {
  const sorted = p.sorted ? [p.sorted.items, p.sorted.refs].flatMap((x) => [x.order, x.hi, x.lo]) : [];
  return [p.hi, p.lo, p.size, p.type, p.cls, p.edgeStart, p.edgeHi, p.edgeLo, p.edgeKey, ...sorted].map((a) => a.buffer as ArrayBuffer);
}
