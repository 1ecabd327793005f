import { StreamMessageReader, StreamMessageWriter, type MessageReader, type MessageWriter } from 'vscode-languageserver/node.js';

// The byte layer: Content-Length framing over stdin/stdout. Kept apart from everything else so a
// resynchronising reader (one that skips a malformed frame instead of dying) can replace it.

export interface Transport { reader: MessageReader; writer: MessageWriter }

export function stdioTransport(): Transport {
  return { reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout) };
}
