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
  let andLo = -1, orLo = 0, andHi = -1, orHi = 0;
  for (let i = 0; i < count; i++) { const l = lo[i]!, h = hi[i]!; andLo &= l; orLo |= l; andHi &= h; orHi |= h; }
  const digits: { half: 0 | 1; shift: number; mask: number }[] = [];
  for (const half of [0, 1] as const) {
    const varying = (half === 0 ? andLo ^ orLo : andHi ^ orHi) >>> 0;
    if (varying === 0) continue;
    const low = 31 - Math.clz32(varying & -varying), span = 32 - Math.clz32(varying) - low;
    const passes = Math.ceil(span / MAX_BITS), width = Math.ceil(span / passes);
    for (let p = 0; p < passes; p++) digits.push({ half, shift: low + p * width, mask: (1 << Math.min(width, span - p * width)) - 1 });
  }
  let idx: Int32Array = new Int32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  let keyLo: Uint32Array = lo.slice(0, count), keyHi: Uint32Array = hi.slice(0, count);
  if (digits.length === 0) return { order: idx, hi: keyHi, lo: keyLo };
  let idx2: Int32Array = new Int32Array(count), lo2: Uint32Array = new Uint32Array(count), hi2: Uint32Array = new Uint32Array(count);
  const pos = new Int32Array(1 << MAX_BITS);
  for (const { half, shift, mask } of digits) {
    const src = half === 0 ? keyLo : keyHi;
    pos.fill(0);
    for (let i = 0; i < count; i++) pos[(src[i]! >>> shift) & mask]!++;
    for (let b = 0, sum = 0; b <= mask; b++) { const c = pos[b]!; pos[b] = sum; sum += c; }
    for (let i = 0; i < count; i++) {
      const p = pos[(src[i]! >>> shift) & mask]!++;
      idx2[p] = idx[i]!;
      lo2[p] = keyLo[i]!;
      hi2[p] = keyHi[i]!;
    }
    [idx, idx2] = [idx2, idx];
    [keyLo, lo2] = [lo2, keyLo];
    [keyHi, hi2] = [hi2, keyHi];
  }
  return { order: idx, hi: keyHi, lo: keyLo };
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
