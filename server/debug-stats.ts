import { createHash } from 'node:crypto';
import type { Server } from './server.js';
import type { ScanStats } from './workspace-scan.js';

// `phpleak/stats`: what the server holds and how much it analysed, for tests and bug reports
// (a client can check that rapid edits collapse into few analyses, or that a rejected edit left
// the text alone, without reading the server's memory).

export interface ServerStats {
  /** Analyses started since the server started (each is one lint of one document version). */
  analyses: number;
  /** Of these, answered without analysis: the edited member no longer parsed alone (server/scheduler.ts). */
  deferred: number;
  documents: { uri: string; version: number; length: number; sha1: string }[];
  /** The server process's memory (bytes; process.memoryUsage(): worker threads count in rss only). */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Lint worker threads alive (they end a few seconds after the last document closes). */
  lintWorkers: number;
  /** The workspace index: files in it, and what the background scan did. */
  index: ScanStats & { files: number };
}

export function registerDebugStats(server: Server): void {
  server.connection.onRequest('phpleak/stats', (): ServerStats => ({
    analyses: server.scheduler.analyses,
    deferred: server.scheduler.deferred,
    documents: server.documents.all().map((d) => {
      const text = d.doc.getText();
      return { uri: d.uri, version: d.doc.version, length: text.length, sha1: createHash('sha1').update(text).digest('hex') };
    }),
    lintWorkers: server.lintWorkers,
    index: server.workspace.stats(),
    memory: (({ rss, heapTotal, heapUsed, external, arrayBuffers }) => ({ rss, heapTotal, heapUsed, external, arrayBuffers }))(process.memoryUsage()),
  }));
}
