import * as phpParser from 'php-parser';
import type { Program, ErrorNode } from './nodes.js';
import { phpStyleMessage } from './php-messages.js';
import { patchAttributeComment } from './parser-patch-attribute-comment.js';
import { isSpuriousParserError, patchClone, patchDereferencableCurly, patchInstanceofExpr, patchDnfAfterVisibility, patchLexer, patchParser, patchStaticMemberKeyword, resetLexer, patchReadonlyFunction, patchForeachList } from './parser-patches.js';
import { repairOnBuild } from './ast-repair.js';
import { patchPeek } from './parser-patch-peek.js';
import { patchInterfaceProperties, patchPropertyHookDefaults } from './parser-patch-property-hooks.js';
import { patchHeredocLineEnds } from './parser-patch-heredoc-crlf.js';
import { patchFinalPromoted, patchVoidCast, patchVoidCastNode } from './parser-patch-php85.js';

// php-parser is CommonJS, loaded once per thread; a static import so that the single
// executable's bundler includes it.
type PhpParserEngine = {
  parseCode(text: string, name: string): unknown;
  lexer: Parameters<typeof patchLexer>[0];
  parser: Parameters<typeof patchParser>[0] & Parameters<typeof patchClone>[0] & Parameters<typeof patchStaticMemberKeyword>[0] & Parameters<typeof patchDnfAfterVisibility>[0] & Parameters<typeof patchDereferencableCurly>[0];
  ast: Record<string, unknown>;
};
const { Engine } = phpParser as unknown as { Engine: new (opts: object) => PhpParserEngine };

const engine = new Engine({
  // 8.5: below it `clone($x)` (common in WordPress and Drupal) is a syntax error.
  parser: { version: '8.5', extractDoc: true, suppressErrors: true },
  ast: { withPositions: true },
});
patchLexer(engine.lexer);
patchReadonlyFunction(engine.lexer as unknown as Parameters<typeof patchReadonlyFunction>[0]);
patchAttributeComment(engine.lexer as unknown as Parameters<typeof patchAttributeComment>[0]);
patchParser(engine.parser);
patchPeek(engine.parser as unknown as Parameters<typeof patchPeek>[0]);
patchClone(engine.parser);
patchInstanceofExpr(engine.parser);
patchStaticMemberKeyword(engine.parser);
patchDnfAfterVisibility(engine.parser);
patchDereferencableCurly(engine.parser);
patchForeachList(engine.parser as unknown as Parameters<typeof patchForeachList>[0]);
patchPropertyHookDefaults(engine.parser as unknown as Parameters<typeof patchPropertyHookDefaults>[0]);
patchInterfaceProperties(engine.parser as unknown as Parameters<typeof patchInterfaceProperties>[0]);
patchHeredocLineEnds(engine.parser as unknown as Parameters<typeof patchHeredocLineEnds>[0]);
patchVoidCast(engine.lexer as unknown as Parameters<typeof patchVoidCast>[0]);
patchVoidCastNode(engine.parser as unknown as Parameters<typeof patchVoidCastNode>[0]);
patchFinalPromoted(engine.parser as unknown as Parameters<typeof patchFinalPromoted>[0]);
repairOnBuild(engine.ast);

export interface SyntaxProblem {
  message: string;
  /** Offsets into the text; where a user would look, not where php-parser stopped. */
  start: number;
  end: number;
}

export type ParseResult =
  | { ok: true; program: Program; problems: SyntaxProblem[] }
  | { ok: false; problems: SyntaxProblem[] };

/**
 * Parses PHP. Never throws: php-parser throws on some half-typed input despite suppressErrors
 * (`<?php $a = (;` is a TypeError) and overflows its own recursion on deep nesting; both become
 * problems. The lexer loops it had at end of input are patched (engine/parser-patches.ts); any
 * other hang is bounded in time by the worker that calls this (engine/pool.ts).
 */
export function parsePhp(text: string, path: string): ParseResult {
  let program: Program;
  try {
    resetLexer(engine.lexer);
    program = engine.parseCode(text, path) as Program;
    releaseLastNode();
  } catch (e) {
    // A TypeError inside php-parser (`<?php $x = (;`: read_expr_item records "unexpected ';'"
    // and returns undefined, which its caller then uses as a node) comes after the parser
    // recorded the real syntax error: report that, in PHP's words, not the JavaScript text.
    // (Not patched at the source: a wrapper around that recursive reader costs a stack frame
    // per nesting level, and deeply nested code then overflows.)
    const recorded = (engine.parser as { _errors?: ErrorNode[] })._errors ?? [];
    if (!(e instanceof RangeError) && recorded.length > 0) return { ok: false, problems: [errorProblem(recorded[0]!, text)] };
    return { ok: false, problems: [thrownProblem(e, text)] };
  }
  // Only the first syntax error, as `php -l` and PHPStan report: php-parser's recovery after it
  // re-synchronises badly (a heredoc closed one line early: 1 error for PHP, 11 here, each a
  // red squiggle on code that is fine), and the first is the one the user is typing or must fix.
  const problems = dedupe((program.errors ?? []).filter((e) => !isSpuriousParserError(String(e.message))).map((err) => errorProblem(err, text))).slice(0, 1);
  return { ok: true, program, problems };
}

/**
 * php-parser keeps the last node it built (for trailing comments) until the next parse. Once
 * the walk has linked every node to its parent, that one node holds the whole tree: kept alive
 * from the long-lived parser while the file is linted, the tree is copied by every young-generation
 * collection that runs meanwhile and promoted (measured on laravel, parse + walk: 166 MB promoted
 * per 1,500 files instead of 27 MB).
 */
function releaseLastNode(): void {
  (engine.parser as { _lastNode?: unknown })._lastNode = null;
}

function thrownProblem(e: unknown, text: string): SyntaxProblem {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return { message: 'the file nests too deeply for the PHP parser (maximum call stack size exceeded)', start: 0, end: Math.min(text.length, firstLineEnd(text)) };
  }
  const err = e as { message?: string; lineNumber?: number; columnNumber?: number };
  const bad = badCharacter(String(err?.message ?? ''), text);
  if (bad) return bad;
  const msg = cleanMessage(String(err?.message ?? e));
  // php-parser's own SyntaxError carries a line; a TypeError from inside it does not, and the
  // best we can say is where the parser gave up: the end of the text.
  if (typeof err?.lineNumber === 'number') {
    const at = offsetOfLine(text, err.lineNumber) + Math.max(0, (err.columnNumber ?? 0));
    return pointBack(text, Math.min(at, text.length), msg);
  }
  // A JavaScript error text (a TypeError inside php-parser) means nothing to a PHP developer.
  return pointBack(text, text.length, msg.startsWith('syntax error') ? msg : 'syntax error: the PHP parser could not read past here (php -l names the cause)');
}

/**
 * php-parser's lexer throws `Bad terminal sequence "<ch>" at line N (offset M)` on a character
 * PHP does not allow in code (a NUL byte, a stray control character): point at that character,
 * and name it as PHP does (`unexpected character 0x00`) instead of printing it raw.
 */
function badCharacter(message: string, text: string): SyntaxProblem | null {
  const m = /^Bad terminal sequence "([\s\S]*)" at line \d+ \(offset (\d+)\)$/.exec(message);
  if (!m) return null;
  const ch = m[1]!;
  let at = Math.min(Number(m[2]) - ch.length, text.length);
  if (ch !== '' && text.slice(at, at + ch.length) !== ch) at = text.indexOf(ch);
  if (at < 0) at = Math.min(Number(m[2]), text.length);
  const code = ch.codePointAt(0);
  const shown = code === undefined ? 'end of file' : code < 0x20 || code === 0x7f ? `character 0x${code.toString(16).padStart(2, '0').toUpperCase()}` : `character '${ch}'`;
  return { message: `syntax error, unexpected ${shown}`, start: at, end: Math.min(text.length, at + Math.max(1, ch.length)) };
}

function errorProblem(err: ErrorNode, text: string): SyntaxProblem {
  const msg = cleanMessage(err.message);
  const start = err.loc?.start.offset ?? offsetOfLine(text, err.line);
  const end = err.loc?.end.offset ?? start;
  const expected = err.expected;
  const wantsTerminator = expected === ';' || (Array.isArray(expected) && expected.includes(';'));
  if (wantsTerminator) return pointBack(text, start, msg);
  return { message: msg, start, end: Math.max(end, start) };
}

/**
 * php-parser reports at the NEXT token: a missing `;` lands on the following line. A user
 * looks right after the last thing they typed, so point at the end of the previous token.
 */
function pointBack(text: string, at: number, message: string): SyntaxProblem {
  let i = at;
  for (;;) {
    while (i > 0 && /\s/.test(text[i - 1]!)) i--;
    // Skip a trailing line comment: the user looks at the code before it.
    const lineStart = Math.max(text.lastIndexOf('\n', i - 1), text.lastIndexOf('\r', i - 1)) + 1;
    const m = /(^|[\s;])(\/\/|#(?!\[))[^\r\n]*$/.exec(text.slice(lineStart, i));
    if (!m || lineStart + m.index + m[1]!.length >= i) break;
    const cut = lineStart + m.index + m[1]!.length;
    if (cut === i) break;
    i = cut;
  }
  if (i === 0) i = Math.min(at, text.length);
  const start = Math.max(0, i - 1);
  return { message, start, end: Math.max(start, i) };
}

function cleanMessage(m: string): string {
  return phpStyleMessage(m.replace(/^Parse Error : /, '').replace(/ on line \d+$/, ''));
}

function offsetOfLine(text: string, line: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off;
}

function firstLineEnd(text: string): number {
  const nl = text.search(/\r|\n/);
  return nl < 0 ? text.length : nl;
}

function dedupe(ps: SyntaxProblem[]): SyntaxProblem[] {
  const seen = new Set<string>();
  return ps.filter((p, i) => {
    // "unexpected end of file" after an earlier error is php-parser's recovery running out of
    // text (`(;` then "expecting ')'"), not a second mistake; PHP reports the first only.
    if (i > 0 && p.message.includes('unexpected end of file')) return false;
    const key = String(p.start); // php-parser often reports one mistake several times
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
