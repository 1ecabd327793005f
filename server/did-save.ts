import type { Server } from './server.js';

// A saved document: its file on disk changed, so the persisted workspace index takes it again.
export function registerDidSave(server: Server): void {
  server.connection.onDidSaveTextDocument(({ textDocument }) => server.workspace.fileChanged(textDocument.uri));
}
