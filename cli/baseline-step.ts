import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeOutputFile } from './output-file.js';
import { BaselineMatcher, createBaseline, loadBaseline, serializeBaseline, type BaselineEntry } from '../engine/baseline.js';
import { toRelative } from '../engine/discover.js';
import type { CliOptions } from './args.js';
import type { FileOutcome } from './lint-files.js';
import { pluralize } from './report.js';
import type { RunSettings } from './settings.js';

// The CLI's use of the baseline (engine/baseline.ts): which file, generating it, and filtering
// a run's findings through it. Stale entries (findings that were fixed) are reported as a
// notice and do not change the exit code: fixing code must never break a build; regenerate
// the baseline to drop them.

export function baselinePath(o: CliOptions, settings: RunSettings, cwd: string): string {
  if (typeof o.generateBaseline === 'string') return resolve(cwd, o.generateBaseline);
  if (o.baseline !== undefined) return resolve(cwd, o.baseline);
  return resolve(settings.cfg.root, settings.cfg.baseline);
}

export function writeBaseline(file: string, outcomes: readonly FileOutcome[]): string {
  const dir = dirname(file);
  const b = createBaseline(outcomes.map((o) => ({ file: toRelative(dir, o.target.abs), findings: o.findings, ...(o.text !== undefined ? { text: o.text } : {}) })));
  writeOutputFile(file, serializeBaseline(b), 'baseline');
  const n = b.entries.reduce((s, e) => s + e.count, 0);
  return `phpleak: wrote ${file} with ${pluralize(b.entries.length, 'entry').replace(/entrys$/, 'entries')} (${pluralize(n, 'finding')} accepted)`;
}

/** `legacy`: a version 1 baseline (matched by file and rule only; the CLI says to regenerate it). */
export interface BaselineApplied { file: string; suppressed: number; stale: BaselineEntry[]; legacy: boolean }

/** Filters the outcomes' findings in place; null when no baseline applies. */
export function applyBaseline(o: CliOptions, file: string, outcomes: FileOutcome[], whole: boolean): BaselineApplied | null {
  if (o.noBaseline) return null;
  if (o.baseline === undefined && !existsSync(file)) return null;
  const matcher = new BaselineMatcher(loadBaseline(file));
  const dir = dirname(file);
  const linted = new Set<string>();
  let suppressed = 0;
  for (const out of outcomes) {
    const rel = toRelative(dir, out.target.abs);
    linted.add(rel);
    const r = matcher.filter(rel, out.findings, out.text);
    out.findings = r.kept;
    suppressed += r.suppressed;
  }
  // Entries of files not linted in this run cannot be judged, unless the whole project was
  // linted and the file is gone.
  const stale = matcher.stale((f) => linted.has(f) || (whole && !existsSync(resolve(dir, f))));
  return { file, suppressed, stale, legacy: matcher.legacy };
}

export function staleNotice(b: BaselineApplied, cwd: string): string[] {
  const rel = toRelative(cwd, b.file) || b.file;
  const regenerate = `phpleak --generate-baseline${rel === 'phpleak-baseline.json' ? '' : `=${rel}`}`;
  const legacy = b.legacy
    ? [`phpleak: ${rel} was written by phpleak 0.1 (baseline version 1): its entries are matched by file and rule only; regenerate it with ${regenerate} to match each finding by its message and code`]
    : [];
  if (b.stale.length === 0) return legacy;
  const n = b.stale.reduce((s, e) => s + e.count, 0);
  const shown = b.stale.slice(0, 10).map((e) => `  ${e.file}: ${e.rule}${e.count > 1 ? ` ×${e.count}` : ''}: ${e.message}`);
  return [
    ...legacy,
    `phpleak: ${pluralize(n, 'baseline finding')} no longer reported (fixed): remove ${n === 1 ? 'it' : 'them'} with ${regenerate}`,
    ...shown,
    ...(b.stale.length > 10 ? [`  … and ${b.stale.length - 10} more entries`] : []),
  ];
}
