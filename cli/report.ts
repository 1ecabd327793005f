import { createHash } from 'node:crypto';
import type { BaselineEntry } from '../engine/baseline.js';
import { LineIndex } from '../engine/positions.js';
import type { Finding, Severity } from '../engine/types.js';
import { SEVERITY_RANK } from '../engine/types.js';
import type { Shard } from './args.js';
import type { RuleInfo } from './meta.js';

// What every formatter receives: the linted files in a deterministic order, with display paths
// and (for files with findings) their text, plus the rules' metadata.

export interface ReportFile {
  abs: string;
  /** `/`-separated path shown to users and CI (relative to the working directory). */
  path: string;
  text?: string;
  findings: Finding[];
}

export interface Report {
  files: ReportFile[];
  /** Absolute folder that `path`s are relative to. */
  base: string;
  version: string;
  rules: RuleInfo[];
  shard?: Shard;
  baseline?: { file: string; suppressed: number; stale: BaselineEntry[] };
}

export interface FormatOptions { color: boolean }

export type Formatter = (report: Report, opts: FormatOptions) => string;

export interface Counts { total: number; fixable: number; bySeverity: Record<Severity, number> }

export function countFindings(files: readonly ReportFile[]): Counts {
  const c: Counts = { total: 0, fixable: 0, bySeverity: { error: 0, warning: 0, info: 0, hint: 0 } };
  for (const f of files) {
    for (const x of f.findings) {
      c.total++;
      c.bySeverity[x.severity]++;
      if (x.fixes.length > 0) c.fixable++;
    }
  }
  return c;
}

export function atLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

/** 1-based line/column of a finding's start and exclusive end (SARIF's convention). */
export function lineCol(f: Finding): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: f.range.start.line, column: f.range.start.column + 1, endLine: f.range.end.line, endColumn: f.range.end.column + 1 };
}

/**
 * Fingerprints that survive line moves: rule, path, message and the trimmed text of the
 * finding's line, plus an occurrence number among identical ones in the file. Used by SARIF
 * partialFingerprints and GitLab Code Quality.
 */
export function fingerprints(file: ReportFile): string[] {
  const lines = file.text !== undefined ? new LineIndex(file.text) : null;
  const seen = new Map<string, number>();
  return file.findings.map((f) => {
    const code = lines ? lines.lineText(f.range.start.line).trim().replace(/\s+/g, ' ') : '';
    const base = `${f.ruleId}\0${file.path}\0${f.message}\0${code}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return createHash('sha256').update(`${base}\0${n}`).digest('hex');
  });
}

/** Characters not allowed in XML 1.0 documents, dropped; the five specials escaped. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[<>&"']/g, (c) => (
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;'));
}

export function pluralize(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
