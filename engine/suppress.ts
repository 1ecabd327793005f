import type { CommentNode } from './nodes.js';
import type { SourceFile, Span } from './source.js';
import type { Finding, Severity } from './types.js';

// Ignore comments (DESIGN §7), applied after the rules ran; rules never see them.
//   // phpleak-ignore-next-line <id>[, <id>] [-- reason]
//   $x = 1; // phpleak-ignore-line <id>
//   /** @phpleak-ignore <id> */   on a class, function, method or property docblock

export type DirectiveKind = 'next-line' | 'line' | 'declaration';

export interface Directive {
  kind: DirectiveKind;
  ids: string[];
  /** The comment, for reporting. */
  span: Span;
  /** Where in the comment the ids are (for fixes that remove one). */
  idSpans: Span[];
  /** 1-based lines the directive covers (inclusive); set once the target is known. */
  fromLine: number;
  toLine: number;
  used: Set<string>;
}

const LINE_RE = /phpleak-ignore-(next-line|line)\b([^\r\n]*)/;
const DOC_RE = /@phpleak-ignore(?![-\w])([^\r\n*]*)/g;

/** Reads the directives out of the file's comments. Declaration directives get their lines later. */
export function readDirectives(file: SourceFile, comments: readonly CommentNode[]): Directive[] {
  const out: Directive[] = [];
  for (const c of comments) {
    if (!c.loc || !c.value.includes('phpleak-ignore')) continue;
    const start = c.loc.start.offset;
    // php-parser includes the line break in a line comment's value; keep spans on the comment.
    const text = c.value.replace(/[\r\n]+$/, '');
    const span = { start, end: start + text.length };
    const line = file.lines.lineOf(start);
    const m = LINE_RE.exec(text);
    if (m) {
      const kind = m[1] === 'line' ? 'line' : 'next-line';
      const idsStart = start + m.index + m[0].length - m[2]!.length;
      const { ids, idSpans } = parseIds(m[2]!, idsStart);
      const endLine = file.lines.lineOf(span.end);
      const target = kind === 'line' ? line : endLine + 1;
      out.push({ kind, ids, span, idSpans, fromLine: target, toLine: target, used: new Set() });
      continue;
    }
    if (c.kind === 'commentblock' && text.startsWith('/**')) {
      DOC_RE.lastIndex = 0;
      let d: RegExpExecArray | null;
      while ((d = DOC_RE.exec(text)) !== null) {
        const idsStart = start + d.index + d[0].length - d[1]!.length;
        const { ids, idSpans } = parseIds(d[1]!, idsStart);
        out.push({ kind: 'declaration', ids, span, idSpans, fromLine: line, toLine: -1, used: new Set() });
      }
    }
  }
  return out;
}

function parseIds(raw: string, offset: number): { ids: string[]; idSpans: Span[] } {
  // The reason follows `--`; ids are separated by commas and/or spaces.
  const cut = raw.indexOf('--');
  const part = cut >= 0 ? raw.slice(0, cut) : raw;
  const ids: string[] = [];
  const idSpans: Span[] = [];
  const re = /[A-Za-z0-9_-]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(part)) !== null) {
    ids.push(m[0]);
    idSpans.push({ start: offset + m.index, end: offset + m.index + m[0].length });
  }
  return { ids, idSpans };
}

/**
 * Binds declaration directives to the declaration right after their docblock: the first
 * declaration whose start follows the comment with only blanks (or attributes) between.
 */
export function bindDeclarations(file: SourceFile, directives: Directive[], declarations: readonly Span[]): void {
  const sorted = [...declarations].sort((a, b) => a.start - b.start);
  for (const d of directives) {
    if (d.kind !== 'declaration') continue;
    const decl = sorted.find((s) => s.start >= d.span.end && /^[\s]*$/.test(file.text.slice(d.span.end, s.start)));
    d.toLine = decl ? file.lines.lineOf(decl.end) : d.fromLine - 1; // unbound: covers nothing
  }
}

export interface SuppressResult { kept: Finding[]; suppressed: Finding[] }

/** Drops findings covered by a directive naming their rule and marks those directives used. */
export function applyDirectives(findings: readonly Finding[], directives: readonly Directive[]): SuppressResult {
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const line = f.range.start.line;
    let hit = false;
    for (const d of directives) {
      if (line >= d.fromLine && line <= d.toLine && d.ids.includes(f.ruleId)) { d.used.add(f.ruleId); hit = true; }
    }
    (hit ? suppressed : kept).push(f);
  }
  return { kept, suppressed };
}

/**
 * Findings about the directives themselves: a bare ignore (no rule id), an unknown id, and an
 * id that suppressed nothing (`unused-ignore`, only for rules that ran on this file).
 */
export function directiveFindings(
  file: SourceFile, directives: readonly Directive[], knownIds: ReadonlySet<string>, ranIds: ReadonlySet<string>,
  severities: { invalid: Severity | 'off'; unused: Severity | 'off' },
): Finding[] {
  const out: Finding[] = [];
  for (const d of directives) {
    const range = file.rangeOf(d.span);
    if (d.ids.length === 0 && severities.invalid !== 'off') {
      out.push({
        ruleId: 'invalid-ignore', severity: severities.invalid, range, related: [], fixes: [],
        message: 'This ignore comment names no rule, so it ignores nothing',
        details: 'phpleak requires the rule id, so an ignore never hides more than was meant.',
        tip: `Name the rule: \`phpleak-ignore-${d.kind === 'line' ? 'line' : 'next-line'} <rule-id> -- reason\`.`,
      });
      continue;
    }
    d.ids.forEach((id, i) => {
      if (!knownIds.has(id)) {
        if (severities.invalid === 'off') return;
        out.push({
          ruleId: 'invalid-ignore', severity: severities.invalid, range: file.rangeOf(d.idSpans[i]!), related: [], fixes: [],
          message: `\`${id}\` is not a phpleak rule id, so this ignore has no effect.`,
          tip: 'Run `phpleak rules` for the list of ids.',
        });
        return;
      }
      if (d.used.has(id) || !ranIds.has(id) || severities.unused === 'off') return;
      const only = d.ids.length === 1;
      out.push({
        ruleId: 'unused-ignore', severity: severities.unused, range: file.rangeOf(d.idSpans[i]!), related: [],
        message: `Unused ignore: \`${id}\` reports nothing here, so this ignore can go (it would hide a future finding).`,
        fixes: [{ title: only ? 'Remove this ignore comment' : `Remove \`${id}\` from this ignore comment`, safety: 'safe',
          edits: [only ? removeCommentEdit(file, d.span) : removeIdEdit(file, d, i)] }],
      });
    });
  }
  return out;
}

function removeCommentEdit(file: SourceFile, span: Span): { start: number; end: number; text: string } {
  const lines = file.lines;
  const line = lines.lineOf(span.start);
  const before = file.text.slice(lines.lineStart(line), span.start);
  const after = file.text.slice(span.end, lines.lineEnd(line));
  if (before.trim() === '' && after.trim() === '') {
    const end = line < lines.lineCount ? lines.lineStart(line + 1) : lines.lineEnd(line);
    return { start: lines.lineStart(line), end, text: '' };
  }
  // A trailing comment: remove it with the blanks before it.
  let start = span.start;
  while (start > 0 && (file.text[start - 1] === ' ' || file.text[start - 1] === '\t')) start--;
  return { start, end: span.end, text: '' };
}

function removeIdEdit(file: SourceFile, d: Directive, i: number): { start: number; end: number; text: string } {
  const s = d.idSpans[i]!;
  // Take the separator on one side with it: `a, b` → `a` / `b`.
  if (i > 0) {
    const prev = d.idSpans[i - 1]!;
    return { start: prev.end, end: s.end, text: '' };
  }
  const next = d.idSpans[i + 1]!;
  return { start: s.start, end: next.start, text: '' };
}
