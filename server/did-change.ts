import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Server } from './server.js';

// Incremental sync: the client sends ranges; vscode-languageserver-textdocument applies them.
export function registerDidChange(server: Server): void {
  server.connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const d = server.documents.get(textDocument.uri);
    if (!d) {
      server.log('warn', `phpleak: didChange for ${textDocument.uri}, which is not open: ignored`);
      return;
    }
    d.doc = TextDocument.update(d.doc, contentChanges, textDocument.version);
    server.scheduler.changed(d);
  });
}
