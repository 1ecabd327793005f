import { existsSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DumpBuilder, DumpError, type DumpRead } from './dump-builder.js';
import type { PartReply, PartRequest } from './dump-part.js';
import { JsonSyntaxError, JsonTokenizer } from './json-tokens.js';

export { DumpError, fmt, type DumpRead } from './dump-builder.js';

// Reads a php-meminfo dump (`meminfo_dump()`, format in docs/heap.md) as a stream into a
// HeapGraph. The file is read in 4 MB pieces and each item goes straight into typed arrays
// (engine/heap/dump-builder.ts): memory follows the number of items, never the size of the text.
//
// A large dump is read in two halves at once: a worker thread (engine/heap/dump-worker.ts)
// reads from an item boundary near the middle while this thread reads up to it. The boundary
// is a guess from the text (`, "0x…" : {`); it is used only if this thread, reaching it, is
// indeed between two items of "items". Otherwise the worker's part is thrown away and this
// thread reads on: the result is the same either way, as if read in one pass.

const CHUNK = 4 * 1024 * 1024;
/** Below this, a second thread costs more than it saves. */
const SPLIT_FROM = 48 * 1024 * 1024;
/** About one item per 150 bytes of meminfo's indented text: sizes the tables once. */
const BYTES_PER_ITEM = 150;

export interface ReadOptions {
  /** The worker module for the second half; null reads on this thread only. */
  worker?: URL | null;
  /** Split dumps of at least this many bytes. */
  splitFrom?: number;
  /** Split here rather than at the boundary found near the middle (tests: any offset must give the same graph). */
  splitAt?: number;
  /** Bytes read at a time (tests: small pieces cut many tokens). */
  chunkBytes?: number;
}

const WORKER = new URL('./dump-worker.js', import.meta.url);

export async function readDump(file: string, options: ReadOptions = {}): Promise<DumpRead> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new DumpError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let part: ReturnType<typeof readPart> | null = null;
  try {
    const size = await fh.stat().then((s) => s.size, () => 0);
    const workerUrl = options.worker === undefined ? (existsSync(fileURLToPath(WORKER)) ? WORKER : null) : options.worker;
    const split = !workerUrl ? -1 : options.splitAt ?? (size >= (options.splitFrom ?? SPLIT_FROM) && availableParallelism() > 1 ? await itemBoundary(fh, size) : -1);
    // Sized for the whole file even when split: the second half is appended to these tables
    // (pages not written to cost nothing).
    const reader = new DumpBuilder(Math.min(size / BYTES_PER_ITEM, 50_000_000));
    const tokens = new JsonTokenizer(reader);
    part = split > 0 ? readPart(workerUrl!, { file, start: split, chunkBytes: options.chunkBytes, expectedItems: Math.min((size - split) / BYTES_PER_ITEM, 50_000_000) }) : null;
    let { bytes, syntax } = feed(fh, tokens, 0, split > 0 ? split : Infinity, options.chunkBytes);
    if (part) {
      const joinable = !syntax && tokens.atMemberStart(2) && reader.betweenItems;
      // Sorting this half's addresses is work finish() needs anyway, done while the worker reads.
      if (joinable) reader.presort();
      // Not between two items at the boundary: the worker's part is of no use.
      if (!joinable) void part.cancel();
      const reply = joinable ? await part.reply : null;
      if (reply?.ok && reader.appendPart(reply.part)) {
        const s = reply.syntax && new JsonSyntaxError(reply.syntax.reason, reply.syntax.offset);
        return reader.finish(file, bytes + reply.bytes, s, !s && !reply.done);
      }
      if (!syntax) {
        const rest = feed(fh, tokens, split, Infinity, options.chunkBytes);
        bytes += rest.bytes;
        syntax = rest.syntax;
      }
    }
    if (!syntax) syntax = end(tokens);
    return reader.finish(file, bytes, syntax, !syntax && !tokens.done);
  } finally {
    // Not joined (or joined already): the worker is stopped, whatever happened here.
    if (part) void part.cancel();
    await fh.close();
  }
}

/**
 * Feeds the bytes [from, until) of the file to the tokenizer; stops at a syntax error. Reads
 * are synchronous: a read from the page cache costs less than handing it to another thread
 * and waking up for its result, which on a busy machine waits for a time slice every time.
 */
export function feed(fh: FileHandle, tokens: JsonTokenizer, from: number, until: number, chunk = CHUNK): { bytes: number; syntax: JsonSyntaxError | null } {
  let buf = Buffer.allocUnsafe(chunk + 64 * 1024);
  let bytes = 0;
  for (let pos = from; pos < until;) {
    // A token cut by the last chunk's end goes first, and the next chunk is read after it.
    const carry = tokens.takeCarry();
    const kept = carry?.length ?? 0;
    if (kept + chunk > buf.length) buf = Buffer.allocUnsafe(kept + chunk);
    if (carry) carry.copy(buf, 0);
    const bytesRead = readSync(fh.fd, buf, kept, Math.min(chunk, until - pos), pos);
    bytes += bytesRead;
    pos += bytesRead;
    try {
      // At the end of the file, the cut token is given back for end() to finish or refuse.
      tokens.feed(buf.subarray(0, kept + bytesRead));
      if (bytesRead === 0) break;
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      return { bytes, syntax: e };
    }
  }
  return { bytes, syntax: null };
}

/** The end of the text: a token still open is finished if it can be. */
export function end(tokens: JsonTokenizer): JsonSyntaxError | null {
  try { tokens.end(); return null; } catch (e) { if (e instanceof JsonSyntaxError) return e; throw e; }
}

/**
 * A place a little past the middle of the file that looks like the start of an item after a comma
 * (`,\n    "0x7f…" : {`): the offset right after the comma, or -1 when none is near.
 */
async function itemBoundary(fh: FileHandle, size: number): Promise<number> {
  // A little past the middle: the worker first has to start.
  const at = Math.floor(size * 0.55);
  const window = Buffer.allocUnsafe(256 * 1024);
  const { bytesRead } = await fh.read(window, 0, window.length, at);
  const m = /,[ \t\r\n]*"0x[0-9a-fA-F]{1,16}"[ \t\r\n]*:[ \t\r\n]*\{/.exec(window.toString('latin1', 0, bytesRead));
  return m ? at + m.index + 1 : -1;
}

/** Starts the worker on the text from `start`; its reply, or a failure as a reply (never a rejection). */
function readPart(url: URL, request: PartRequest): { reply: Promise<PartReply>; cancel: () => Promise<number> } {
  const w = new Worker(url, { workerData: request });
  const reply = new Promise<PartReply>((resolve) => {
    w.once('message', (r: PartReply) => resolve(r));
    w.once('error', (e) => resolve({ ok: false, error: String(e) }));
    w.once('exit', (code) => resolve({ ok: false, error: `the worker exited (${code})` }));
  });
  void reply.then(() => w.terminate());
  return { reply, cancel: () => w.terminate() };
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
