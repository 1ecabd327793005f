import type { BaselineEntry } from '../engine/baseline.js';
import { toRelative } from '../engine/discover.js';
import { fingerprints as identityFingerprints } from '../engine/identity.js';
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
  /**
   * Absolute project root (cli/project-root.ts): fingerprints name files relative to it, never
   * to the working directory, so they do not change when phpleak runs from another folder.
   */
  root: string;
  version: string;
  rules: RuleInfo[];
  shard?: Shard;
  baseline?: { file: string; suppressed: number; stale: BaselineEntry[] };
}

/** `verbose`: the human format also shows each finding's details and related locations. */
export interface FormatOptions { color: boolean; verbose?: boolean }

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
 * The findings' fingerprints (SARIF partialFingerprints, GitLab fingerprint): the finding
 * identity of engine/identity.ts (rule, project-relative file, line-free message, normalised code
 * at the finding), the same the baseline matches on.
 */
export function fingerprints(file: ReportFile, root: string): string[] {
  return identityFingerprints(toRelative(root, file.abs), file.text, file.findings);
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
