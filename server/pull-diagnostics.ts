import { DocumentDiagnosticReportKind, type DocumentDiagnosticReport } from 'vscode-languageserver/node.js';
import type { Server } from './server.js';

// textDocument/diagnostic (LSP 3.17): answers with the result for the document's current text,
// waiting for the scheduled analysis (or, while a keystroke that broke the syntax is deferred,
// the last result and a refresh later); "unchanged" when the client already has it. A client that
// pulls for a document gets no more pushes for it (capabilities.ts, diagnosticMode "auto").
export function registerPullDiagnostics(server: Server): void {
  server.connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    const d = server.documents.get(params.textDocument.uri);
    if (!d) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    server.pulledBy(d);
    // A client that takes a refresh can be answered with the last result while the text is
    // deferred (server/scheduler.ts): it pulls again when asked.
    const r = await server.scheduler.current(d, token, { staleWhileDeferred: server.pullRefresh });
    if (!r) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    if (params.previousResultId === r.resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: r.resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId: r.resultId, items: r.diagnostics };
  });
}
