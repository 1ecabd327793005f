import { TextDocumentEdit, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver/node.js';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../engine/positions.js';
import type { Finding, TextEdit } from '../engine/types.js';

// Engine edits are offsets into the analysed text; the LSP wants line/UTF-16 positions of the
// same text. Callers make sure `doc` holds exactly the text the findings were computed on.

export function toLspEdits(doc: TextDocument, edits: readonly TextEdit[]): LspTextEdit[] {
  return edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.text }));
}

/**
 * A workspace edit for one document: versioned `documentChanges` (the client refuses it if the
 * document moved on) when the client supports them, plain `changes` otherwise.
 */
export function workspaceEdit(doc: TextDocument, edits: LspTextEdit[], documentChanges: boolean): WorkspaceEdit {
  if (documentChanges) return { documentChanges: [TextDocumentEdit.create({ uri: doc.uri, version: doc.version }, edits)] };
  return { changes: { [doc.uri]: edits } };
}

/** The smallest single edit turning `from` into `to` (keeps the cursor and marks outside it). */
export function diffEdit(from: string, to: string): TextEdit {
  let start = 0;
  const max = Math.min(from.length, to.length);
  while (start < max && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && from.charCodeAt(from.length - 1 - end) === to.charCodeAt(to.length - 1 - end)) end++;
  // Never split a surrogate pair or a \r\n.
  while (start > 0 && (isLowSurrogate(from.charCodeAt(start)) || (from[start - 1] === '\r' && from[start] === '\n'))) start--;
  while (end > 0 && (isLowSurrogate(from.charCodeAt(from.length - end)) || (from[from.length - end - 1] === '\r' && from[from.length - end] === '\n'))) end--;
  return { start, end: from.length - end, text: to.slice(start, to.length - end) };
}

function isLowSurrogate(c: number): boolean { return c >= 0xdc00 && c <= 0xdfff; }

const NEXT_LINE_RE = /^([ \t]*)\/\/[ \t]*phpleak-ignore-next-line\b([ \t]+[A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*)?/;

/**
 * `// phpleak-ignore-next-line <rule>` above the finding's line, with that line's indentation
 * and the file's line endings; if the line above already is such a comment, the rule is added
 * to it instead. Null where no such comment can be placed.
 */
export function ignoreEdit(text: string, f: Finding): TextEdit | null {
  const lines = new LineIndex(text);
  const line = f.range.start.line;
  // A line that opens PHP (`<?php foo();`) starts outside PHP: a comment cannot go above it.
  if (text.slice(lines.lineStart(line), f.range.start.offset).includes('<?')) return null;
  if (line > 1) {
    const above = lines.lineText(line - 1);
    const m = NEXT_LINE_RE.exec(above);
    if (m) {
      const ids = m[2] ?? '';
      if (ids.split(/[\s,]+/).includes(f.ruleId)) return null;
      const at = lines.lineStart(line - 1) + m[0].length;
      return { start: at, end: at, text: ids ? `, ${f.ruleId}` : ` ${f.ruleId}` };
    }
  }
  const start = lines.lineStart(line);
  return { start, end: start, text: `${lines.indentOf(line)}// phpleak-ignore-next-line ${f.ruleId}${lines.eol}` };
}
