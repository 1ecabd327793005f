import type { Row } from './rows.js';
import type { Snapshot } from './snapshot.js';

// Growth between two dumps of the same process (after N and 2N jobs). Addresses differ from one
// dump to the next, so containers are matched by their collapsed path. A container grows when
// the same containers (same count) hold more entries; containers that merely multiply (the
// payload array of every listener) are the elements of a growing one, not a leak of their own.

export type GrowthStatus = 'growing' | 'flat' | 'shrinking' | 'multiplied' | 'new';

export interface Growth {
  row: Row;
  status: GrowthStatus;
  before: { instances: number; entries: number; retained: number } | null;
  /** after − before. */
  entries: number;
  retained: number;
  /** Per unit of work, when the number of iterations between the dumps is known. */
  perIteration?: { entries: number; retained: number };
}

export function compare(a: Snapshot, b: Snapshot, iterations?: number): Growth[] {
  const before = new Map(a.rows.map((r) => [r.path, r]));
  const out: Growth[] = [];
  for (const row of b.rows) {
    if (row.collapsedInto) continue;
    const old = before.get(row.path);
    const entries = row.entries - (old?.entries ?? 0);
    const retained = row.retained - (old?.retained ?? 0);
    const status: GrowthStatus = !old ? 'new'
      : row.instances > old.instances ? 'multiplied'
      : entries > 0 ? 'growing' : entries < 0 ? 'shrinking' : 'flat';
    const g: Growth = { row, status, before: old ? { instances: old.instances, entries: old.entries, retained: old.retained } : null, entries, retained };
    if (iterations && iterations > 0) g.perIteration = { entries: entries / iterations, retained: retained / iterations };
    out.push(g);
  }
  out.sort((x, y) => rank(y) - rank(x) || y.retained - x.retained || y.entries - x.entries || y.row.retained - x.row.retained || (x.row.path < y.row.path ? -1 : 1));
  return out;
}

function rank(g: Growth): number {
  return g.status === 'growing' ? 2 : g.status === 'flat' ? 1 : 0;
}
