import { applyChanges } from './change-guard.js';
import type { Server } from './server.js';

// Incremental sync: the client sends ranges; vscode-languageserver-textdocument applies them.
export function registerDidChange(server: Server): void {
  server.connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const d = server.documents.get(textDocument.uri);
    if (!d) {
      server.log('warn', `phpleak: didChange for ${textDocument.uri}, which is not open: ignored`);
      return;
    }
    const r = applyChanges(d.doc, contentChanges, textDocument.version);
    if ('error' in r) {
      if (r.restored) d.doc = r.restored;
      server.log('warn', `phpleak: didChange for ${textDocument.uri} (version ${textDocument.version}) rejected, the document stays at version ${d.doc.version}: ${r.error}`);
      return;
    }
    d.doc = r.doc;
    server.scheduler.changed(d);
  });
}
