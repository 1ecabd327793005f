import { dominators, type Dominance } from './dominators.js';
import { fmt, readDump, type DumpRead } from './dump-reader.js';
import type { HeapGraph } from './graph.js';
import { buildPaths, type PathIndex } from './paths.js';
import { containerRows, type Row } from './rows.js';

// One dump, analysed: the graph, retained sizes, names and container rows.

export interface Snapshot {
  file: string;
  bytes: number;
  /** The dump's header (memory_usage, peak_memory_usage, ...). */
  header: Record<string, number>;
  items: number;
  references: number;
  /** Bytes of every item; of the items no root reaches (and how many). */
  totalSize: number;
  unreachable: { items: number; size: number };
  rows: Row[];
  skipped: string[];
  /** Kept for ref paths; dropped by `release()` once rows are all that is needed. */
  graph: HeapGraph | null;
  dom: Dominance | null;
  paths: PathIndex | null;
}

export async function loadSnapshot(file: string): Promise<Snapshot> {
  return analyse(file, await readDump(file));
}

export function analyse(file: string, read: DumpRead): Snapshot {
  const g = read.graph;
  const dom = dominators(g);
  const paths = buildPaths(g);
  let total = 0, lostSize = 0, lost = 0;
  for (let v = 0; v < g.nodeCount; v++) {
    total += g.size[v]!;
    if (dom.idom[v] === -1) { lost++; lostSize += g.size[v]!; }
  }
  const skipped = [...read.skipped];
  if (lost > 0) skipped.push(`${fmt(lost)} items (${fmt(lostSize)} bytes) are not reachable from any root: not ranked`);
  return {
    file, bytes: read.bytes, header: g.header, items: g.nodeCount, references: g.edgeCount, totalSize: total,
    unreachable: { items: lost, size: lostSize }, rows: containerRows(g, dom, paths), skipped, graph: g, dom, paths,
  };
}

/** Drops the graph (ref paths need it; a comparison only needs the rows). */
export function release(s: Snapshot): void {
  s.graph = null;
  s.dom = null;
  s.paths = null;
}
