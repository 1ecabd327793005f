import { addressOf, NODE_TYPES, parseAddress, T_OBJECT, type HeapGraph } from './graph.js';
import type { Snapshot } from './snapshot.js';

// `--ref-path CLASS|0xADDR`, as php-meminfo's analyzer: the chains of references from a root
// that keep instances alive. Instances are grouped by their collapsed path (a thousand
// listeners share one chain), each group with one concrete chain of addresses as an example.
// For one address, the items that point at it are listed too (a node has one shortest chain
// but may be kept by several).

export interface RefStep { step: string; what: string; address: string }
export interface RefPathGroup { path: string; instances: number; retained: number; example: RefStep[] }
export interface RefPathResult {
  query: string;
  instances: number;
  retained: number;
  groups: RefPathGroup[];
  /** For an address: how many items reference it, and the paths of a few. */
  referrers?: { count: number; paths: string[] };
}

export class RefPathError extends Error {}

const SHOWN_REFERRERS = 5;

export function refPaths(s: Snapshot, query: string, limit = 10): RefPathResult {
  const g = s.graph, dom = s.dom, paths = s.paths;
  if (!g || !dom || !paths) throw new RefPathError('the dump was released before ref paths were asked for');
  const targets: number[] = [];
  const addr = /^0x/i.test(query.trim()) ? parseAddress(query) : null;
  if (/^0x/i.test(query.trim()) && !addr) throw new RefPathError(`"${query}" is not an address (0x followed by hex digits)`);
  if (addr) {
    for (let v = 0; v < g.nodeCount; v++) if (g.addrHi[v] === addr[0] && g.addrLo[v] === addr[1]) { targets.push(v); break; }
    if (targets.length === 0) throw new RefPathError(`no item at address ${query} in ${s.file}`);
  } else {
    const want = query.replace(/^\\/, '').toLowerCase();
    const ids = new Set<number>();
    g.strings.list.forEach((str, i) => { if (str.toLowerCase() === want) ids.add(i); });
    for (let v = 0; v < g.nodeCount; v++) if (g.type[v] === T_OBJECT && ids.has(g.cls[v]!)) targets.push(v);
    if (targets.length === 0) throw new RefPathError(`no instance of class ${query} in ${s.file}`);
  }
  const groups = new Map<number, RefPathGroup>();
  let retained = 0;
  for (const v of targets) {
    retained += dom.retained[v]!;
    const pid = paths.pathId[v]!;
    let grp = groups.get(pid);
    if (!grp) {
      grp = { path: pid >= 0 ? paths.trie.name(pid) : '(not reachable from any root)', instances: 0, retained: 0, example: pid >= 0 ? chain(s, v) : [] };
      groups.set(pid, grp);
    }
    grp.instances++;
    grp.retained += dom.retained[v]!;
  }
  const out: RefPathResult = {
    query, instances: targets.length, retained,
    groups: [...groups.values()].sort((a, b) => b.instances - a.instances || b.retained - a.retained || (a.path < b.path ? -1 : 1)).slice(0, limit),
  };
  if (addr) {
    const v = targets[0]!;
    const refs: number[] = [];
    let count = 0;
    for (let p = 0; p < g.nodeCount; p++) {
      for (let e = g.edgeStart[p]!, end = g.edgeStart[p + 1]!; e < end; e++) {
        if (g.edgeTo[e] === v) { count++; if (refs.length < SHOWN_REFERRERS) refs.push(p); break; }
      }
    }
    out.referrers = { count, paths: refs.map((p) => `${paths.pathId[p]! >= 0 ? paths.trie.name(paths.pathId[p]!) : '(unreachable)'} (${what(g, p)} ${addressOf(g, p)})`) };
  }
  return out;
}

/** The shortest chain from a root to v, one step per reference. */
function chain(s: Snapshot, v: number): RefStep[] {
  const g = s.graph!, paths = s.paths!;
  const steps: RefStep[] = [];
  for (let x = v, guard = 0; x >= 0 && guard < 100_000; guard++) {
    const p = paths.parent[x]!;
    const pid = paths.pathId[x]!;
    const step = p === -1 ? paths.trie.name(paths.trie.rootOf(pid)) : paths.trie.segText(paths.trie.seg.data[pid]!);
    steps.push({ step, what: what(g, x), address: addressOf(g, x) });
    if (p < 0) break;
    x = p;
  }
  return steps.reverse();
}

function what(g: HeapGraph, v: number): string {
  return g.type[v] === T_OBJECT ? g.strings.get(g.cls[v]!) || 'object' : NODE_TYPES[g.type[v]!] ?? 'unknown';
}
