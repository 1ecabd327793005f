import { LineIndex } from '../../engine/positions.js';
import type { Finding, Severity } from '../../engine/types.js';
import { countFindings, pluralize, type Formatter } from '../report.js';

// The human format: one line per finding that starts with `path:line:col` (terminals and IDEs
// make it a link, as with ESLint's unix format and PHPStan's table), the severity, the one-line
// message and the rule id; under it a code frame of its line with the range underlined and the
// tip. --verbose adds the details (why, measured cost, long-running note) and the related
// locations, each again as `path:line:col`. Files are separated by a blank line; a summary line
// ends the report. Colours only when asked (a TTY without NO_COLOR).

interface Paint { bold(s: string): string; dim(s: string): string; red(s: string): string; yellow(s: string): string; blue(s: string): string; cyan(s: string): string; underline(s: string): string }

const plain: Paint = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, blue: (s) => s, cyan: (s) => s, underline: (s) => s };
const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const colored: Paint = {
  bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), yellow: ansi(33, 39), blue: ansi(34, 39), cyan: ansi(36, 39), underline: ansi(4, 24),
};

const MAX_FRAME = 160;

export const stylish: Formatter = (report, opts) => {
  const p = opts.color ? colored : plain;
  const out: string[] = [];
  for (const file of report.files) {
    if (file.findings.length === 0) continue;
    const lines = file.text !== undefined ? new LineIndex(file.text) : null;
    for (const f of file.findings) out.push(...findingLines(file.path, f, lines, p, opts.verbose ?? false));
    out.push('');
  }
  const c = countFindings(report.files);
  const linted = report.files.length;
  if (c.total === 0) {
    out.push(`${p.bold('✔')} no problems in ${pluralize(linted, 'file')}`);
  } else {
    const parts = (['error', 'warning', 'info', 'hint'] as const).filter((s) => c.bySeverity[s] > 0).map((s) => pluralize(c.bySeverity[s], s));
    const icon = c.bySeverity.error > 0 ? p.red('✖') : c.bySeverity.warning > 0 ? p.yellow('⚠') : p.blue('ℹ');
    let line = `${icon} ${pluralize(c.total, 'problem')} (${parts.join(', ')}) in ${pluralize(new Set(report.files.filter((f) => f.findings.length > 0).map((f) => f.path)).size, 'file')} of ${linted} checked`;
    const all = report.files.flatMap((f) => f.findings);
    const safe = all.filter((f) => f.fixes.some((x) => x.safety === 'safe')).length;
    const unsafe = all.filter((f) => f.fixes.length > 0 && !f.fixes.some((x) => x.safety === 'safe')).length;
    if (safe > 0) line += `; ${safe} fixable with --fix`;
    if (unsafe > 0) line += `; ${unsafe} ${safe > 0 ? 'more ' : ''}with --fix --fix-unsafe`;
    out.push(p.bold(line));
  }
  if (report.baseline && report.baseline.suppressed > 0) out.push(p.dim(`  ${pluralize(report.baseline.suppressed, 'finding')} accepted by the baseline ${report.baseline.file}`));
  return out.join('\n') + '\n';
};

function severityLabel(s: Severity, p: Paint): string {
  const padded = s.padEnd(7);
  return s === 'error' ? p.red(padded) : s === 'warning' ? p.yellow(padded) : s === 'info' ? p.blue(padded) : p.dim(padded);
}

function findingLines(path: string, f: Finding, lines: LineIndex | null, p: Paint, verbose: boolean): string[] {
  const where = `${path}:${f.range.start.line}:${f.range.start.column + 1}`;
  const out = [`${p.bold(where)}  ${severityLabel(f.severity, p)} ${f.message}  ${p.dim(f.ruleId)}`];
  if (lines) out.push(...frame(f, lines, p));
  if (verbose && f.details) out.push(`    ${f.details}`);
  if (f.tip) out.push(`    ${p.cyan('tip:')} ${f.tip}`);
  if (verbose) {
    for (const r of f.related) out.push(`    ${p.dim(`${r.path ?? path}:${r.range.start.line}:${r.range.start.column + 1}`)}  ${p.dim(r.message)}`);
  }
  return out;
}

/** The finding's first line with the range underlined (to the end of the line if it goes on). */
function frame(f: Finding, lines: LineIndex, p: Paint): string[] {
  const n = f.range.start.line;
  if (n > lines.lineCount) return [];
  const full = lines.lineText(n);
  const startCol = Math.min(f.range.start.column, full.length);
  const endCol = f.range.end.line === n ? Math.max(startCol + 1, Math.min(f.range.end.column, full.length)) : Math.max(startCol + 1, full.length);
  // Long lines (minified code): show a window around the range.
  let from = 0;
  let to = full.length;
  if (full.length > MAX_FRAME) {
    from = Math.max(0, startCol - 40);
    to = Math.min(full.length, from + MAX_FRAME);
  }
  const shown = full.slice(from, to).replace(/\s+$/, '');
  const gutter = String(n);
  const pad = ' '.repeat(gutter.length);
  // Keep tabs in the underline's lead so it lines up under the code in any tab width.
  const lead = [...full.slice(from, startCol)].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
  const width = Math.max(1, Math.min(endCol, to) - Math.max(startCol, from));
  const marks = '^'.repeat(width);
  const color = f.severity === 'error' ? p.red : f.severity === 'warning' ? p.yellow : p.blue;
  return [
    `    ${p.dim(`${gutter} |`)} ${from > 0 ? '…' : ''}${shown}${to < full.length ? '…' : ''}`,
    `    ${p.dim(`${pad} |`)} ${from > 0 ? ' ' : ''}${lead}${color(marks)}`,
  ];
}

