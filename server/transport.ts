import { StreamMessageWriter, type MessageReader, type MessageWriter } from 'vscode-languageserver/node.js';
import { ResyncMessageReader } from './framing.js';

// The byte layer: Content-Length framing over stdin/stdout. The reader resynchronises after a
// malformed frame (server/framing.ts) instead of going out of step for good as the stock one does.

export interface Transport { reader: MessageReader; writer: MessageWriter }

export function stdioTransport(): Transport {
  const writer = new StreamMessageWriter(process.stdout);
  const reader = new ResyncMessageReader(process.stdin, { send: (m) => { writer.write(m).catch(() => { /* the client is gone */ }); } });
  return { reader, writer };
}
