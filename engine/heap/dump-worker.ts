import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { DumpBuilder } from './dump-builder.js';
import { transferList, type PartReply, type PartRequest } from './dump-part.js';
import { end, feed } from './dump-reader.js';
import { JsonTokenizer } from './json-tokens.js';

// The worker thread that reads a dump's second half (engine/heap/dump-reader.ts): from an
// item boundary in "items" to the end of the file, into a part the main thread appends.

async function main(req: PartRequest): Promise<PartReply> {
  const builder = new DumpBuilder(req.expectedItems);
  builder.resumeInItems();
  const tokens = new JsonTokenizer(builder);
  tokens.resumeInObject(2, req.start);
  const fh = await open(req.file, 'r');
  try {
    let { bytes, syntax } = feed(fh, tokens, req.start, Infinity, req.chunkBytes);
    if (!syntax) syntax = end(tokens);
    builder.presort();
    return { ok: true, part: builder.exportPart(), bytes, done: tokens.done, syntax: syntax && { reason: syntax.reason, offset: syntax.offset } };
  } finally {
    await fh.close();
  }
}

main(workerData as PartRequest).then(
  (reply) => parentPort!.postMessage(reply, reply.ok ? transferList(reply.part) : []),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: String(e) } satisfies PartReply),
);
