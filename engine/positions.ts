import type { Position, Range } from './types.js';

/** Maps offsets to line/column for one text. Lines break at \n, \r\n and lone \r, as PHP does. */
export class LineIndex {
  private readonly starts: number[];
  /** `onRead`: told of every line whose text is read (engine/source.ts `reads`). */
  constructor(readonly text: string, private readonly onRead?: (start: number, end: number) => void) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  get lineCount(): number { return this.starts.length; }

  /** 1-based line containing offset (clamped into the text). */
  lineOf(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(o);
    return { line, column: o - this.starts[line - 1]!, offset: o };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** Offset of a 1-based line and 0-based column, clamped to that line. */
  offsetAt(line: number, column: number): number {
    if (line < 1) return 0;
    if (line > this.starts.length) return this.text.length;
    const start = this.starts[line - 1]!;
    return Math.min(start + Math.max(0, column), this.lineEnd(line));
  }

  lineStart(line: number): number { return this.starts[Math.max(0, Math.min(line, this.starts.length) - 1)]!; }

  /** Offset just before the line break of a 1-based line. */
  lineEnd(line: number): number {
    if (line >= this.starts.length) return this.text.length;
    const next = this.starts[line]!;
    return this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }

  lineText(line: number): string {
    const start = this.lineStart(line);
    const end = this.lineEnd(line);
    this.onRead?.(start, end);
    return this.text.slice(start, end);
  }

  /** The line break this text mostly uses, so inserted lines match the file. */
  get eol(): string {
    const crlf = this.text.indexOf('\r\n');
    if (crlf >= 0) return '\r\n';
    if (this.text.indexOf('\n') >= 0) return '\n';
    return this.text.indexOf('\r') >= 0 ? '\r' : '\n';
  }

  /** Leading whitespace of a line. */
  indentOf(line: number): string {
    const m = /^[ \t]*/.exec(this.lineText(line));
    return m ? m[0] : '';
  }
}

/** 1-based columns for human and CI formats. */
export function displayColumn(p: Position): number { return p.column + 1; }
