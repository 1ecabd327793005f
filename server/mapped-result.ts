import type { Diagnostic } from 'vscode-languageserver/node.js';
import type { Finding, Fix, Position, Range, Related, TextEdit } from '../engine/types.js';
import type { OpenDocument } from './documents.js';

// Hover and code actions answer at once from the last analysis, even while the user types and
// the next analysis is still waiting for its debounce or running (rather than wait for it, or
// fail with ContentModified). The last result was computed for older text; it is moved onto the
// current text: the two texts differ in one region (common prefix and suffix), findings and
// fix edits before it keep their offsets, those after it shift, and any that touch it are
// dropped (their code changed: the next analysis decides).

export interface Answer { findings: Finding[]; diagnostics: Diagnostic[]; version: number }

/** The last result mapped onto the document's current text, or null if there is none yet. */
export function answerNow(d: OpenDocument, toDiagnostics: (findings: Finding[]) => Diagnostic[]): Answer | null {
  const r = d.result;
  if (!r) return null;
  const version = d.doc.version;
  const now = d.doc.getText();
  if (r.text === now) return { findings: r.findings, diagnostics: r.diagnostics, version };
  const a = r.text, b = now;
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  const oldEnd = a.length - s;
  const delta = b.length - a.length;
  // [start, end) of the old text, wholly before or wholly after the changed region.
  const span = (start: number, end: number): [number, number] | null => (
    end <= p ? [start, end] : start >= oldEnd ? [start + delta, end + delta] : null);
  const pos = (offset: number): Position => {
    const lc = d.doc.positionAt(offset);
    return { line: lc.line + 1, column: lc.character, offset };
  };
  const range = (x: Range): Range | null => {
    const m = span(x.start.offset, x.end.offset);
    return m ? { start: pos(m[0]), end: pos(m[1]) } : null;
  };
  const edit = (e: TextEdit): TextEdit | null => {
    const m = span(e.start, e.end);
    return m ? { start: m[0], end: m[1], text: e.text } : null;
  };
  const findings: Finding[] = [];
  for (const f of r.findings) {
    const at = range(f.range);
    if (!at) continue;
    const related = f.related.flatMap((x): Related[] => {
      if (x.path !== undefined) return [x]; // another file: not moved by this edit
      const m = range(x.range);
      return m ? [{ ...x, range: m }] : [];
    });
    const fixes = f.fixes.flatMap((x): Fix[] => {
      const edits = x.edits.map(edit);
      return edits.every((e) => e !== null) ? [{ ...x, edits: edits as TextEdit[] }] : [];
    });
    findings.push({ ...f, range: at, related, fixes });
  }
  return { findings, diagnostics: toDiagnostics(findings), version };
}
