import { releaseAfterClose } from './release-memory.js';
import type { Server } from './server.js';

// Closing a document drops its state (an analysis in flight is discarded) and clears its
// diagnostics; a large one's memory is given back (server/release-memory.ts).
export function registerDidClose(server: Server): void {
  server.connection.onDidCloseTextDocument(({ textDocument }) => {
    const d = server.documents.close(textDocument.uri);
    if (d) releaseAfterClose(Math.max(d.doc.getText().length, d.result?.text.length ?? 0));
    server.clear(textDocument.uri);
  });
}
