// Resolving 64-bit addresses (hi/lo halves) by sorting instead of hashing. A dump names every
// item and every child by address, in no useful order: a hash table of millions of addresses
// costs a cache miss per insert and per lookup, which was most of the time spent reading a
// dump. A stable LSD radix sort of the items and of the child references, then one merge of
// the two sorted lists, reads and writes memory in streams.

/** Widest digit: its count table (16 KB) stays in the first-level cache. */
const MAX_BITS = 12;

export interface SortedAddresses {
  /** Item indexes in address order. */
  order: Int32Array;
  /** The addresses in that order. */
  hi: Uint32Array;
  lo: Uint32Array;
}

/**
 * The indexes 0..count-1 ordered by address (hi, then lo), equal addresses in index order
 * (stable: the first item read comes first, so a repeated address keeps the first).
 */
export function sortByAddress(hi: Uint32Array, lo: Uint32Array, count: number): SortedAddresses {
  // Only the bits that differ between addresses need sorting: user-space addresses share their
  // high half, and alignment zeroes the lowest bits. Digits of at most MAX_BITS cover the rest.
  const bitsLo = varyingBits(lo, count), bitsHi = varyingBits(hi, count);
  let order: Int32Array = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let keyLo: Uint32Array = lo.slice(0, count), keyHi: Uint32Array = hi.slice(0, count);
  const digitsLo = digits(bitsLo), digitsHi = digits(bitsHi);
  if (digitsLo.length + digitsHi.length === 0) return { order, hi: keyHi, lo: keyLo };
  let order2: Int32Array = new Int32Array(count), lo2: Uint32Array = new Uint32Array(count);
  // The high halves move with the rest only when they differ (not in most dumps).
  let hi2: Uint32Array = digitsHi.length > 0 ? new Uint32Array(count) : keyHi;
  const pos = new Int32Array(1 << MAX_BITS);
  for (const [half, shift, mask] of [...digitsLo.map((d) => [0, ...d] as const), ...digitsHi.map((d) => [1, ...d] as const)]) {
    pos.fill(0);
    const src = half === 0 ? keyLo : keyHi;
    // Blocks of a fixed size: the same small functions run for every pass and every sort, so
    // they are optimised after the first few blocks rather than once per loop.
    for (let from = 0; from < count; from += BLOCK) countDigits(src, shift, mask, pos, from, Math.min(count, from + BLOCK));
    for (let b = 0, sum = 0; b <= mask; b++) { const c = pos[b]!; pos[b] = sum; sum += c; }
    for (let from = 0; from < count; from += BLOCK) {
      const to = Math.min(count, from + BLOCK);
      if (digitsHi.length > 0) scatter3(src, shift, mask, pos, order, order2, keyLo, lo2, keyHi, hi2, from, to);
      else scatter2(src, shift, mask, pos, order, order2, keyLo, lo2, from, to);
    }
    [order, order2] = [order2, order];
    [keyLo, lo2] = [lo2, keyLo];
    if (digitsHi.length > 0) [keyHi, hi2] = [hi2, keyHi];
  }
  return { order, hi: keyHi, lo: keyLo };
}

const BLOCK = 1 << 16;

/** The bits in which the values differ: [lowest, count]. */
function varyingBits(a: Uint32Array, count: number): [low: number, span: number] {
  let and = -1, or = 0;
  for (let i = 0; i < count; i++) { const v = a[i]!; and &= v; or |= v; }
  const varying = (and ^ or) >>> 0;
  if (varying === 0) return [0, 0];
  const low = 31 - Math.clz32(varying & -varying);
  return [low, 32 - Math.clz32(varying) - low];
}

/** [shift, mask] of each digit over the span, least significant first. */
function digits([low, span]: [number, number]): [number, number][] {
  if (span === 0) return [];
  const passes = Math.ceil(span / MAX_BITS), width = Math.ceil(span / passes);
  return Array.from({ length: passes }, (_, p) => [low + p * width, (1 << Math.min(width, span - p * width)) - 1]);
}

function countDigits(src: Uint32Array, shift: number, mask: number, pos: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) pos[(src[i]! >>> shift) & mask]!++;
}

function scatter2(src: Uint32Array, shift: number, mask: number, pos: Int32Array, order: Int32Array, order2: Int32Array, lo: Uint32Array, lo2: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = pos[(src[i]! >>> shift) & mask]!++;
    order2[p] = order[i]!;
    lo2[p] = lo[i]!;
  }
}

function scatter3(src: Uint32Array, shift: number, mask: number, pos: Int32Array, order: Int32Array, order2: Int32Array, lo: Uint32Array, lo2: Uint32Array, hi: Uint32Array, hi2: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = pos[(src[i]! >>> shift) & mask]!++;
    order2[p] = order[i]!;
    lo2[p] = lo[i]!;
    hi2[p] = hi[i]!;
  }
}

/** One sorted list of a's and b's (b's indexes plus bBase); on equal addresses a's come first. */
export function mergeSorted(a: SortedAddresses, b: SortedAddresses, bBase: number): SortedAddresses {
  const na = a.order.length, nb = b.order.length, n = na + nb;
  const order = new Int32Array(n), hi = new Uint32Array(n), lo = new Uint32Array(n);
  let i = 0, j = 0, k = 0;
  while (i < na && j < nb) {
    const ah = a.hi[i]!, bh = b.hi[j]!;
    if (bh < ah || (bh === ah && b.lo[j]! < a.lo[i]!)) { order[k] = b.order[j]! + bBase; hi[k] = bh; lo[k++] = b.lo[j++]!; }
    else { order[k] = a.order[i]!; hi[k] = ah; lo[k++] = a.lo[i++]!; }
  }
  for (; i < na; i++, k++) { order[k] = a.order[i]!; hi[k] = a.hi[i]!; lo[k] = a.lo[i]!; }
  for (; j < nb; j++, k++) { order[k] = b.order[j]! + bBase; hi[k] = b.hi[j]!; lo[k] = b.lo[j]!; }
  return { order, hi, lo };
}

/**
 * For each reference (`refs`, sorted; its order holds reference indexes), `itemOf[item]` of
 * the first item (in read order) with that address, -1 when no item has it.
 */
export function resolveAddresses(items: SortedAddresses, itemOf: Int32Array, refs: SortedAddresses): Int32Array {
  const m = refs.order.length;
  const out = new Int32Array(m);
  const { order, hi, lo } = items;
  const n = order.length;
  const rOrder = refs.order, rHi = refs.hi, rLo = refs.lo;
  let k = 0;
  for (let r = 0; r < m; r++) {
    const h = rHi[r]!, l = rLo[r]!;
    // The first item whose address is not below this one (the first read of a repeated one).
    while (k < n && (hi[k]! < h || (hi[k] === h && lo[k]! < l))) k++;
    out[rOrder[r]!] = k < n && hi[k] === h && lo[k] === l ? itemOf[order[k]!]! : -1;
  }
  return out;
}
