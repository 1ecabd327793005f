import { resolveAddresses, sortByAddress, type SortedAddresses } from './address-sort.js';
import type { HeapGraph } from './graph.js';

// The items of a dump as read (addresses, fields, children by address) turned into the graph's
// compact form: repeated addresses dropped (the first item read is kept), children resolved to
// node indexes (children at addresses no item has are dropped), edges in one CSR block.

export interface ReadItems {
  /** Items read; the arrays may be longer (growable buffers). */
  count: number;
  hi: Uint32Array; lo: Uint32Array; size: Float64Array; type: Uint8Array; cls: Int32Array;
  /** Item i's children are [edgeStart[i], edgeStart[i + 1]) (edgeCount for the last one). */
  edgeStart: Int32Array;
  edgeHi: Uint32Array; edgeLo: Uint32Array; edgeKey: Int32Array;
  edgeCount: number;
  /** The items' and the children's addresses already sorted (by threads that read parts of the dump). */
  sorted?: { items: SortedAddresses; refs: SortedAddresses } | undefined;
}

export interface Resolved {
  graph: Omit<HeapGraph, 'roots' | 'strings' | 'header'>;
  nodeCount: number;
  /** Items dropped because an earlier one had their address. */
  repeats: number;
  dangling: number;
  /** Was item i (in read order) a repeat of an earlier address? */
  repeated(item: number): boolean;
  /** The node of item i (a repeat: the node of the first item with its address). */
  nodeOf(item: number): number;
}

export function resolveItems(x: ReadItems): Resolved {
  const count = x.count, m = x.edgeCount;
  const presorted = x.sorted && x.sorted.items.order.length === count && x.sorted.refs.order.length === m ? x.sorted : undefined;
  const sorted = presorted?.items ?? sortByAddress(x.hi, x.lo, count);
  // Repeats sit right after the first item with their address (the sort is stable).
  const { order, hi: sHi, lo: sLo } = sorted;
  const firstOf = new Map<number, number>();
  for (let k = 1, run = order[0]!; k < count; k++) {
    if (sHi[k] === sHi[k - 1] && sLo[k] === sLo[k - 1]) firstOf.set(order[k]!, run);
    else run = order[k]!;
  }
  const repeats = firstOf.size;
  const itemOf = new Int32Array(count);
  for (let i = 0, v = 0; i < count; i++) itemOf[i] = repeats > 0 && firstOf.has(i) ? -1 : v++;
  const target = resolveAddresses(sorted, itemOf, presorted?.refs ?? sortByAddress(x.edgeHi, x.edgeLo, m));
  // Compacted in place (a node's index never exceeds its item's); a repeat's children are
  // dropped with it, and so are children no item has, keeping each node's children in order.
  const { hi, lo, size, type, cls, edgeKey } = x;
  const edgeStart = new Int32Array(count - repeats + 1);
  const edgeTo = new Int32Array(m);
  const keys = new Int32Array(m);
  let nodes = 0, w = 0, dangling = 0;
  for (let i = 0; i < count; i++) {
    if (itemOf[i]! < 0) continue;
    if (repeats > 0) { hi[nodes] = hi[i]!; lo[nodes] = lo[i]!; size[nodes] = size[i]!; type[nodes] = type[i]!; cls[nodes] = cls[i]!; }
    edgeStart[nodes++] = w;
    for (let e = x.edgeStart[i]!, until = i + 1 < count ? x.edgeStart[i + 1]! : m; e < until; e++) {
      const t = target[e]!;
      if (t < 0) { dangling++; continue; }
      edgeTo[w] = t;
      keys[w] = edgeKey[e]!;
      w++;
    }
  }
  edgeStart[nodes] = w;
  return {
    graph: {
      nodeCount: nodes, edgeCount: w,
      addrHi: hi.slice(0, nodes), addrLo: lo.slice(0, nodes), size: size.slice(0, nodes), type: type.slice(0, nodes), cls: cls.slice(0, nodes),
      edgeStart, edgeTo: w < m ? edgeTo.slice(0, w) : edgeTo, edgeKey: w < m ? keys.slice(0, w) : keys,
    },
    nodeCount: nodes, repeats, dangling,
    repeated: (item) => firstOf.has(item),
    nodeOf: (item) => itemOf[firstOf.get(item) ?? item]!,
  };
}
