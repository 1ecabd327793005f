import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Server } from './server.js';

export function registerDidOpen(server: Server): void {
  server.connection.onDidOpenTextDocument(({ textDocument: t }) => {
    const d = server.documents.open(TextDocument.create(t.uri, t.languageId, t.version, t.text));
    server.scheduler.now(d);
  });
}
