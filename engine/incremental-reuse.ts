import type { CommentNode, PhpNode } from './nodes.js';
import type { SpliceInfo } from './incremental-parse.js';
import type { LintResult } from './lint.js';
import type { Range } from './types.js';

// Most keystrokes in an editor change no tree: blanks between tokens, words typed into a
// comment. For those the previous analysis of the document is the analysis of the new text,
// moved: rules see trees (and shared facts computed from trees), and what they read of the text
// beyond the tree is recorded by SourceFile (`reads`, `wholeTextRead`). So the previous result
// is reused, its positions moved by the edit, when all of these hold (else: a full analysis):
// - the same request (rules, severities, options, context) analysed the previous text;
// - the edit stays on one line (no line number moves: messages and details may name lines), and
//   after the line's first non-blank character (indentation is read by fixes: engine/fixes.ts);
// - it changes only blanks, with every comment of the member unchanged, or adds one `//`
//   comment at the end of a line, or changes only the inside of
//   one comment that is not an ignore comment (`phpleak-ignore`: engine/suppress.ts), keeping
//   its delimiters and whether it is a docblock (docblocks read are in `docReads`: an edit
//   there must be blanks at the end of a line, which their readers do not see: facts/names.ts);
// - on a blank line, it adds or removes blanks only;
// - the member's tree is unchanged but for positions and attached comments;
// - the previous analysis read nothing of the text there (a message quoting the code, a reason
//   comment of gc-disabled) and took no whole text (fixes that scan the file), and no position
//   of a finding, related location, fix or summary entry touches the edit.
// test/engine/incremental.test.ts compares every reuse with a full analysis.

/** A full analysis kept for reuse, with what it read of the text besides the tree. */
export interface Analysed {
  /** The request it answered, minus the text (requestKey). */
  key: string;
  result: LintResult;
  /** [start, end] pairs of text the analysis read (engine/source.ts). */
  reads: number[];
  /** The same for docblocks read, whose readers do not see blanks at the end of a line. */
  docReads: number[];
  wholeTextRead: boolean;
}

/** The previous analysis moved onto `text`, or null when the edit may change it. */
export function reuseAnalysis(prev: Analysed, key: string, edit: SpliceInfo, oldText: string, text: string): Analysed | null {
  if (prev.wholeTextRead || prev.key !== key) return null;
  const { from, oldTo, delta } = edit;
  const removed = oldText.slice(from, oldTo);
  const inserted = text.slice(from, oldTo + delta);
  if (/[\r\n]/.test(removed) || /[\r\n]/.test(inserted)) return null;
  let ls = from;
  while (ls > 0 && oldText[ls - 1] !== '\n' && oldText[ls - 1] !== '\r') ls--;
  let le = oldTo;
  while (le < oldText.length && oldText[le] !== '\n' && oldText[le] !== '\r') le++;
  const blanks = /^[ \t]*$/.test(removed) && /^[ \t]*$/.test(inserted);
  // Blanks on a blank line stay a blank line: no indentation is read from it.
  if (!/\S/.test(oldText.slice(ls, from)) && !(blanks && !/\S/.test(oldText.slice(ls, le)))) return null;
  if (!((blanks && sameComments(edit.oldComments, edit.newComments, -1)) || insideOneComment(edit) || newLineComment(edit, removed, inserted, oldText.slice(oldTo, le)))) return null;
  if (shapeOf(edit.oldMember) !== shapeOf(edit.newMember)) return null;
  const r = prev.reads;
  for (let i = 0; i < r.length; i += 2) if (r[i]! <= oldTo && r[i + 1]! >= from) return null;
  const d = prev.docReads;
  const trailingBlanks = blanks && !/\S/.test(oldText.slice(oldTo, le));
  for (let i = 0; i < d.length; i += 2) if (d[i]! <= oldTo && d[i + 1]! >= from && !trailingBlanks) return null;
  const touches = (p: { offset: number }): boolean => p.offset >= from && p.offset <= oldTo;
  const rangeTouches = (g: Range): boolean => touches(g.start) || touches(g.end);
  const { findings, summary } = prev.result;
  for (const f of findings) {
    if (rangeTouches(f.range) || f.related.some((x) => x.path === undefined && rangeTouches(x.range))) return null;
    for (const fix of f.fixes) for (const e of fix.edits) if (e.start <= oldTo && e.end >= from) return null;
  }
  if (summary && [...summary.classes.flatMap((c) => [c.range, ...(c.properties ?? []).map((p) => p.range)]), ...summary.holds.map((h) => h.range), ...dataRanges(summary)].some(rangeTouches)) return null;

  // Everything after the edit moves by its size; on the edit's line, its column too.
  const result = structuredClone(prev.result);
  // A result may share a range between findings (the long-running evidence): moved once.
  const moved = new Set<object>();
  const move = (p: { offset: number; column: number }): void => {
    if (p.offset <= oldTo || moved.has(p)) return;
    moved.add(p);
    if (p.offset - p.column <= from) p.column += delta;
    p.offset += delta;
  };
  const moveRange = (g: Range): void => { move(g.start); move(g.end); };
  for (const f of result.findings) {
    moveRange(f.range);
    for (const x of f.related) if (x.path === undefined) moveRange(x.range);
    for (const fix of f.fixes) for (const e of fix.edits) {
      if (moved.has(e)) continue;
      moved.add(e);
      if (e.start > oldTo) e.start += delta;
      if (e.end > oldTo) e.end += delta;
    }
  }
  if (result.summary) {
    for (const c of result.summary.classes) { moveRange(c.range); for (const p of c.properties ?? []) moveRange(p.range); }
    for (const h of result.summary.holds) moveRange(h.range);
    for (const g of dataRanges(result.summary)) moveRange(g);
  }
  const at = (o: number): number => (o > oldTo ? o + delta : o);
  return { key, result, reads: r.map(at), docReads: d.map(at), wholeTextRead: false };
}

/** Where the file's calls pass data by evidence or hand on a parameter (engine/facts/call-arguments.ts): positions of the summary too. */
function dataRanges(s: NonNullable<LintResult['summary']>): Range[] {
  return (s.arguments ?? []).flatMap((a) => [...(a.data ?? []).map((d) => d.range), ...(a.passedOn ?? []).map((o) => o.range)]);
}

/** Comments pairwise the same (kind, value), except the one at `skip`. */
function sameComments(a: readonly CommentNode[], b: readonly CommentNode[], skip: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (i !== skip && (a[i]!.kind !== b[i]!.kind || a[i]!.value !== b[i]!.value)) return false;
  return true;
}

/** The edit is inside one comment, which stays one comment of the same kind that no one reads the words of. */
function insideOneComment(edit: SpliceInfo): boolean {
  const { from, oldTo, delta, oldComments, newComments } = edit;
  // Past the opener (`//`, `/*`, `#x`), before the closer (`*/`, or a line comment's line break).
  const k = oldComments.findIndex((c) => c.loc !== null && c.loc.start.offset + 2 <= from && oldTo <= c.loc.end.offset - (c.kind === 'commentblock' ? 2 : 1));
  if (k < 0 || !sameComments(oldComments, newComments, k)) return false;
  const a = oldComments[k]!;
  const b = newComments[k]!;
  if (a.kind !== b.kind || !b.loc || b.loc.start.offset !== a.loc!.start.offset || b.loc.end.offset !== a.loc!.end.offset + delta) return false;
  const closer = a.kind === 'commentblock' ? 2 : 1;
  // A block comment stays a docblock or not (`/*` + `*`); a line comment keeps its `//` or `#`.
  const opener = a.kind === 'commentblock' ? 3 : 2;
  return inert(a.value) && inert(b.value) && a.value.slice(0, opener) === b.value.slice(0, opener) && a.value.slice(-closer) === b.value.slice(-closer);
}

/**
 * The edit adds one `//` comment at the end of a line (`$x = 1; // why`), and nothing else: the
 * comment readers are the ignore comments (not this one), docblocks (not this one, and a line
 * comment between a docblock and its declaration does not hide it) and what is in `reads`.
 */
function newLineComment(edit: SpliceInfo, removed: string, inserted: string, restOfLine: string): boolean {
  const { oldComments, newComments } = edit;
  if (removed !== '' || !/^[ \t]*\/\/[^\r\n]*$/.test(inserted) || /\S/.test(restOfLine) || newComments.length !== oldComments.length + 1) return false;
  let j = 0;
  while (j < oldComments.length && oldComments[j]!.kind === newComments[j]!.kind && oldComments[j]!.value === newComments[j]!.value) j++;
  for (let i = j; i < oldComments.length; i++) if (oldComments[i]!.kind !== newComments[i + 1]!.kind || oldComments[i]!.value !== newComments[i + 1]!.value) return false;
  const c = newComments[j]!;
  return c.kind === 'commentline' && c.loc !== null && c.loc.start.offset >= edit.from && inert(c.value) && inserted.trimStart().replace(/\s+$/, '') === c.value.replace(/\s+$/, '');
}

/** Not an ignore comment. */
function inert(value: string): boolean {
  return !/phpleak/i.test(value);
}

const NOT_SHAPE = new Set(['loc', 'parent', 'leadingComments', 'trailingComments']);

/** A node's tree without positions and attached comments. */
function shapeOf(node: PhpNode): string {
  return JSON.stringify(node, (k, v: unknown) => (NOT_SHAPE.has(k) ? undefined : v));
}
