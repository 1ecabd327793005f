import { open } from 'node:fs/promises';
import { DumpBuilder, DumpError, type DumpRead } from './dump-builder.js';
import { JsonSyntaxError, JsonTokenizer } from './json-tokens.js';

export { DumpError, fmt, type DumpRead } from './dump-builder.js';

// Reads a php-meminfo dump (`meminfo_dump()`, format in docs/heap.md) as a stream into a
// HeapGraph. The file is read in 1 MB pieces (the next one read while this one is parsed) and
// each item goes straight into typed arrays (engine/heap/dump-builder.ts): memory follows the
// number of items, never the size of the text.

const CHUNK = 1024 * 1024;

export async function readDump(file: string): Promise<DumpRead> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new DumpError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  // About one item per 150 bytes of meminfo's indented text: sizes the tables once.
  const size = await fh.stat().then((s) => s.size, () => 0);
  const reader = new DumpBuilder(Math.min(size / 150, 50_000_000));
  const tokens = new JsonTokenizer(reader);
  // Two buffers: the next piece is read while this one is parsed.
  let buf = Buffer.allocUnsafe(CHUNK);
  let spare = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  let syntax: JsonSyntaxError | null = null;
  try {
    let pending = fh.read(buf, 0, CHUNK, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const current = buf;
      [buf, spare] = [spare, buf];
      pending = fh.read(buf, 0, CHUNK, null);
      try {
        tokens.feed(bytesRead === CHUNK ? current : current.subarray(0, bytesRead));
      } catch (e) {
        if (!(e instanceof JsonSyntaxError)) throw e;
        syntax = e;
        await pending.catch(() => undefined);
        break;
      }
    }
    if (!syntax) {
      try { tokens.end(); } catch (e) { if (e instanceof JsonSyntaxError) syntax = e; else throw e; }
    }
  } finally {
    await fh.close();
  }
  return reader.finish(file, bytes, syntax, !syntax && !tokens.done);
}

/** Builds the graph from a dump given in memory (tests, small generated dumps). */
export function readDumpText(text: string | Buffer, file = '<memory>'): DumpRead {
  const reader = new DumpBuilder();
  const tokens = new JsonTokenizer(reader);
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  let syntax: JsonSyntaxError | null = null;
  try {
    tokens.feed(buf);
    tokens.end();
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    syntax = e;
  }
  return reader.finish(file, buf.length, syntax, !syntax && !tokens.done);
}

