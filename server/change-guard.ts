import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node.js';

// didChange applied all or nothing. vscode-languageserver-textdocument clamps a range that lies
// outside the text (line 50 of a 10-line document becomes its end) and reads NaN positions as
// offsets, so a client that is out of step would silently get a corrupted document. A change
// that does not fit the text as the earlier changes of the same notification leave it rejects
// the whole notification; the document keeps its text and version.
//
// Allowed, as the LSP says: a character past the end of its line (it means the line's end), and
// `{ line: lineCount, character: 0 }` (the end of the text), which some clients send.

export type ChangeResult = { doc: TextDocument } | { error: string; restored?: TextDocument };

export function applyChanges(doc: TextDocument, changes: unknown, version: unknown): ChangeResult {
  if (!Array.isArray(changes)) return { error: 'contentChanges is not an array' };
  if (typeof version !== 'number' || !Number.isInteger(version)) return { error: `the version ${JSON.stringify(version)} is not an integer` };
  const before = { text: doc.getText(), version: doc.version };
  let current = doc;
  for (let i = 0; i < changes.length; i++) {
    const problem = checkChange(current, changes[i]);
    if (problem !== null) {
      // TextDocument.update changes the document in place: the earlier changes are undone by
      // making the document anew from the text it had.
      if (i > 0) return { error: `change ${i + 1} of ${changes.length}: ${problem}`, ...restore(doc, before) };
      return { error: `change ${i + 1} of ${changes.length}: ${problem}` };
    }
    current = TextDocument.update(current, [changes[i] as TextDocumentContentChangeEvent], version);
  }
  return { doc: current };
}

function restore(doc: TextDocument, before: { text: string; version: number }): { restored: TextDocument } {
  return { restored: TextDocument.create(doc.uri, doc.languageId, before.version, before.text) };
}

/** Whether the change fits the document; null if it does. */
export function checkChange(doc: TextDocument, change: unknown): string | null {
  if (typeof change !== 'object' || change === null) return 'not an object';
  const c = change as { text?: unknown; range?: unknown };
  if (typeof c.text !== 'string') return 'its text is not a string';
  if (c.range === undefined) return null;
  const r = c.range as { start?: unknown; end?: unknown } | null;
  if (typeof r !== 'object' || r === null) return 'its range is not an object';
  const start = position(doc, r.start, 'start');
  if (typeof start === 'string') return start;
  const end = position(doc, r.end, 'end');
  if (typeof end === 'string') return end;
  if (doc.offsetAt(end) < doc.offsetAt(start)) return 'its range ends before it starts';
  return null;
}

function position(doc: TextDocument, p: unknown, which: string): { line: number; character: number } | string {
  const q = p as { line?: unknown; character?: unknown } | null;
  if (typeof q !== 'object' || q === null) return `its range ${which} is not a position`;
  const { line, character } = q;
  if (!isNat(line) || !isNat(character)) return `its range ${which} ${JSON.stringify(p)} is not a pair of non-negative integers`;
  if (line > doc.lineCount || (line === doc.lineCount && character !== 0)) {
    return `its range ${which} (line ${line}, character ${character}) is beyond the end of the document (${doc.lineCount} line${doc.lineCount === 1 ? '' : 's'}, 0-based)`;
  }
  return { line, character };
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
