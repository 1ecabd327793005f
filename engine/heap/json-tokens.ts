// A streaming JSON tokenizer over bytes fed in chunks (engine/heap/dump-reader.ts feeds it a
// file read piece by piece). It never holds the text: a chunk is scanned, the handler receives
// events with byte ranges into the chunk (it decides what to turn into JS values), and only a
// token cut by the chunk's end is carried over to the next one.
//
// Strict about structure (a misplaced brace is an error naming the byte offset), lenient inside
// strings, because older php-meminfo versions wrote symbol names as raw bytes: raw control
// characters are accepted and an unknown escape (`\C` in an unescaped `App\Cache`) stands for
// itself; the handler is told a string had escapes, and `decodeJsonString` counts the odd ones.

export interface JsonHandler {
  startObject(): void;
  endObject(): void;
  startArray(): void;
  endArray(): void;
  /** An object key: bytes [start, end) of `buf` between the quotes, `escaped` when a backslash occurs. */
  key(buf: Buffer, start: number, end: number, escaped: boolean): void;
  string(buf: Buffer, start: number, end: number, escaped: boolean): void;
  number(buf: Buffer, start: number, end: number): void;
  literal(value: boolean | null): void;
}

export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/** What may come next at the current nesting level. */
const enum Expect { Value, KeyOrEnd, Key, Colon, CommaOrEnd, ValueOrEnd, Done }

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

/** A single token longer than this (a string of 64 MB) is refused rather than buffered without bound. */
export const MAX_TOKEN_BYTES = 64 * 1024 * 1024;

export class JsonTokenizer {
  /** Open containers: 1 object, 2 array (a byte per level; nesting deeper than this is an error). */
  private readonly stack = new Uint8Array(4096);
  private depth = 0;
  private expect: Expect = Expect.Value;
  /** Bytes of a token cut by the previous chunk's end. */
  private carry: Buffer | null = null;
  /** Bytes consumed before the current chunk (for error offsets). */
  private consumed = 0;

  constructor(private readonly h: JsonHandler) {}

  /** True once the top-level value is complete. */
  get done(): boolean { return this.expect === Expect.Done; }
  /** Nesting depth (0 outside the top-level value). */
  get level(): number { return this.depth; }
  get offset(): number { return this.consumed; }

  /**
   * Starts as if `levels` objects were open and a comma between two of the innermost one's
   * members had just been read, `offset` bytes into the text: where the reader of a dump's
   * second half begins.
   */
  resumeInObject(levels: number, offset: number): void {
    this.stack.fill(1, 0, levels);
    this.depth = levels;
    this.expect = Expect.Key;
    this.consumed = offset;
  }

  /** Right after a comma between two members of the object `levels` deep (nothing cut): resumeInObject's state. */
  atMemberStart(levels: number): boolean {
    if (this.carry || this.depth !== levels || this.expect !== Expect.Key) return false;
    for (let d = 0; d < levels; d++) if (this.stack[d] !== 1) return false;
    return true;
  }

  /**
   * The bytes of a token cut by the previous chunk's end, handed back to the caller, which
   * feeds them again at the start of its next chunk (read into the same buffer after them:
   * no copy of the whole chunk to join them).
   */
  takeCarry(): Buffer | null {
    const c = this.carry;
    this.carry = null;
    return c;
  }

  /** Feeds the next chunk (its bytes may be reused by the caller after the call returns). */
  feed(chunk: Buffer): void {
    let buf = chunk;
    // `consumed` is where the carried bytes begin.
    const base = this.consumed;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const stop = this.scan(buf, base, false);
    if (stop < buf.length) {
      if (buf.length - stop > MAX_TOKEN_BYTES) throw new JsonSyntaxError('a token longer than 64 MB', base + stop);
      // Copied: the caller reuses its read buffer.
      this.carry = Buffer.from(buf.subarray(stop));
    }
    this.consumed = base + buf.length - (this.carry?.length ?? 0);
  }

  /** No more input: a token still open is finished if it can be (a number at the very end). */
  end(): void {
    if (this.carry) {
      const buf = this.carry;
      this.carry = null;
      const stop = this.scan(buf, this.consumed, true);
      this.consumed += stop;
    }
  }

  /** Scans buf from 0; returns where an incomplete token starts (buf.length when none). */
  private scan(buf: Buffer, base: number, final: boolean): number {
    // State in locals (written back before returning): the loop runs once per token of a
    // file of hundreds of MB.
    const h = this.h;
    const stack = this.stack;
    const n = buf.length;
    let e = this.expect;
    let depth = this.depth;
    let i = 0;
    try {
      while (i < n) {
        let c = buf[i]!;
        // Whitespace (and, leniently, any control byte between tokens): meminfo indents a lot.
        if (c <= 0x20) {
          do i++; while (i < n && buf[i]! <= 0x20);
          if (i >= n) break;
          c = buf[i]!;
        }
        if (e === Expect.Done) throw new JsonSyntaxError('unexpected data after the end of the JSON value', base + i);
        if (c === QUOTE) {
          if (e !== Expect.Value && e !== Expect.ValueOrEnd && e !== Expect.Key && e !== Expect.KeyOrEnd) throw this.unexpected(c, base + i);
          // Find the closing quote; a backslash escapes the next byte whatever it is.
          let j = i + 1;
          let escaped = false;
          for (;;) {
            if (j >= n) return i;
            const d = buf[j]!;
            if (d === QUOTE) break;
            if (d === BACKSLASH) { escaped = true; j += 2; continue; }
            j++;
          }
          if (e === Expect.Key || e === Expect.KeyOrEnd) { h.key(buf, i + 1, j, escaped); e = Expect.Colon; }
          else { h.string(buf, i + 1, j, escaped); e = depth === 0 ? Expect.Done : Expect.CommaOrEnd; }
          i = j + 1;
          continue;
        }
        if (c === COLON) {
          if (e !== Expect.Colon) throw this.unexpected(c, base + i);
          e = Expect.Value;
          i++;
          continue;
        }
        if (c === COMMA) {
          if (e !== Expect.CommaOrEnd) throw this.unexpected(c, base + i);
          e = stack[depth - 1] === 1 ? Expect.Key : Expect.Value;
          i++;
          continue;
        }
        if (c === RBRACE || c === RBRACKET) {
          const want = c === RBRACE ? 1 : 2;
          const ok = e === Expect.CommaOrEnd || (want === 1 ? e === Expect.KeyOrEnd : e === Expect.ValueOrEnd);
          if (!ok || depth === 0 || stack[depth - 1] !== want) throw this.unexpected(c, base + i);
          depth--;
          // The handler may ask for the level.
          this.depth = depth;
          if (want === 1) h.endObject(); else h.endArray();
          e = depth === 0 ? Expect.Done : Expect.CommaOrEnd;
          i++;
          continue;
        }
        if (e !== Expect.Value && e !== Expect.ValueOrEnd) throw this.unexpected(c, base + i);
        if (c === LBRACE || c === LBRACKET) {
          if (depth >= stack.length) throw new JsonSyntaxError('nesting deeper than 4096 levels', base + i);
          stack[depth++] = c === LBRACE ? 1 : 2;
          this.depth = depth;
          e = c === LBRACE ? Expect.KeyOrEnd : Expect.ValueOrEnd;
          if (c === LBRACE) h.startObject(); else h.startArray();
          i++;
          continue;
        }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          let j = i + 1;
          while (j < n) {
            const d = buf[j]!;
            if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) j++;
            else break;
          }
          if (j >= n && !final) return i;
          h.number(buf, i, j);
          e = depth === 0 ? Expect.Done : Expect.CommaOrEnd;
          i = j;
          continue;
        }
        if (c === 0x74 || c === 0x66 || c === 0x6e) {
          const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
          if (i + word.length > n) {
            if (!final) return i;
            throw new JsonSyntaxError('the input ends inside a literal', base + i);
          }
          for (let k = 1; k < word.length; k++) if (buf[i + k] !== word.charCodeAt(k)) throw this.unexpected(buf[i + k]!, base + i + k);
          h.literal(c === 0x74 ? true : c === 0x66 ? false : null);
          e = depth === 0 ? Expect.Done : Expect.CommaOrEnd;
          i += word.length;
          continue;
        }
        throw this.unexpected(c, base + i);
      }
      return n;
    } finally {
      this.expect = e;
      this.depth = depth;
    }
  }

  private unexpected(c: number, offset: number): JsonSyntaxError {
    const shown = c >= 0x21 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    return new JsonSyntaxError(`unexpected ${shown}`, offset);
  }
}

/** Tally of what decoding had to repair (reported, never fatal). */
export interface DecodeTally { oddEscapes: number; notUtf8: number }

/**
 * The string's text. Bytes that are not UTF-8 become U+FFFD (counted); `\uXXXX` pairs become
 * their character, a lone surrogate U+FFFD; an unknown escape stands for itself with its
 * backslash (counted).
 */
export function decodeJsonString(buf: Buffer, start: number, end: number, escaped: boolean, tally: DecodeTally): string {
  if (!escaped) return utf8(buf, start, end, tally);
  let out = '';
  let from = start;
  let i = start;
  while (i < end) {
    if (buf[i] !== BACKSLASH) { i++; continue; }
    out += utf8(buf, from, i, tally);
    const c = buf[i + 1];
    i += 2;
    switch (c) {
      case 0x22: out += '"'; break;
      case 0x5c: out += '\\'; break;
      case 0x2f: out += '/'; break;
      case 0x62: out += '\b'; break;
      case 0x66: out += '\f'; break;
      case 0x6e: out += '\n'; break;
      case 0x72: out += '\r'; break;
      case 0x74: out += '\t'; break;
      case 0x75: {
        const hex = i + 4 <= end ? buf.toString('latin1', i, i + 4) : '';
        if (/^[0-9a-fA-F]{4}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
        } else {
          tally.oddEscapes++;
          out += '\\u';
        }
        break;
      }
      default:
        tally.oddEscapes++;
        if (c === undefined) { out += '\\'; i = end; }
        else { out += '\\'; i -= 1; }
    }
    from = i;
  }
  out += utf8(buf, from, end, tally);
  // Lone surrogates from \uD800-style escapes become U+FFFD, so the text is valid Unicode.
  const wf = (out as { toWellFormed?: () => string }).toWellFormed;
  return wf ? wf.call(out) : out;
}

function utf8(buf: Buffer, start: number, end: number, tally: DecodeTally): string {
  if (start >= end) return '';
  // ASCII fast path: most of a dump's strings.
  let ascii = true;
  for (let i = start; i < end; i++) if (buf[i]! > 0x7f) { ascii = false; break; }
  if (ascii) return buf.toString('latin1', start, end);
  const s = buf.toString('utf8', start, end);
  if (s.includes('\uFFFD') && !buf.subarray(start, end).includes(Buffer.from('\uFFFD'))) tally.notUtf8++;
  return s;
}
