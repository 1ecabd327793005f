import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type DiagnosticRelatedInformation, type Range as LspRange } from 'vscode-languageserver/node.js';
import { pathToFileURL } from 'node:url';
import { ruleDocsFile, ruleDocsUrl } from '../engine/rule-docs.js';
import type { Finding, Range, Severity } from '../engine/types.js';

// Finding → LSP Diagnostic. Engine positions are 1-based lines and 0-based UTF-16 columns, so
// the conversion is exact without looking at the text.

export const SOURCE = 'phpleak';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

export function toLspRange(r: Range): LspRange {
  return { start: { line: r.start.line - 1, character: r.start.column }, end: { line: r.end.line - 1, character: r.end.column } };
}

const hasDocs = new Map<string, boolean>();
/** Rules have docs (rules/<id>.md); the engine's own findings (parse-error, ...) do not. */
export function documented(ruleId: string): boolean {
  let v = hasDocs.get(ruleId);
  if (v === undefined) { v = ruleDocsFile(ruleId) !== null; hasDocs.set(ruleId, v); }
  return v;
}

export function toDiagnostic(f: Finding, uri: string, opts: { relatedInformation: boolean }): Diagnostic {
  const d: Diagnostic = {
    range: toLspRange(f.range),
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    source: SOURCE,
    message: f.tip ? `${f.message}\n${f.tip}` : f.message,
  };
  if (documented(f.ruleId)) d.codeDescription = { href: ruleDocsUrl(f.ruleId) };
  if (f.ruleId === 'unused-ignore') d.tags = [DiagnosticTag.Unnecessary];
  if (opts.relatedInformation && (f.details || f.related.length > 0)) {
    // The details (why, measured cost, long-running note) first, at the finding itself: the
    // message stays one line, and clients list related information under it.
    d.relatedInformation = [
      ...(f.details ? [{ location: { uri, range: toLspRange(f.range) }, message: f.details }] : []),
      ...f.related.map((r): DiagnosticRelatedInformation => ({ location: { uri: r.path ? relatedUri(r.path) : uri, range: toLspRange(r.range) }, message: r.message })),
    ];
  } else if (f.related.length > 0) {
    // A client that cannot show related locations still gets the rest of the story (the
    // details are in the hover).
    d.message += f.related.map((r) => `\n(${r.path ? `${r.path}:` : 'line '}${r.range.start.line}: ${r.message})`).join('');
  }
  return d;
}

/** A related location in another file: an absolute path (server/workspace-index.ts), or already a URI (untitled:). */
function relatedUri(path: string): string {
  return /^[a-z][\w+.-]*:/i.test(path) && !/^[A-Za-z]:[\\/]/.test(path) ? path : pathToFileURL(path).href;
}

/** Does a diagnostic sent by the client (code action context) denote this finding? */
export function sameDiagnostic(d: Diagnostic, f: Finding): boolean {
  const r = toLspRange(f.range);
  return d.code === f.ruleId && d.range.start.line === r.start.line && d.range.start.character === r.start.character
    && d.range.end.line === r.end.line && d.range.end.character === r.end.character;
}
