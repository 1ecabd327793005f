import { AbstractMessageReader, Disposable, ErrorCodes, Message, type DataCallback, type MessageReader, type ResponseMessage } from 'vscode-languageserver/node.js';

// A Content-Length framed JSON-RPC reader that survives malformed input.
//
// vscode-jsonrpc's StreamMessageReader reports a header without a usable Content-Length and
// then stays out of step for good: every later frame is read from the wrong offset and the
// server never answers again. This reader instead
// - answers every frame it cannot read with a JSON-RPC error: -32700 (Parse error), with the
//   request's id when it can be read from the broken bytes (so the client's request does not
//   wait forever) and null otherwise; -32600 (Invalid Request) for JSON that is not a message;
// - skips to the next `Content-Length:` header and goes on serving.
// Problems and what it does about them:
// - no Content-Length, a non-numeric or negative one, or one above `maxContentLength`: the
//   header block is dropped, and so is everything up to the next Content-Length header;
// - a Content-Length too short: the body is not valid JSON; its rest is skipped the same way;
// - a Content-Length too long: a raw `Content-Length: N` line can never be part of a JSON body
//   (JSON strings cannot hold raw line breaks, and outside strings the name is not JSON), so one
//   inside the declared body ends the broken frame there; and a body that is complete JSON
//   while the rest of the declared bytes do not come within `shortBodyMs` is answered too;
// - LF-only line breaks in the header are accepted (some hand-written clients send them);
//   blank lines or spaces between frames are ignored.

export interface FramingOptions {
  /** Sends an error response or a log notification to the client (through the connection's writer). */
  send(message: Message): void;
  /** Largest body accepted; default 128 MB (a 5 MB document is a 5 MB body). */
  maxContentLength?: number;
  /** Quiet time after which a body that is already complete JSON but shorter than its Content-Length is answered; default 500 ms. */
  shortBodyMs?: number;
}

const HEADER_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*:[^\r\n]*$/;
/** What an incomplete first header line may look like so far. */
const HEADER_PREFIX = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*(?:[ \t]*:[^\r\n]*)?\r?$/;
/** A full Content-Length header line: inside a declared body it proves the frame is broken. */
const LENGTH_LINE = /content-length[ \t]*:[ \t]*\d+[ \t]*\r?\n/i;
const LENGTH_NAME = /content-length[ \t]*:/i;
const MAX_HEADER_BYTES = 8 * 1024;
/** Bytes of a broken frame kept to look for its id. */
const KEEP_BROKEN = 64 * 1024;
/** The size of a typical read from a pipe, and the buffer size above which a buffer is let go when emptied. */
const CHUNK = 64 * 1024;
const BIG = 1024 * 1024;
/** Bytes of the previous chunk scanned again with the next, so a header cut in two is found. */
const OVERLAP = 64;

interface Broken {
  reason: string;
  bytes: Buffer[];
  kept: number;
  /** Ids answered (as JSON), and whether it was answered with id null. */
  answered: Set<string>;
  answeredNull: boolean;
}

export class ResyncMessageReader extends AbstractMessageReader implements MessageReader {
  private readonly maxContentLength: number;
  private readonly shortBodyMs: number;
  private callback: DataCallback | null = null;
  /**
   * Bytes received and not yet consumed: buf[0, size). One buffer, not the list of chunks as
   * they came: a 20 MB document arrives as hundreds of 64 KB chunks, and holding them all until
   * the body is complete left ~20 MB in the C heap after the document was closed (glibc keeps
   * the freed small blocks). Copied in, each chunk is garbage at once and its block is reused.
   */
  private buf: Buffer = Buffer.alloc(0);
  private size = 0;
  /** Body length declared by the current frame's header; -1 while reading a header. */
  private need = -1;
  /** Body bytes already scanned for a header (too-long frames). */
  private scanned = 0;
  private tail: Buffer = Buffer.alloc(0);
  private broken: Broken | null = null;
  private quiet: NodeJS.Timeout | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly listeners: [string, (...a: any[]) => void][] = []; // eslint-disable-line @typescript-eslint/no-explicit-any

  constructor(private readonly readable: NodeJS.ReadableStream, private readonly options: FramingOptions) {
    super();
    this.maxContentLength = options.maxContentLength ?? 128 * 1024 * 1024;
    this.shortBodyMs = options.shortBodyMs ?? 500;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const on = (event: string, f: (...a: any[]) => void): void => { this.readable.on(event, f); this.listeners.push([event, f]); };
    on('data', (data: Buffer | string) => this.onData(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    on('error', (e: Error) => this.fireError(e));
    on('end', () => this.fireClose());
    on('close', () => this.fireClose());
    return Disposable.create(() => this.stop());
  }

  override dispose(): void {
    this.stop();
    super.dispose();
  }

  private stop(): void {
    for (const [event, f] of this.listeners.splice(0)) this.readable.removeListener(event, f);
    clearTimeout(this.quiet);
    this.callback = null;
  }

  private onData(data: Buffer): void {
    clearTimeout(this.quiet);
    this.quiet = undefined;
    this.append(data);
    while (this.need < 0 ? this.readHeader() : this.readBody()) { /* until more bytes are needed */ }
    this.flushBroken();
    if (this.need >= 0 && this.size > 0) this.quiet = setTimeout(() => this.onQuiet(), this.shortBodyMs).unref();
  }

  // ---- header ----

  /** Returns true when it consumed something and should be called again. */
  private readHeader(): boolean {
    if (this.size === 0) return false;
    const buf = this.flatten();
    let i = 0;
    while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a || buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (i > 0) { this.consume(i); return true; }
    const end = headerEnd(buf);
    if (end === null) {
      const head = buf.toString('latin1', 0, Math.min(buf.length, MAX_HEADER_BYTES + 1));
      const lines = head.split('\n');
      const plausible = buf.length <= MAX_HEADER_BYTES
        && lines.slice(0, -1).every((l) => HEADER_LINE.test(l.replace(/\r$/, '')))
        && HEADER_PREFIX.test(lines.at(-1)!);
      return plausible ? false : this.skipJunk(buf, 'bytes that are not a message header');
    }
    const lines = buf.toString('latin1', 0, end.block).split(/\r?\n/);
    if (!lines.every((l) => HEADER_LINE.test(l))) return this.skipJunk(buf, 'bytes that are not a message header');
    const values = lines.filter((l) => /^content-length[ \t]*:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 1).trim());
    const problem = values.length === 0 ? 'a header without Content-Length'
      : new Set(values).size > 1 ? `a header with several Content-Length values (${values.join(', ')})`
      : !/^\d+$/.test(values[0]!) ? `a header with an invalid Content-Length (${JSON.stringify(values[0]!.slice(0, 40))})`
      : Number(values[0]) > this.maxContentLength ? `a Content-Length of ${values[0]} bytes, above the limit of ${this.maxContentLength}`
      : null;
    this.consume(end.body);
    if (problem !== null) {
      // The body that may follow is skipped with the header (up to the next Content-Length).
      this.startBroken(problem);
      return true;
    }
    this.flushBroken();
    this.broken = null;
    this.need = Number(values[0]);
    this.scanned = 0;
    this.tail = Buffer.alloc(0);
    return true;
  }

  /** Drops bytes up to the next `Content-Length:` (not at offset 0), as part of a broken frame. */
  private skipJunk(buf: Buffer, reason: string): boolean {
    const text = buf.toString('latin1');
    LENGTH_NAME.lastIndex = 0;
    const next = text.slice(1).search(LENGTH_NAME);
    let drop: number;
    if (next >= 0) {
      drop = next + 1;
    } else {
      // Keep a tail that may be the start of the next header name.
      let keep = Math.min(text.length - 1, 'content-length'.length);
      while (keep > 0 && !'content-length'.startsWith(text.slice(-keep).toLowerCase())) keep--;
      drop = text.length - keep;
    }
    if (!this.broken) this.startBroken(reason);
    this.collect(buf.subarray(0, drop));
    this.consume(drop);
    if (next >= 0) this.flushBroken();
    return next >= 0;
  }

  // ---- body ----

  private readBody(): boolean {
    const early = this.scanForHeader();
    if (early !== null) {
      const buf = this.flatten();
      this.need = -1;
      this.startBroken('a body shorter than its Content-Length (the next header starts inside it)');
      this.collect(buf.subarray(0, early));
      this.consume(early);
      return true;
    }
    if (this.size < this.need) return false;
    const body = this.flatten().subarray(0, this.need);
    this.need = -1;
    // Decoded before it is consumed: consuming moves the bytes that follow over it.
    this.deliver(body);
    this.consume(body.length);
    return true;
  }

  /** Offset of a Content-Length header line inside the declared body, or null. Scans each byte once (plus an overlap). */
  private scanForHeader(): number | null {
    const upTo = Math.min(this.size, this.need + OVERLAP);
    if (upTo <= this.scanned) return null;
    const fresh = this.slice(this.scanned, upTo);
    const region = Buffer.concat([this.tail, fresh]);
    const at = region.toString('latin1').search(LENGTH_LINE);
    const base = this.scanned - this.tail.length;
    this.scanned = upTo;
    this.tail = region.subarray(Math.max(0, region.length - OVERLAP));
    if (at < 0 || base + at >= this.need) return null;
    return base + at;
  }

  /** No byte came for a while in the middle of a body: answer it now if it already is complete JSON. */
  private onQuiet(): void {
    this.quiet = undefined;
    if (this.need < 0 || this.size === 0) return;
    const buf = this.flatten();
    try {
      JSON.parse(this.decoder.decode(buf));
    } catch {
      return; // a slow client: the rest is still coming
    }
    this.startBroken(`a body of ${buf.length} bytes that is complete while its Content-Length says ${this.need}`);
    this.collect(buf);
    this.consume(buf.length);
    this.need = -1;
    this.flushBroken();
  }

  private deliver(body: Buffer): void {
    let value: Message | undefined;
    try {
      value = JSON.parse(this.decoder.decode(body)) as Message | undefined;
    } catch (e) {
      this.startBroken(`a body that is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      this.collect(body);
      return;
    }
    if (Message.isRequest(value) || Message.isNotification(value) || Message.isResponse(value)) {
      this.flushBroken();
      this.broken = null;
      this.callback?.(value);
      return;
    }
    const id = typeof value === 'object' && value !== null && 'id' in value ? (value as { id: unknown }).id : null;
    this.answer(ErrorCodes.InvalidRequest, 'Invalid Request: the body is JSON but not a JSON-RPC request, notification or response', typeof id === 'number' || typeof id === 'string' ? id : null);
  }

  // ---- broken frames ----

  private startBroken(reason: string): void {
    this.flushBroken();
    this.broken = { reason, bytes: [], kept: 0, answered: new Set(), answeredNull: false };
  }

  private collect(bytes: Buffer): void {
    const b = this.broken!;
    if (b.kept >= KEEP_BROKEN) return;
    const part = bytes.subarray(0, KEEP_BROKEN - b.kept);
    b.bytes.push(Buffer.from(part));
    b.kept += part.length;
  }

  /**
   * Answers the broken frame: with the id of each request found in its bytes (a headerless body
   * right after it is skipped with it, and is answered too), else once with null.
   */
  private flushBroken(): void {
    const b = this.broken;
    if (!b) return;
    const ids = topLevelIds(this.decoder.decode(Buffer.concat(b.bytes))).filter((id) => !b.answered.has(JSON.stringify(id)));
    if (ids.length === 0 && (b.answeredNull || b.answered.size > 0)) return;
    const first = !b.answeredNull && b.answered.size === 0;
    for (const id of ids) {
      b.answered.add(JSON.stringify(id));
      this.answer(ErrorCodes.ParseError, `Parse error: ${b.reason}; skipped to the next Content-Length header`, id);
    }
    if (ids.length === 0) {
      b.answeredNull = true;
      this.answer(ErrorCodes.ParseError, `Parse error: ${b.reason}; skipped to the next Content-Length header`, null);
    }
    if (first) this.log(`phpleak-lsp: received ${b.reason}; skipped it${ids.length > 0 ? ` (answered request ${ids.map((i) => JSON.stringify(i)).join(', ')} with -32700)` : ''} and resynchronised at the next Content-Length header`);
  }

  private answer(code: number, message: string, id: number | string | null): void {
    const res: ResponseMessage = { jsonrpc: '2.0', id, error: { code, message } };
    this.options.send(res);
  }

  private log(message: string): void {
    this.options.send({ jsonrpc: '2.0', method: 'window/logMessage', params: { type: 2, message } } as Message);
  }

  // ---- bytes ----

  private append(data: Buffer): void {
    const want = this.size + data.length;
    if (want > this.buf.length) {
      // A body of known length gets its room at once: one allocation for a large document.
      const room = Math.max(want, this.need >= 0 ? this.need + CHUNK : 0, Math.min(2 * this.buf.length, want + BIG));
      const next = Buffer.allocUnsafeSlow(room);
      this.buf.copy(next, 0, 0, this.size);
      this.buf = next;
    }
    data.copy(this.buf, this.size);
    this.size = want;
  }

  private flatten(): Buffer {
    return this.buf.subarray(0, this.size);
  }

  private consume(n: number): void {
    const rest = this.size - n;
    if (this.buf.length > BIG && rest <= CHUNK) {
      // Done with a large body: let its buffer go rather than keep megabytes for small messages.
      const next = Buffer.allocUnsafeSlow(CHUNK);
      this.buf.copy(next, 0, n, this.size);
      this.buf = next;
    } else {
      this.buf.copy(this.buf, 0, n, this.size);
    }
    this.size = rest;
  }

  /** A copy of bytes [from, to) of what is buffered. */
  private slice(from: number, to: number): Buffer {
    return Buffer.from(this.buf.subarray(from, to));
  }
}

/** End of the header block: `block` is where its last line ends, `body` where the body starts. LF-only line breaks count. */
function headerEnd(buf: Buffer): { block: number; body: number } | null {
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    const next = buf[i + 1] === 0x0d ? i + 2 : i + 1;
    if (buf[next] === 0x0a) return { block: i > 0 && buf[i - 1] === 0x0d ? i - 1 : i, body: next + 1 };
    if (next >= buf.length) return null;
  }
  return null;
}

/**
 * The `id`s of the top-level JSON objects in `text`, read tolerantly: the text may be cut short,
 * broken after the id, or hold several objects one after another.
 */
export function topLevelIds(text: string): (number | string)[] {
  const n = Math.min(text.length, KEEP_BROKEN);
  const ids: (number | string)[] = [];
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= n) break;
      const raw = text.slice(i, j + 1);
      i = j + 1;
      let k = i;
      while (k < n && /\s/.test(text[k]!)) k++;
      if (depth !== 1 || text[k] !== ':' || raw !== '"id"') continue;
      k++;
      while (k < n && /\s/.test(text[k]!)) k++;
      const m = /^(?:-?\d+(?![.\deE])|"(?:[^"\\\r\n]|\\.)*")/.exec(text.slice(k, k + 256));
      if (!m) continue;
      try {
        const v: unknown = JSON.parse(m[0]);
        if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) ids.push(v);
      } catch { /* not an id after all */ }
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
    i++;
  }
  return ids;
}
