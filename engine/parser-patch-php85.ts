// PHP 8.5 syntax php-parser 3.7 does not read, each a parse error on code PHP runs:
// - the `(void)` cast, which marks a call's result as ignored on purpose (`(void) $lock->release();`,
//   paired with `#[\NoDiscard]`);
// - `final` on a promoted constructor property (`public function __construct(final public int $x)`,
//   or `final` alone, which implies public).
// Neither changes what a rule sees: `(void) f()` is a cast of the call, and the property is read
// with its visibility.

interface CastLexer { castKeywords: Record<string, unknown>; tok: Record<string, unknown> }

export function patchVoidCast(lexer: CastLexer): void {
  if (lexer.castKeywords && lexer.castKeywords['void'] === undefined) lexer.castKeywords['void'] = lexer.tok['T_UNSET_CAST'];
}

interface CastParser {
  token: unknown;
  tok: Record<string, unknown>;
  text(): string;
  next(): unknown;
  [reader: string]: unknown;
}

/** A `(void)` cast is read as a cast of type `void` (the lexer gives it `(unset)`'s token). */
export function patchVoidCastNode(parser: CastParser): void {
  const read = parser['read_expr_cast'] as ((this: CastParser, type: string) => unknown) | undefined;
  if (typeof read !== 'function') return;
  parser['read_expr_cast'] = function (this: CastParser, type: string): unknown {
    return read.call(this, type === 'unset' && /void/i.test(this.text()) ? 'void' : type);
  };
}

const MODIFIER_PUBLIC = 1;

/** `final` before or after a promoted property's visibility; alone, it is public. */
export function patchFinalPromoted(parser: CastParser): void {
  const read = parser['read_promoted'] as ((this: CastParser) => [number, number]) | undefined;
  if (typeof read !== 'function') return;
  const FINAL = parser.tok['T_FINAL'];
  parser['read_promoted'] = function (this: CastParser): [number, number] {
    const final = this.token === FINAL;
    if (final) this.next();
    const flags = read.call(this);
    if (this.token === FINAL) { this.next(); return flags; }
    return final && flags[0] === 0 && flags[1] === 0 ? [MODIFIER_PUBLIC, 0] : flags;
  };
}
