import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver/node.js';
import { lintText } from '../../engine/lint.js';
import { rules } from '../../rules/index.js';

// What the server should publish for a text, computed in this process with the engine (default
// configuration): the oracle the protocol tests compare the server's diagnostics with.

export interface Brief { code: string; line: number; character: number; endLine: number; endCharacter: number; severity: number }

const SEV = { error: 1, warning: 2, info: 3, hint: 4 } as const;

export function expected(text: string, path = '/ws/src/file.php'): Brief[] {
  const ids = new Set(rules.map((r) => r.meta.id));
  return lintText({ path, text, rules: rules.map((rule) => ({ rule })), knownRuleIds: ids, isTestFile: false }).map((f) => ({
    code: f.ruleId, line: f.range.start.line - 1, character: f.range.start.column,
    endLine: f.range.end.line - 1, endCharacter: f.range.end.column, severity: SEV[f.severity],
  }));
}

export function brief(ds: readonly Diagnostic[]): Brief[] {
  return ds.map((d) => ({
    code: String(d.code), line: d.range.start.line, character: d.range.start.character,
    endLine: d.range.end.line, endCharacter: d.range.end.character, severity: d.severity ?? 0,
  }));
}

/** Client-side copy of a document, to know the text the server should have after edits. */
export class Mirror {
  doc: TextDocument;
  constructor(uri: string, text: string) { this.doc = TextDocument.create(uri, 'php', 1, text); }
  apply(changes: TextDocumentContentChangeEvent[]): number {
    this.doc = TextDocument.update(this.doc, changes, this.doc.version + 1);
    return this.doc.version;
  }
  get text(): string { return this.doc.getText(); }
  get version(): number { return this.doc.version; }
}
