import type { Finding } from '../../engine/types.js';

// Fixture markers (DESIGN §8): PHP comments, so every fixture stays valid PHP.
//   $x[] = 1; // expect: rule-id            a finding of rule-id starts on this line
//   //  ^^^^^ expect: rule-id               pins the columns of a finding on the line above

export interface Marker { line: number; ruleId: string; startColumn?: number; endColumn?: number }

const EXPECT_RE = /(?:\/\/|#)\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;
const CARET_RE = /^(\s*)(?:\/\/|#)(\s*)(\^+)\s*expect:\s*([a-z0-9-]+)\s*$/;

export function readMarkers(text: string): Marker[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Marker[] = [];
  lines.forEach((raw, i) => {
    const caret = CARET_RE.exec(raw);
    if (caret) {
      const start = raw.indexOf('^');
      out.push({ line: i, ruleId: caret[4]!, startColumn: start, endColumn: start + caret[3]!.length });
      return;
    }
    const m = EXPECT_RE.exec(raw);
    if (m) for (const id of m[1]!.split(',')) out.push({ line: i + 1, ruleId: id.trim() });
  });
  return out;
}

/**
 * Matches findings and markers both ways; returns one line per mismatch (empty = all good).
 * A caret marker pins start (and end, on the same line) columns, 0-based like the ranges.
 */
export function matchMarkers(findings: readonly Finding[], markers: readonly Marker[]): string[] {
  const problems: string[] = [];
  const lineMarkers = markers.filter((m) => m.startColumn === undefined);
  const carets = markers.filter((m) => m.startColumn !== undefined);
  const unmatched = [...findings];
  for (const m of lineMarkers) {
    const i = unmatched.findIndex((f) => f.ruleId === m.ruleId && f.range.start.line === m.line);
    if (i < 0) problems.push(`missing finding: ${m.ruleId} on line ${m.line}`);
    else unmatched.splice(i, 1);
  }
  for (const f of unmatched) problems.push(`unexpected finding: ${f.ruleId} at ${f.range.start.line}:${f.range.start.column + 1}: ${f.message}`);
  for (const c of carets) {
    const f = findings.find((x) => x.ruleId === c.ruleId && x.range.start.line === c.line && x.range.start.column === c.startColumn);
    if (!f) {
      const near = findings.filter((x) => x.ruleId === c.ruleId && x.range.start.line === c.line).map((x) => `${x.range.start.column}-${x.range.end.column}`);
      problems.push(`no ${c.ruleId} finding starts at column ${c.startColumn! + 1} of line ${c.line} (found: ${near.join(', ') || 'none'})`);
      continue;
    }
    if (f.range.end.line === c.line && f.range.end.column !== c.endColumn) {
      problems.push(`${c.ruleId} on line ${c.line} ends at column ${f.range.end.column + 1}, expected ${c.endColumn! + 1}`);
    }
    if (!lineMarkers.some((m) => m.line === c.line && m.ruleId === c.ruleId)) {
      problems.push(`caret marker for ${c.ruleId} on line ${c.line} needs an \`// expect: ${c.ruleId}\` on that line too`);
    }
  }
  return problems;
}
