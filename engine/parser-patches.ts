// Fixes for php-parser 3.7.0's lexer, applied to our one engine instance at load time.
//
// The lexer's `input()` returns '' at the end of the text without advancing, while its
// character-class checks (`is_WHITESPACE`, `is_LABEL`, ...) look at the character before the
// offset, which is still the last real one. Loops such as `do { input() } while (is_WHITESPACE())`
// therefore never end at EOF: `<?php enum A` (the T_ENUM look-ahead) and `<?php #[\n` (the
// attribute state) hang forever, and mutated editor text hits such inputs often (our fuzzer:
// 8 hangs in 322 inputs before this patch). After an EOF read, "the current character" is none:
// the checks answer false, and the `unput(1)` that un-reads it is a no-op (nothing was read).
// Cost measured on Laravel's 3,500-line Query/Builder.php: within noise (±2 ms of ~25 ms).
// The worker pool's time bound stays as the backstop for any loop this does not cover.

interface LexerLike {
  __eof?: boolean;
  input(): string;
  unput(n: number): unknown;
  [k: string]: unknown;
}

const CHAR_CLASS_CHECKS = ['is_WHITESPACE', 'is_LABEL', 'is_TABSPACE', 'is_NUM', 'is_LABEL_START', 'is_HEX'];

export function patchLexer(lexer: LexerLike): void {
  const input = lexer.input;
  lexer.input = function (this: LexerLike): string {
    const ch = input.call(this);
    this.__eof = ch === '';
    return ch;
  };
  const unput = lexer.unput;
  lexer.unput = function (this: LexerLike, n: number): unknown {
    if (this.__eof && n === 1) {
      this.__eof = false;
      return this;
    }
    this.__eof = false;
    return unput.call(this, n);
  };
  for (const name of CHAR_CLASS_CHECKS) {
    const check = lexer[name];
    if (typeof check !== 'function') continue;
    lexer[name] = function (this: LexerLike, ...args: unknown[]): unknown {
      return this.__eof ? false : (check as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

/** Resets per-parse state (a previous parse may have ended on an EOF read). */
export function resetLexer(lexer: LexerLike): void {
  lexer.__eof = false;
}

interface ParserLike {
  token: unknown;
  EOF: unknown;
  lexer: { offset: number };
  next(): unknown;
  error(expected?: unknown): unknown;
  [k: string]: unknown;
}

/**
 * Statement lists and class bodies loop `while (token !== EOF && token !== '}') read_…()`. On
 * some broken input an item reader returns without consuming anything (`<?php function
 * y{namespace`: `namespace` at the end of a body; a garbled property type in a class body), and
 * the list loops forever. If an item read made no progress, report the token and skip it, as a
 * resynchronising parser would. Found by `npm run fuzz`.
 */
const LIST_ITEM_READERS = ['read_inner_statement', 'read_top_statement', 'read_variable_list', 'read_constant_list'];

export function patchParser(parser: ParserLike): void {
  for (const name of LIST_ITEM_READERS) {
    const read = parser[name];
    if (typeof read !== 'function') continue;
    parser[name] = function (this: ParserLike, ...args: unknown[]): unknown {
      const offset = this.lexer.offset;
      const token = this.token;
      const result = (read as (...a: unknown[]) => unknown).apply(this, args);
      if (this.lexer.offset === offset && this.token === token && token !== this.EOF && token !== '}') {
        this.error();
        this.next();
      }
      return result;
    };
  }
}
