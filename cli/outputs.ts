import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Severity } from '../engine/types.js';
import { UsageError, type CliOptions, type FormatName, type ReportTarget } from './args.js';
import { writeOutputFile } from './output-file.js';
import { FORMATTERS } from './formatters/index.js';
import { atLeast, type Report } from './report.js';

// Which reports a run writes, and where: every --format name[:file], -o for the one without a
// file, and GitHub annotations added under GitHub Actions when no format was chosen (as
// PHPStan does). Each report leaves out findings below its minimum severity.

export interface PlannedReport extends ReportTarget {
  /** Added because the run is under GitHub Actions, not asked for. */
  auto?: boolean;
}

/**
 * Formats whose findings show up as failures or review comments (a PR annotation, a failing
 * JUnit test case, a GitLab code-quality entry in the merge request): info and hint are
 * suggestions, left out unless --min-severity/--include-info asks for them. The other formats
 * are complete records (stylish, json, sarif and checkstyle carry the severity for their
 * consumers to filter).
 */
export const REVIEW_MIN_SEVERITY: Partial<Record<FormatName, Severity>> = { github: 'warning', gitlab: 'warning', junit: 'warning' };

export function planReports(o: CliOptions, env: NodeJS.ProcessEnv, cwd: string): PlannedReport[] {
  const plan: PlannedReport[] = o.reports.length > 0 ? o.reports.map((r) => ({ ...r })) : [{ format: 'stylish' }];
  const toStdout = plan.filter((r) => r.file === undefined);
  if (o.output !== undefined) {
    if (toStdout.length === 0) throw new UsageError('-o/--output: every --format already names its file');
    if (toStdout.length > 1) throw new UsageError(`-o/--output: ${toStdout.length} formats without a file (${toStdout.map((r) => r.format).join(', ')}); name each one's file: -f ${toStdout[1]!.format}:<file>`);
    toStdout[0]!.file = o.output;
  } else if (toStdout.length > 1) {
    throw new UsageError(`${toStdout.length} formats to standard output (${toStdout.map((r) => r.format).join(', ')}); name all but one's file: -f ${toStdout[1]!.format}:<file>`);
  }
  const files = plan.flatMap((r) => (r.file !== undefined ? [resolve(cwd, r.file)] : []));
  const dup = files.find((f, i) => files.indexOf(f) !== i);
  if (dup !== undefined) throw new UsageError(`two reports to the same file ${dup}`);
  if (o.reports.length === 0 && env.GITHUB_ACTIONS === 'true') plan.push({ format: 'github', auto: true });
  return plan;
}

/** The report as one format shows it: findings below its minimum severity left out. */
export function reportFor(format: FormatName, report: Report, minSeverity: Severity | undefined): Report {
  const min = minSeverity ?? REVIEW_MIN_SEVERITY[format];
  if (!min) return report;
  return { ...report, files: report.files.map((f) => ({ ...f, findings: f.findings.filter((x) => atLeast(x.severity, min)) })) };
}

/** Writes every planned report; those without a file go to stdout unless it carries other text. */
export function writeReports(plan: readonly PlannedReport[], report: Report, o: CliOptions, cwd: string, stdout: { write(s: string): unknown }, stdoutColor: boolean, stdoutTaken: boolean): void {
  for (const r of plan) {
    if (r.file === undefined && stdoutTaken) continue;
    const text = FORMATTERS[r.format](reportFor(r.format, report, o.minSeverity), { color: r.file === undefined ? stdoutColor : o.color === true, verbose: o.verbose });
    if (r.file !== undefined) writeOutputFile(resolve(cwd, r.file), text, 'report');
    else stdout.write(text);
  }
}
