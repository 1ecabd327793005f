import { fmt } from './dump-reader.js';
import type { HeapEntry } from './report.js';
import type { Held } from './rows.js';

// Words and numbers for heap evidence, shared by the CLI report and the LSP's diagnostics and
// hover: "+1,000 entries between the dumps (1 per iteration), 287.0 KB retained".

export function bytes(n: number): string {
  const a = Math.abs(n);
  if (a < 1024) return `${Math.round(n)} B`;
  if (a < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (a < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

export function count(n: number): string {
  return fmt(n);
}

export function signed(n: number, unit: (x: number) => string = count): string {
  return `${n >= 0 ? '+' : '-'}${unit(Math.abs(n))}`;
}

/** "1.5", "1", "0.25" per iteration. */
export function rate(n: number): string {
  const a = Math.abs(n);
  const s = a >= 100 || Number.isInteger(a) ? count(a) : a >= 1 ? a.toFixed(1).replace(/\.0$/, '') : a.toPrecision(2);
  return (n < 0 ? '-' : '+') + s;
}

const plural = (n: number, one: string, many = `${one}s`): string => (Math.round(n) === 1 ? one : many);

/** One line: what the heap says about the container. */
export function evidenceText(e: HeapEntry): string {
  const g = e.growth;
  if (!g) return `heap: ${count(e.entries)} ${plural(e.entries, 'entry', 'entries')} in ${e.path}, ${bytes(e.retained)} retained (one dump: size, not growth)`;
  if (g.status !== 'growing') return `heap: ${e.path} did not grow between the dumps (${count(e.entries)} ${plural(e.entries, 'entry', 'entries')}, ${bytes(e.retained)} retained)`;
  const per = g.perIteration ? ` (per iteration: ${perIteration(g.perIteration)})` : '';
  return `heap: ${signed(g.entries)} ${plural(g.entries, 'entry', 'entries')} in ${e.path} between the dumps${per}, ${bytes(e.retained)} retained (${signed(g.retained, bytes)})`;
}

/** "User ×2,000 (287.0 KB)"; for closures, what they bind: "Closure ×2,000, each binding $this: RequestHandler (1.2 MB for all)". */
export function heldText(h: Held): string {
  const base = `${h.what} ×${count(h.count)} (${bytes(h.retained)})`;
  if (!h.keeps || h.keeps.length === 0) return base;
  return `${base}, each binding ${h.keeps.map((k) => `${k.what}${k.count !== h.count ? ` ×${count(k.count)}` : ''} (${bytes(k.retained / Math.max(1, k.count))} each, ${bytes(k.retained)} for all)`).join(', ')}`;
}

/** "+1 entry, +147 B" */
export function perIteration(p: { entries: number; retained: number }): string {
  return `${rate(p.entries)} ${Math.abs(p.entries) === 1 ? 'entry' : 'entries'}, ${signed(p.retained, bytes)}`;
}
