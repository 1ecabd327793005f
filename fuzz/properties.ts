import { applyEdits } from '../engine/fixes.js';
import { LineIndex } from '../engine/positions.js';
import type { Finding, Position } from '../engine/types.js';

/** Every invariant a lint result must keep on any text; returns the violations (empty = fine). */
export function checkFindings(text: string, findings: readonly Finding[]): string[] {
  const out: string[] = [];
  const lines = new LineIndex(text);
  const posOk = (p: Position, what: string): void => {
    if (!(p.offset >= 0 && p.offset <= text.length)) out.push(`${what} offset ${p.offset} outside 0..${text.length}`);
    const exp = lines.position(p.offset);
    if (exp.line !== p.line || exp.column !== p.column) out.push(`${what} ${p.line}:${p.column} does not match offset ${p.offset} (${exp.line}:${exp.column})`);
  };
  for (const f of findings) {
    // The engine turns its own crashes into findings; under fuzzing each one is a bug to fix.
    if (f.ruleId === 'internal-error') out.push(`internal-error: ${f.message}`);
    posOk(f.range.start, `${f.ruleId} start`);
    posOk(f.range.end, `${f.ruleId} end`);
    if (f.range.end.offset < f.range.start.offset) out.push(`${f.ruleId} range ends before it starts`);
    for (const r of f.related) { posOk(r.range.start, `${f.ruleId} related start`); posOk(r.range.end, `${f.ruleId} related end`); }
    for (const fix of f.fixes) {
      if (applyEdits(text, fix.edits) === null) out.push(`${f.ruleId} fix "${fix.title}" has overlapping or out-of-range edits`);
    }
  }
  return out;
}
