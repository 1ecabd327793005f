import { releaseLargeText } from './release-memory.js';
import type { Server } from './server.js';

// Closing a document drops its state (an analysis in flight is discarded) and clears its diagnostics.
export function registerDidClose(server: Server): void {
  server.connection.onDidCloseTextDocument(({ textDocument }) => {
    const d = server.documents.close(textDocument.uri);
    server.forget(textDocument.uri);
    server.clear(textDocument.uri);
    server.workspace.closed(textDocument.uri);
    if (d) releaseLargeText(d.doc.getText().length);
  });
}
