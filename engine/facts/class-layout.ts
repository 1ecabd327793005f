import type { ClassLike, FunctionLike, PhpNode } from '../nodes.js';
import type { SourceFile } from '../source.js';

// Where things are in a class's text, for fixes that add members: the body's opening brace,
// the indentation of members, and the brace style of the file's methods.

/** Offset just after the `{` that opens the body of a class-like declaration. */
export function classBodyOpen(file: SourceFile, cls: ClassLike): number | null {
  const parts: (PhpNode | null | undefined)[] = [cls.name as PhpNode | null];
  if (cls.kind === 'class') parts.push(cls.extends, ...(cls.implements ?? []));
  if (cls.kind === 'interface') parts.push(...cls.extends);
  if (cls.kind === 'enum') parts.push(cls.valueType, ...cls.implements);
  let from = file.spanOf(cls).start;
  for (const p of parts) if (p && p.loc) from = Math.max(from, file.spanOf(p).end);
  const to = cls.body[0] ? file.spanOf(cls.body[0]).start : file.spanOf(cls).end;
  const i = nextBrace(file.slice(from, to), 0, to - from);
  return i < 0 ? null : from + i + 1;
}

/**
 * The first `{` token in text[from, to): what lies between a class header's last name and its
 * body is only whitespace, commas, names and comments, so skipping comments (`//`, `#`, `/* *\/`)
 * is lexing it. A `{` inside a comment (`class A /* { *\/`) is not the body.
 */
function nextBrace(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '{') return i;
    if (c === '/' && text[i + 1] === '*') { const e = text.indexOf('*/', i + 2); if (e < 0) return -1; i = e + 1; continue; }
    if ((c === '/' && text[i + 1] === '/') || (c === '#' && text[i + 1] !== '[')) {
      while (i < to && text[i] !== '\n' && text[i] !== '\r' && !(text[i] === '?' && text[i + 1] === '>')) i++;
    }
  }
  return -1;
}

/** Offset just after a member statement, including its `;` (`use A, B;`). */
export function statementEnd(file: SourceFile, node: PhpNode): number {
  const end = file.spanOf(node).end;
  const m = /^[ \t]*;/.exec(file.slice(end, end + 64));
  return m ? end + m[0].length : end;
}

/** Indentation of the class's members (from its first member, else the class's plus one step). */
export function memberIndent(file: SourceFile, cls: ClassLike, unit: string): string {
  const first = cls.body[0];
  if (first) {
    const start = file.spanOf(first).start;
    const line = file.lines.lineOf(start);
    const before = file.slice(file.lines.lineStart(line), start);
    if (before.trim() === '') return before;
  }
  return file.lines.indentOf(file.lines.lineOf(file.spanOf(cls).start)) + unit;
}

/** Does the file put a method's `{` on its own line (PSR-12) rather than after the signature? */
export function bracesOnOwnLine(file: SourceFile, fns: readonly FunctionLike[]): boolean {
  for (const fn of fns) {
    if (fn.kind !== 'method' && fn.kind !== 'function') continue;
    const body = fn.body;
    if (!body || !body.loc) continue;
    const before = file.slice(file.lines.lineStart(file.lines.lineOf(body.loc.start.offset)), body.loc.start.offset);
    return before.trim() === '';
  }
  return true;
}

/** Offset just after the `{` of a function body, and the indentation of its statements. */
export function bodyInsertPoint(file: SourceFile, fn: FunctionLike, unit: string): { offset: number; indent: string } | null {
  const body = fn.body;
  if (!body || body.kind !== 'block' || !body.loc) return null;
  const offset = body.loc.start.offset + 1;
  const first = body.children[0];
  if (first) {
    const start = file.spanOf(first).start;
    const line = file.lines.lineOf(start);
    const before = file.slice(file.lines.lineStart(line), start);
    if (before.trim() === '' && line !== file.lines.lineOf(body.loc.start.offset)) return { offset, indent: before };
  }
  return { offset, indent: file.lines.indentOf(file.lines.lineOf(file.spanOf(fn).start)) + unit };
}
