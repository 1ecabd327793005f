import type { PhpNode } from './nodes.js';
import type { SourceFile, Span } from './source.js';
import type { Finding, Fix, FixSafety, TextEdit } from './types.js';

/** Builds text edits for a rule's fix; knows the file's line endings and indentation. */
export class Fixer {
  constructor(readonly file: SourceFile) {}

  get eol(): string { return this.file.lines.eol; }

  span(at: PhpNode | Span): Span { return 'kind' in at ? this.file.spanOf(at) : at; }

  replace(at: PhpNode | Span, text: string): TextEdit { const s = this.span(at); return { start: s.start, end: s.end, text }; }
  insertBefore(at: PhpNode | Span, text: string): TextEdit { const s = this.span(at); return { start: s.start, end: s.start, text }; }
  insertAfter(at: PhpNode | Span, text: string): TextEdit { const s = this.span(at); return { start: s.end, end: s.end, text }; }
  remove(at: PhpNode | Span): TextEdit { return this.replace(at, ''); }
  insertAt(offset: number, text: string): TextEdit { return { start: offset, end: offset, text }; }

  /** Indentation of the line where `at` starts. */
  indentAt(at: PhpNode | Span | number): string {
    const off = typeof at === 'number' ? at : this.span(at).start;
    return this.file.lines.indentOf(this.file.lines.lineOf(off));
  }

  /** One indentation step as the file uses it (tab or N spaces; 4 when unknown). */
  get indentUnit(): string { return this.file.indentUnit(); }

  /** Span of whole lines covering `at`, including the final line break (for removing a statement). */
  wholeLines(at: PhpNode | Span): Span {
    const s = this.span(at);
    const lines = this.file.lines;
    const first = lines.lineOf(s.start);
    const last = lines.lineOf(s.end);
    const startOff = lines.lineStart(first);
    const before = this.file.slice(startOff, s.start);
    const after = this.file.slice(s.end, lines.lineEnd(last));
    if (before.trim() !== '' || after.trim() !== '') return s;
    const end = last < lines.lineCount ? lines.lineStart(last + 1) : lines.lineEnd(last);
    return { start: startOff, end };
  }

  fix(title: string, edits: TextEdit[], safety: FixSafety = 'safe'): Fix {
    return { title, edits: [...edits].sort((a, b) => a.start - b.start || a.end - b.end), safety };
  }
}

/** Applies edits that do not overlap; returns null if any pair overlaps. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string | null {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) return null;
  }
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos || e.end > text.length || e.start > e.end) return null;
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

export interface FixPassResult {
  text: string;
  /** Fixes applied, by rule id. */
  applied: { ruleId: string; title: string }[];
}

/**
 * One pass: takes the first fix of each finding (allowed by safety), skipping any whose edits
 * overlap an already chosen one (as ESLint's source-code-fixer does); the next pass re-lints.
 */
export function applyFixPass(text: string, findings: readonly Finding[], allowUnsafe: boolean): FixPassResult {
  const chosen: { ruleId: string; fix: Fix }[] = [];
  const taken: TextEdit[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.safety === 'safe' || allowUnsafe);
    if (!fix || fix.edits.length === 0) continue;
    const overlaps = fix.edits.some((e) => taken.some((t) => e.start < t.end && t.start < e.end || (e.start === t.start && e.end === t.end && e.start === e.end)));
    if (overlaps) continue;
    chosen.push({ ruleId: f.ruleId, fix });
    taken.push(...fix.edits);
  }
  const next = applyEdits(text, taken);
  if (next === null) return { text, applied: [] };
  return { text: next, applied: chosen.map((c) => ({ ruleId: c.ruleId, title: c.fix.title })) };
}

export interface FixLoopResult {
  text: string;
  applied: { ruleId: string; title: string }[];
  passes: number;
  /** True when a pass produced text that does not parse: the last parsing text is kept. */
  stoppedOnParseError: boolean;
}

/**
 * Applies fixes until stable (at most `maxPasses`), re-linting between passes, as `--fix` and
 * fix-all do. Never returns text that does not parse: a pass whose result has a parse error is
 * undone and the loop stops.
 */
export function fixUntilStable(
  text: string, lint: (text: string) => Finding[], opts: { allowUnsafe: boolean; maxPasses?: number; only?: (f: Finding) => boolean },
): FixLoopResult {
  const max = opts.maxPasses ?? 10;
  const applied: FixLoopResult['applied'] = [];
  let current = text;
  let passes = 0;
  let findings = lint(current);
  // Fixing a file that does not parse could only make it worse: leave it to its author.
  if (findings.some((f) => f.ruleId === 'parse-error')) return { text, applied, passes, stoppedOnParseError: true };
  while (passes < max) {
    const candidates = findings.filter((f) => f.ruleId !== 'parse-error' && (!opts.only || opts.only(f)));
    const pass = applyFixPass(current, candidates, opts.allowUnsafe);
    if (pass.applied.length === 0 || pass.text === current) break;
    passes++;
    const next = lint(pass.text);
    if (next.some((f) => f.ruleId === 'parse-error')) return { text: current, applied, passes, stoppedOnParseError: true };
    applied.push(...pass.applied);
    current = pass.text;
    findings = next;
  }
  return { text: current, applied, passes, stoppedOnParseError: false };
}
