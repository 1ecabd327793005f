import type { Finding, Range, Severity } from '../types.js';
import { compare, type GrowthStatus } from './growth.js';
import { findingsAt, type DeclarationIndex } from './join.js';
import { ownerText, type Held, type Owner, type Row } from './rows.js';
import type { Snapshot } from './snapshot.js';

// The report of `phpleak heap` (and the LSP's evidence): containers ranked by growth (two dumps)
// or retained size (one), each joined with its declaration and the static findings there.
// Plain data: the CLI formats it, the server turns it into diagnostics.

/**
 * - confirmed: it grew, and a rule flags its declaration;
 * - heap-only: it grew at a declaration of the project where no rule fired (static analysis missed it);
 * - unmapped: it grew, but its owner is not declared in the project (a global, a vendor class);
 * - not-growing: a rule flags it, and it did not grow between these dumps;
 * - held: one dump only: what it holds (no growth claim).
 */
export type Verdict = 'confirmed' | 'heap-only' | 'unmapped' | 'not-growing' | 'held' | 'flat';

export interface FindingRef { ruleId: string; severity: Severity; path: string; range: Range; message: string; tip?: string }

export interface HeapEntry {
  path: string;
  owner: Owner;
  ownerText: string;
  declaration: { path: string; range: Range } | null;
  instances: number;
  entries: number;
  retained: number;
  retainedItems: number;
  holds: Held[];
  growth: {
    status: GrowthStatus;
    entriesBefore: number;
    retainedBefore: number;
    entries: number;
    retained: number;
    perIteration?: { entries: number; retained: number };
  } | null;
  verdict: Verdict;
  findings: FindingRef[];
}

export interface DumpInfo { file: string; bytes: number; items: number; memoryUsage: number | null; skipped: string[] }

export interface HeapReport {
  before: DumpInfo;
  after: DumpInfo | null;
  iterations: number | null;
  /** Ranked: by growth (two dumps: growing containers) or retained size (one dump). */
  entries: HeapEntry[];
  /** Two dumps: the largest containers that did not grow. */
  flat: HeapEntry[];
  /** Project files the join looked at (0: no project). */
  projectClasses: number;
}

/** The findings of a file of the project, and its text (for the code test of the join). */
export type FindingsOf = (path: string) => { findings: readonly Finding[]; text?: string } | undefined;

export interface ReportOptions {
  iterations?: number;
  /** Rows shown for one dump, and flat rows for two. */
  top?: number;
  declarations: DeclarationIndex;
  findingsOf: FindingsOf;
}

export function buildReport(before: Snapshot, after: Snapshot | null, opts: ReportOptions): HeapReport {
  const top = opts.top ?? 20;
  const entry = (row: Row, growth: HeapEntry['growth']): HeapEntry => {
    const decl = opts.declarations.find(row.owner);
    const f = decl ? opts.findingsOf(decl.path) : undefined;
    const hits = decl && f ? findingsAt(decl, f.findings, f.text) : [];
    const findings = hits.map((x): FindingRef => ({ ruleId: x.ruleId, severity: x.severity, path: decl!.path, range: x.range, message: x.message, ...(x.tip ? { tip: x.tip } : {}) }));
    let verdict: Verdict;
    if (!growth) verdict = findings.length ? 'held' : 'flat';
    else if (growth.status === 'growing') verdict = findings.length ? 'confirmed' : decl ? 'heap-only' : 'unmapped';
    else verdict = findings.length ? 'not-growing' : 'flat';
    return {
      path: row.path, owner: row.owner, ownerText: ownerText(row.owner), declaration: decl ? { path: decl.path, range: decl.range } : null,
      instances: row.instances, entries: row.entries, retained: row.retained, retainedItems: row.retainedItems, holds: row.holds,
      growth, verdict, findings,
    };
  };
  const info = (s: Snapshot): DumpInfo => ({
    file: s.file, bytes: s.bytes, items: s.items, memoryUsage: typeof s.header.memory_usage === 'number' ? s.header.memory_usage : null, skipped: s.skipped,
  });
  if (!after) {
    const rows = before.rows.filter((r) => !r.collapsedInto).slice(0, top);
    return { before: info(before), after: null, iterations: opts.iterations ?? null, entries: rows.map((r) => entry(r, null)), flat: [], projectClasses: opts.declarations.size };
  }
  const growths = compare(before, after, opts.iterations);
  const toEntry = (g: (typeof growths)[number]) => entry(g.row, {
    status: g.status, entriesBefore: g.before?.entries ?? 0, retainedBefore: g.before?.retained ?? 0, entries: g.entries, retained: g.retained,
    ...(g.perIteration ? { perIteration: g.perIteration } : {}),
  });
  const growing = growths.filter((g) => g.status === 'growing').map(toEntry);
  const flat = growths.filter((g) => g.status === 'flat' || g.status === 'shrinking')
    .sort((x, y) => y.row.retained - x.row.retained || (x.row.path < y.row.path ? -1 : 1)).slice(0, top).map(toEntry);
  return { before: info(before), after: info(after), iterations: opts.iterations ?? null, entries: growing, flat, projectClasses: opts.declarations.size };
}
