import type { Dominance } from './dominators.js';
import { NODE_TYPES, T_ARRAY, T_OBJECT, type HeapGraph } from './graph.js';
import { isClosure, PHP_GLOBALS, segKind, type PathIndex } from './paths.js';

// The containers of a dump, one row per collapsed path: what holds how many entries and how
// much memory. Leaks in PHP are containers that only grow (an array cache, a listener list, a
// static registry), so rows are arrays (and stdClass/ArrayObject used as maps), grouped by
// their name in source terms, with the declaration that owns them and what they hold.

/** The declaration a container hangs on: what the join with the code looks up. */
export type Owner =
  | { kind: 'property'; cls: string; name: string }
  | { kind: 'static'; cls: string; name: string }
  | { kind: 'global'; name: string }
  | { kind: 'local'; frame: string; name: string };

export function ownerText(o: Owner): string {
  switch (o.kind) {
    case 'property': case 'static': return `${o.cls}::$${o.name}`;
    case 'global': return `global $${o.name}`;
    case 'local': return `$${o.name} in ${o.frame}()`;
  }
}

/** What a container's entries are: `User ×2,000`; for closures, what they bind (`$this: RequestHandler`). */
export interface Held { what: string; count: number; retained: number; keeps?: Held[] }

export interface Row {
  path: string;
  owner: Owner;
  /** Containers with this path (a list of lists has many). */
  instances: number;
  /** Entries (array elements, properties) summed over the instances. */
  entries: number;
  /** Bytes of the containers themselves, and with everything only they keep alive. */
  self: number;
  retained: number;
  retainedItems: number;
  holds: Held[];
  /** A container of this path (a node index of its dump). */
  sample: number;
  /** Set when one nested container holds (almost) all of this one: shown under that one's path. */
  collapsedInto?: string;
}

const MAP_CLASSES = new Set(['stdClass', 'ArrayObject', 'ArrayIterator']);
const HOLDS_SHOWN = 3;

export function containerRows(g: HeapGraph, dom: Dominance, paths: PathIndex): Row[] {
  const { trie, pathId } = paths;
  const mapClasses = new Set([...MAP_CLASSES].map((c) => g.strings.list.indexOf(c)).filter((i) => i >= 0));
  const byPath = new Map<number, Row & { pid: number; heldBy: Map<string, Held> }>();
  const excludedRoot = new Map<number, boolean>();
  for (let v = 0; v < g.nodeCount; v++) {
    const pid = pathId[v]!;
    if (pid < 0) continue;
    const t = g.type[v]!;
    if (t !== T_ARRAY && !(t === T_OBJECT && mapClasses.has(g.cls[v]!))) continue;
    let row = byPath.get(pid);
    if (!row) {
      const root = trie.rootOf(pid);
      let excluded = excludedRoot.get(root);
      if (excluded === undefined) {
        const l = trie.rootLabel.get(root);
        excluded = !l || (l.kind === 'global' && PHP_GLOBALS.has(l.name));
        excludedRoot.set(root, excluded);
      }
      if (excluded) continue;
      row = {
        pid, path: trie.name(pid), owner: ownerOf(g, paths, v), instances: 0, entries: 0, self: 0, retained: 0, retainedItems: 0,
        holds: [], sample: v, heldBy: new Map(),
      };
      byPath.set(pid, row);
    }
    row.instances++;
    const from = g.edgeStart[v]!, to = g.edgeStart[v + 1]!;
    row.entries += to - from;
    row.self += g.size[v]!;
    row.retained += dom.retained[v]!;
    row.retainedItems += dom.retainedCount[v]!;
    for (let e = from; e < to; e++) tallyHeld(g, dom, row.heldBy, g.edgeTo[e]!);
  }
  const rows = [...byPath.values()];
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  for (const r of rows) {
    r.holds = topHeld(r.heldBy);
    // A one-container row that only wraps one nested container (`->listeners` around
    // `['terminate']`) is shown as that nested one.
    const parent = byPid.get(trie.parent.data[r.pid]!);
    if (parent && parent.instances === 1 && r.instances === 1 && r.retained >= 0.9 * parent.retained) parent.collapsedInto = r.path;
  }
  rows.sort((a, b) => b.retained - a.retained || (a.path < b.path ? -1 : 1));
  return rows.map(({ pid: _p, heldBy: _h, ...r }) => r);
}

function describeNode(g: HeapGraph, v: number): string {
  return g.type[v] === T_OBJECT ? g.strings.get(g.cls[v]!) || 'object' : NODE_TYPES[g.type[v]!] ?? 'unknown';
}

function tallyHeld(g: HeapGraph, dom: Dominance, m: Map<string, Held>, child: number): void {
  const what = describeNode(g, child);
  let h = m.get(what);
  if (!h) { h = { what, count: 0, retained: 0 }; m.set(what, h); }
  h.count++;
  h.retained += dom.idom[child] !== -1 ? dom.retained[child]! : 0;
  if (isClosure(g, child)) {
    const keeps = (h as Held & { keepsBy?: Map<string, Held> }).keepsBy ??= new Map();
    for (let e = g.edgeStart[child]!, end = g.edgeStart[child + 1]!; e < end; e++) {
      const w = g.edgeTo[e]!;
      const key = g.edgeKey[e]!;
      const what2 = `$${key >= 0 ? g.strings.get(key) : '?'}: ${describeNode(g, w)}`;
      let k = keeps.get(what2);
      if (!k) { k = { what: what2, count: 0, retained: 0 }; keeps.set(what2, k); }
      k.count++;
      // What the closure alone keeps: the bound object's retained size when the closure dominates it.
      if (dom.idom[w] === child) k.retained += dom.retained[w]!;
    }
  }
}

function topHeld(m: Map<string, Held>): Held[] {
  const order = (a: Held, b: Held) => b.retained - a.retained || b.count - a.count || (a.what < b.what ? -1 : 1);
  return [...m.values()].sort(order).slice(0, HOLDS_SHOWN).map((h) => {
    const keepsBy = (h as Held & { keepsBy?: Map<string, Held> }).keepsBy;
    const out: Held = { what: h.what, count: h.count, retained: h.retained };
    if (keepsBy) out.keeps = [...keepsBy.values()].sort(order).slice(0, HOLDS_SHOWN);
    return out;
  });
}

/** The declaration a node hangs on: the nearest object property or root above it (closures and arrays are looked through). */
export function ownerOf(g: HeapGraph, paths: PathIndex, node: number): Owner {
  let v = node;
  for (let guard = 0; guard < 10_000; guard++) {
    const p = paths.parent[v]!;
    if (p === -1) {
      const label = paths.trie.rootLabel.get(paths.trie.rootOf(paths.pathId[v]!))!;
      if (label.kind === 'static') return { kind: 'static', cls: label.scope ?? '', name: label.name };
      if (label.kind === 'local') return { kind: 'local', frame: label.scope ?? '', name: label.name };
      return { kind: 'global', name: label.name };
    }
    if (p < 0) break;
    const e = paths.via[v]!;
    if (g.type[p] === T_OBJECT && !isClosure(g, p) && g.edgeKey[e]! >= 0 && segKind(paths.trie, paths.pathId[v]!) === 'prop') {
      return { kind: 'property', cls: g.strings.get(g.cls[p]!), name: g.strings.get(g.edgeKey[e]!) };
    }
    v = p;
  }
  return { kind: 'global', name: '?' };
}
