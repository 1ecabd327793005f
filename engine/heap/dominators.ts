import type { HeapGraph } from './graph.js';

// Retained sizes through the dominator tree (Lengauer–Tarjan with path compression, iterative:
// a chain of a million linked objects must not overflow the stack). A virtual root is joined to
// every root of the dump; node d dominates node v when every path from the roots to v passes
// through d, so freeing d frees v: v's size counts in d's retained size. Reference cycles are
// fine (the DFS visits a node once); items no root reaches are counted apart.

export interface Dominance {
  /** Immediate dominator of each node; `g.nodeCount` for the virtual root, -1 when no root reaches it. */
  idom: Int32Array;
  /** Own size plus the sizes of every node it dominates. */
  retained: Float64Array;
  /** Number of nodes it dominates, itself included. */
  retainedCount: Int32Array;
  /** Nodes reachable from the roots. */
  reachable: number;
}

export function dominators(g: HeapGraph): Dominance {
  const n = g.nodeCount;
  const V = n; // the virtual root
  const N = n + 1;
  const { edgeStart, edgeTo } = g;
  const rootNodes = [...new Set(g.roots.map((r) => r.node))];
  const isRoot = new Uint8Array(n);
  for (const r of rootNodes) isRoot[r] = 1;
  const idom = new Int32Array(n).fill(-1);

  // A leaf with one reference (an int, a string, an object without properties: most of a
  // heap) is dominated by what references it and dominates nothing: it is settled here and
  // kept out of the DFS and of Lengauer–Tarjan, which then run on a fraction of the nodes.
  const inDegree = new Int32Array(n);
  for (let e = 0; e < g.edgeCount; e++) inDegree[edgeTo[e]!]!++;

  // Preorder DFS from the virtual root; dfnum -2 marks a settled leaf.
  const dfnum = new Int32Array(N).fill(-1);
  const vertex = new Int32Array(N);
  const parent = new Int32Array(N);
  let count = 0;
  let leaves = 0;
  {
    const stack = new Int32Array(N);
    const cursor = new Int32Array(N);
    let sp = 0;
    dfnum[V] = count; vertex[count++] = V; stack[sp] = V; cursor[sp++] = 0;
    while (sp > 0) {
      const v = stack[sp - 1]!;
      let w = -1;
      if (v === V) {
        while (cursor[sp - 1]! < rootNodes.length) { const c = rootNodes[cursor[sp - 1]!++]!; if (dfnum[c]! === -1) { w = c; break; } }
      } else {
        const end = edgeStart[v + 1]!;
        let e = edgeStart[v]! + cursor[sp - 1]!;
        while (e < end) {
          const c = edgeTo[e++]!;
          if (dfnum[c]! !== -1) continue;
          if (inDegree[c] === 1 && edgeStart[c + 1] === edgeStart[c] && !isRoot[c]) { dfnum[c] = -2; idom[c] = v; leaves++; continue; }
          w = c;
          break;
        }
        cursor[sp - 1] = e - edgeStart[v]!;
      }
      if (w < 0) { sp--; continue; }
      dfnum[w] = count; vertex[count] = w; parent[count] = dfnum[v]!; count++;
      stack[sp] = w; cursor[sp++] = 0;
    }
  }

  // Predecessors in DFS-number space (reverse CSR over the DFS's nodes: settled leaves and
  // nodes no root reaches are left out).
  const predStart = new Int32Array(count + 1);
  for (let v = 0; v < n; v++) {
    if (dfnum[v]! < 0) continue;
    for (let e = edgeStart[v]!, end = edgeStart[v + 1]!; e < end; e++) { const t = dfnum[edgeTo[e]!]!; if (t > 0) predStart[t + 1]!++; }
  }
  for (let i = 0; i < count; i++) predStart[i + 1]! += predStart[i]!;
  const predList = new Int32Array(predStart[count]!);
  {
    const fill = predStart.slice(0, count);
    for (let v = 0; v < n; v++) {
      const dv = dfnum[v]!;
      if (dv < 0) continue;
      for (let e = edgeStart[v]!, end = edgeStart[v + 1]!; e < end; e++) { const t = dfnum[edgeTo[e]!]!; if (t > 0) predList[fill[t]!++] = dv; }
    }
  }

  // Lengauer–Tarjan in DFS-number space; 0 is the virtual root.
  const semi = new Int32Array(count);
  const label = new Int32Array(count);
  const ancestor = new Int32Array(count).fill(-1);
  const idomD = new Int32Array(count);
  const bucketHead = new Int32Array(count).fill(-1);
  const bucketNext = new Int32Array(count).fill(-1);
  const stack = new Int32Array(count);
  for (let i = 0; i < count; i++) { semi[i] = i; label[i] = i; }

  const evaluate = (v: number): number => {
    if (ancestor[v]! < 0) return v;
    // compress(v), iteratively: walk up while the ancestor has an ancestor, then fix labels top-down.
    let sp = 0;
    let u = v;
    while (ancestor[ancestor[u]!]! >= 0) { stack[sp++] = u; u = ancestor[u]!; }
    while (sp > 0) {
      const x = stack[--sp]!;
      const a = ancestor[x]!;
      if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
      ancestor[x] = ancestor[a]!;
    }
    return label[v]!;
  };

  for (let i = count - 1; i >= 1; i--) {
    if (isRoot[vertex[i]!]) semi[i] = 0;
    for (let e = predStart[i]!, end = predStart[i + 1]!; e < end; e++) {
      const u = evaluate(predList[e]!);
      if (semi[u]! < semi[i]!) semi[i] = semi[u]!;
    }
    const s = semi[i]!;
    bucketNext[i] = bucketHead[s]!;
    bucketHead[s] = i;
    const p = parent[i]!;
    ancestor[i] = p;
    for (let b = bucketHead[p]!; b >= 0; b = bucketNext[b]!) {
      const u = evaluate(b);
      idomD[b] = semi[u]! < semi[b]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let i = 1; i < count; i++) if (idomD[i] !== semi[i]) idomD[i] = idomD[idomD[i]!]!;

  const retained = new Float64Array(n);
  const retainedCount = new Int32Array(n);
  for (let i = 1; i < count; i++) {
    const v = vertex[i]!;
    idom[v] = vertex[idomD[i]!]!;
    retained[v] = g.size[v]!;
    retainedCount[v] = 1;
  }
  // Settled leaves first, into what references them; then children come after their
  // dominators in preorder: sum from the end.
  if (leaves > 0) {
    for (let v = 0; v < n; v++) {
      if (dfnum[v] !== -2) continue;
      const d = idom[v]!;
      retained[v] = g.size[v]!;
      retainedCount[v] = 1;
      retained[d]! += g.size[v]!;
      retainedCount[d]!++;
    }
  }
  for (let i = count - 1; i >= 1; i--) {
    const v = vertex[i]!;
    const d = idom[v]!;
    if (d !== V) { retained[d]! += retained[v]!; retainedCount[d]! += retainedCount[v]!; }
  }
  return { idom, retained, retainedCount, reachable: count - 1 + leaves };
}
