import type { CommentNode, PhpNode, Program } from './nodes.js';
import { parsePhp, type ParseResult } from './parse.js';

// The editor re-lints a file on every keystroke, and most keystrokes land inside one class
// member. Re-parsing only that member and splicing it into the previous tree gives the tree a
// full parse would give, at the cost of the member (tcpdf.php: one method of 300, instead of
// 24,775 lines). The splice is taken only when it is provably the same parse:
// - the previous and the new text both parse without any syntax problem (error recovery is
//   not local: a missing `}` re-shapes everything after it);
// - the edit lies inside one member's unit: the gap after the previous member (its leading
//   comments, attributes) plus the member itself, and not at its last character;
// - the unit alone, wrapped as `<?php <kind> X{ … }`, parses to exactly one member that ends
//   where the unit ends, without problems: the lexer and parser then leave the unit in the
//   state they entered it (inside a class body), so the text after it reads as before.
// Anything else is a full parse. test/engine/incremental.test.ts holds this to "same findings
// as a full analysis" over thousands of random edits.

interface Pos { line: number; column: number; offset: number; [MOVED]?: number }

// php-parser shares position objects between nodes (a statement starts where its first child
// does): each is moved once per splice, marked with the splice's number (a symbol: not part of
// the tree's JSON, not seen by rules).
const MOVED = Symbol('moved');
let splices = 0;
interface Loc { start: Pos; end: Pos }
type Raw = PhpNode & Record<string, unknown>;

const CLASS_LIKE = new Set(['class', 'interface', 'trait', 'enum']);
const CONTAINERS = new Set(['program', 'namespace']);
// Members whose range stops before their `;` (php-parser): their unit takes the `;` along, and
// the next member's unit starts after it.
const ENDS_BEFORE_SEMICOLON = new Set(['propertystatement', 'classconstant', 'enumcase']);

/**
 * A method without a body (abstract, or in an interface) also stops before its `;`, but its
 * unit does not take it along: such a unit never parses alone, so it is never spliced (a full
 * parse) and never taken for a broken one.
 */
function bodiless(member: Raw): boolean {
  return member.kind === 'method' && !member.body;
}

/** Offset just after the `;` that follows `at` after blanks only, else -1. */
function afterSemicolon(text: string, at: number): number {
  let k = at;
  while (text[k] === ' ' || text[k] === '\t') k++;
  return text[k] === ';' ? k + 1 : -1;
}

/** The previous analysis of a text, kept for the next edit. */
export interface ParsedText { text: string; program: Program }

/**
 * What a splice replaced, for reusing the previous analysis (engine/incremental-reuse.ts): the
 * changed text ([from, oldTo) of the old text became [from, oldTo + delta) of the new one), the
 * member before and after, and the comments of its unit before and after (in file offsets).
 */
export interface SpliceInfo {
  from: number;
  oldTo: number;
  delta: number;
  oldMember: PhpNode;
  newMember: PhpNode;
  oldComments: CommentNode[];
  newComments: CommentNode[];
}

/** A parse of the whole text or of one member spliced into the previous tree. */
export type IncrementalParse = ParseResult & { reused: boolean; splice?: SpliceInfo };

/**
 * The edit lies inside one member's unit, and that unit no longer parses on its own: a
 * keystroke in the middle of a token or statement (`$x = f(`, the first `/` of `//`). The
 * whole text then almost always has a syntax error too, and only a full parse says where.
 */
export interface BrokenMember { brokenMember: true }

/**
 * Parses `text`, reusing `prev` (a problem-free parse of an earlier text) when the edit is local.
 * With `stopAtBrokenMember`, an edit whose member no longer parses alone is answered with
 * BrokenMember instead of a full parse (the language server defers that: server/scheduler.ts).
 */
export function parseIncrementally(prev: ParsedText | undefined, text: string, path: string, stopAtBrokenMember = false): IncrementalParse | BrokenMember {
  const spliced = prev ? splice(prev, text, path, stopAtBrokenMember) : null;
  if (spliced === BROKEN) {
    if (stopAtBrokenMember) return { brokenMember: true };
  } else if (spliced) {
    return { ok: true, program: spliced.program, problems: [], reused: true, ...(spliced.info ? { splice: spliced.info } : {}) };
  }
  return { ...parsePhp(text, path), reused: false };
}

const BROKEN = Symbol('broken member');

function splice(prev: ParsedText, text: string, path: string, askBroken: boolean): { program: Program; info?: SpliceInfo } | typeof BROKEN | null {
  const old = prev.text;
  // The same text (an edit undone since the last good parse): the same tree.
  if (old === text) return { program: prev.program };
  // The changed region: [from, oldTo) in the old text became [from, newTo) in the new one.
  const max = Math.min(old.length, text.length);
  let from = 0;
  while (from < max && old.charCodeAt(from) === text.charCodeAt(from)) from++;
  let tail = 0;
  while (tail < max - from && old.charCodeAt(old.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
  const oldTo = old.length - tail;
  const delta = text.length - old.length;
  // `?>` typed or removed (also inside a `//` comment, which it ends) switches PHP mode: the
  // text after it is no longer the member's.
  if (/\?>|<\?/.test(text.slice(Math.max(0, from - 1), oldTo + delta + 1)) || /\?>|<\?/.test(old.slice(Math.max(0, from - 1), oldTo + 1))) return null;

  // Path from the program down to the list (a class body, or the functions of a file or
  // namespace) whose member's unit holds the edit.
  const chain: Raw[] = [prev.program as Raw];
  let node = prev.program as Raw;
  while (CONTAINERS.has(node.kind)) {
    const child = (node.children as Raw[]).find((c) => c.loc !== null && (c.loc as Loc).start.offset <= from && oldTo < (c.loc as Loc).end.offset);
    if (!child) return null;
    if (child.kind === 'function') break;
    if (!(CONTAINERS.has(child.kind) || CLASS_LIKE.has(child.kind))) return null;
    chain.push(child);
    node = child;
  }
  const list = listOf(node);
  const i = list.findIndex((m) => m.loc !== null && oldTo < (m.loc as Loc).end.offset);
  // The first member's unit would start at the class's `{` (or after `<?php`), which the tree
  // does not record.
  if (i <= 0) return askBroken && brokenAlone(node, list, i, from, oldTo, old, text, path) ? BROKEN : null;
  const before = list[i - 1]!.loc as Loc | null;
  const loc = list[i]!.loc as Loc;
  if (!before || bodiless(list[i - 1]!) || bodiless(list[i]!)) return null;
  let unitStart = before.end;
  if (ENDS_BEFORE_SEMICOLON.has(list[i - 1]!.kind)) {
    const k = afterSemicolon(old, before.end.offset);
    if (k < 0) return null;
    unitStart = { line: before.end.line, column: before.end.column + (k - before.end.offset), offset: k };
  }
  if (from < unitStart.offset || loc.start.offset < unitStart.offset) return null;
  // A comment right after the previous member, on its line (`}// note`), is that member's
  // trailing comment in a full parse; the member re-parsed alone would take it as its own.
  if (/^[ \t]*(\/\/|#(?!\[)|\/\*)/.test(text.slice(unitStart.offset, unitStart.offset + 200))) return null;
  const r = reparseMember(prev.program, chain, i, unitStart, loc, text, path, delta);
  return r === BROKEN || r === null ? r : { program: r.program, info: { ...r.info, from, oldTo, delta } };
}

/**
 * Where no unit can be spliced, whether the edit still lies in a part of a class-like body that
 * parses on its own, and that part no longer parses: the first member's own text (its unit
 * would start at the class's `{`), or the body after the last member, up to the class's `}`
 * (a member being typed at the end). Only deferral (BrokenMember) asks this.
 */
function brokenAlone(owner: Raw, list: Raw[], i: number, from: number, oldTo: number, old: string, text: string, path: string): boolean {
  if (!CLASS_LIKE.has(owner.kind) || !owner.loc) return false;
  const delta = text.length - old.length;
  let start: number;
  let end: number;
  if (i === 0) {
    const loc = list[0]!.loc as Loc | null;
    if (!loc || from < loc.start.offset || bodiless(list[0]!)) return false;
    start = loc.start.offset;
    end = loc.end.offset + delta;
    if (ENDS_BEFORE_SEMICOLON.has(list[0]!.kind)) end = afterSemicolon(text, end);
  } else {
    const last = list.at(-1);
    const loc = last?.loc as Loc | null | undefined;
    if (!last || !loc || bodiless(last)) return false;
    start = ENDS_BEFORE_SEMICOLON.has(last.kind) ? afterSemicolon(old, loc.end.offset) : loc.end.offset;
    const brace = (owner.loc as Loc).end.offset - 1;
    if (start < 0 || old[brace] !== '}' || from < start || oldTo > brace) return false;
    end = brace + delta;
  }
  if (start < 0 || end < start) return false;
  const unit = text.slice(start, end);
  if (/__halt_compiler/i.test(unit)) return false;
  const parsed = parsePhp(`<?php ${owner.kind} X{${unit}}`, path);
  return !parsed.ok || parsed.problems.length > 0;
}

/** The list a splice replaces an item of: a class-like's members, a file's or namespace's statements. */
function listOf(n: Raw): Raw[] {
  return (CLASS_LIKE.has(n.kind) ? n.body : n.children) as Raw[];
}

type MemberSplice = { program: Program; info: Omit<SpliceInfo, 'from' | 'oldTo' | 'delta'> };

function reparseMember(program: Program, chain: Raw[], index: number, unitStart: Pos, oldLoc: Loc, text: string, path: string, delta: number): MemberSplice | typeof BROKEN | null {
  const owner = chain[chain.length - 1]!;
  const inClass = CLASS_LIKE.has(owner.kind);
  const newEnd = oldLoc.end.offset + delta;
  let semicolon = 0;
  if (ENDS_BEFORE_SEMICOLON.has(listOf(owner)[index]!.kind)) {
    const k = afterSemicolon(text, newEnd);
    if (k < 0) return null;
    semicolon = k - newEnd;
  }
  const unit = text.slice(unitStart.offset, newEnd + semicolon);
  // Everything after `__halt_compiler` is data, not code: the splice cannot know that.
  if (/__halt_compiler/i.test(unit)) return null;
  const wrapper = inClass ? `<?php ${owner.kind} X{` : '<?php ';
  const parsed = parsePhp(`${wrapper}${unit}${inClass ? '}' : ''}`, path);
  if (!parsed.ok || parsed.problems.length > 0) return BROKEN;
  const top = parsed.program.children as Raw[];
  if (top.length !== 1 || top[0]!.kind !== (inClass ? owner.kind : 'function')) return null;
  const items = inClass ? top[0]!.body as Raw[] : top;
  if (items.length !== 1) return null;
  const member = items[0]!;
  const mloc = member.loc as Loc | null;
  if (!mloc || mloc.end.offset !== wrapper.length + unit.length - semicolon || mloc.start.offset < wrapper.length) return null;
  const snippetComments = parsed.program.comments ?? [];
  if (snippetComments.some((c) => !c.loc || c.loc.start.offset < wrapper.length || c.loc.end.offset > wrapper.length + unit.length)) return null;

  // Into file coordinates: the snippet's line 1 is the unit's first line, its first column the unit's.
  const stamp = ++splices;
  const toFile = (p: Pos): void => {
    if (p[MOVED] === stamp) return;
    p[MOVED] = stamp;
    if (p.line === 1) p.column = p.column - wrapper.length + unitStart.column;
    p.line += unitStart.line - 1;
    p.offset = p.offset - wrapper.length + unitStart.offset;
  };
  const inUnit = new Set<OffsetComment>();
  forEachPosition(member, toFile, inUnit);
  for (const c of snippetComments) forEachPosition(c as unknown as Raw, toFile, inUnit);
  for (const c of inUnit) c.offset = c.offset - wrapper.length + unitStart.offset;
  const later = new Set<OffsetComment>();

  // Everything after the old member moves by the edit's size; on the member's last line, by its column change too.
  const newLoc = member.loc as Loc;
  const lineDelta = newLoc.end.line - oldLoc.end.line;
  const columnDelta = newLoc.end.column - oldLoc.end.column;
  const oldEndOffset = oldLoc.end.offset;
  const oldEndLine = oldLoc.end.line;
  const shifted = ++splices;
  const shift = (p: Pos): void => {
    if (p.offset < oldEndOffset || p[MOVED] === shifted) return;
    p[MOVED] = shifted;
    if (p.line === oldEndLine) p.column += columnDelta;
    p.line += lineDelta;
    p.offset += delta;
  };

  // Copies of the member's ancestors (facts cache per container node: engine/facts/imports.ts),
  // with the member replaced and everything after it shifted.
  // Which comments stay, go or move is decided on the old offsets, before anything moves.
  const comments = program.comments ?? [];
  const earlierComments = comments.filter((c) => c.loc && c.loc.end.offset <= unitStart.offset);
  const laterComments = comments.filter((c) => c.loc && c.loc.start.offset >= oldEndOffset);
  const unitComments = comments.filter((c) => c.loc && c.loc.end.offset > unitStart.offset && c.loc.start.offset < oldEndOffset);
  let replacement: Raw = member;
  let replaced: Raw = listOf(owner)[index]!;
  const oldMember = replaced;
  for (let k = chain.length - 1; k >= 0; k--) {
    const parent = chain[k]!;
    const key = CLASS_LIKE.has(parent.kind) ? 'body' : 'children';
    const list = listOf(parent);
    const at = list.indexOf(replaced);
    for (let j = at + 1; j < list.length; j++) forEachPosition(list[j]!, shift, later);
    if (parent.loc) shift((parent.loc as Loc).end);
    const copy = Object.assign(Object.create(Object.getPrototypeOf(parent) as object) as Raw, parent);
    copy[key] = [...list.slice(0, at), replacement, ...list.slice(at + 1)];
    replacement = copy;
    replaced = parent;
  }
  const out = replacement as unknown as Program;
  for (const c of laterComments) forEachPosition(c as unknown as Raw, shift, later);
  const kept: CommentNode[] = [...earlierComments, ...snippetComments, ...laterComments];
  out.comments = kept;
  for (const c of later) c.offset += delta;
  return { program: out, info: { oldMember, newMember: member, oldComments: unitComments, newComments: snippetComments } };
}

/** A comment also carries its start as `offset` (php-parser's doc-block field). */
interface OffsetComment { offset: number }

/** Every position under `root` (nodes, comments, attributes), once per object reached. */
function forEachPosition(root: Raw, f: (p: Pos) => void, comments?: Set<OffsetComment>): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) { const x: unknown = v[i]; if (typeof x === 'object' && x !== null) stack.push(x); } continue; }
    const o = v as Record<string, unknown>;
    if (comments && (o.kind === 'commentblock' || o.kind === 'commentline')) comments.add(o as unknown as OffsetComment);
    // Own keys only: `for in` also walks the enumerable methods on php-parser's node
    // prototypes, which made this loop ~3 times slower (a third of an edit of tcpdf.php).
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === 'parent') continue;
      const x = o[key];
      if (typeof x !== 'object' || x === null) continue;
      if (key === 'loc') { const l = x as Loc; f(l.start); f(l.end); continue; }
      stack.push(x);
    }
  }
}
