import { LineIndex } from './positions.js';
import type { PhpNode, Program } from './nodes.js';
import type { Range } from './types.js';

/** Offsets [start, end) into the analysed text. */
export interface Span { start: number; end: number }

/**
 * One file under analysis. Holds the only copy of the AST, dropped with this object
 * (an AST costs about 30 bytes of heap per source byte: never keep one beyond its file).
 */
export class SourceFile {
  readonly lines: LineIndex;
  /**
   * What the analysis read of the text beyond the tree (engine/incremental-reuse.ts): spans
   * read through textOf, lineText or noteRead, as [start, end] pairs, and whether anything took
   * `text` itself (then any edit may change the result). An edit elsewhere that leaves the tree
   * as it was cannot change a finding, only move it.
   */
  readonly reads: number[] = [];
  /** Docblocks read (facts/names.ts docblockOf): their readers look past blanks at the end of a line. */
  readonly docReads: number[] = [];
  wholeTextRead = false;
  private readonly source: string;
  constructor(readonly path: string, text: string, readonly program: Program) {
    this.source = text;
    this.lines = new LineIndex(text, (start, end) => this.reads.push(start, end));
  }

  /** The whole text: whoever reads it may depend on any character (see `reads`). */
  get text(): string {
    this.wholeTextRead = true;
    return this.source;
  }

  /** The analysis depends on the characters of `span` (comments, blanks), not only on the tree. */
  noteRead(span: Span): void { this.reads.push(span.start, span.end); }

  /** A docblock was read (from its first tag). */
  noteDocblockRead(span: Span): void { this.docReads.push(span.start, span.end); }

  /** text[start, end), recorded as read. */
  slice(start: number, end: number): string {
    this.reads.push(start, end);
    return this.source.slice(start, end);
  }

  /**
   * One indentation step as the file uses it (tab or N spaces; 4 when unknown), from the first
   * indented line. It depends only on lines' leading blanks and the character after them, which
   * a reused analysis never sees change (engine/incremental-reuse.ts): not recorded as a read.
   */
  indentUnit(): string {
    const m = /^(\t| {2,8})\S/m.exec(this.source);
    if (!m) return '    ';
    return m[1] === '\t' ? '\t' : m[1]!;
  }

  /**
   * A node's true extent. php-parser gets about 6% of extents wrong; every finding and fix
   * goes through here, so the corrections live in this one place:
   * - an expression directly under a statement includes the statement's `;`: trimmed;
   * - `$a[] = …` starts the offsetlookup at `[`, and after `instanceof` a parent `bin`/`retif`
   *   starts at its operator: a node starts no later than its leftmost child;
   * - class/property ranges exclude their attributes: widened to include them;
   * - `$x::class` has `loc: null` on `class`: taken from the parent's end.
   */
  spanOf(node: PhpNode): Span {
    let start: number;
    let end: number;
    if (node.loc) {
      start = node.loc.start.offset;
      end = node.loc.end.offset;
    } else {
      const p = node.parent && this.spanOf(node.parent);
      start = p ? p.end : 0;
      end = start;
      if (p) {
        // `class` in `$x::class`: the identifier ends where its parent does.
        const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(this.source.slice(p.start, p.end));
        if (m) start = p.end - m[0].length;
      }
    }
    // Leftmost child: follow the chain down iteratively (chains can be thousands long).
    let left = leftmostChild(node);
    while (left) {
      if (left.loc && left.loc.start.offset < start) start = left.loc.start.offset;
      left = leftmostChild(left);
    }
    const attrs = (node as { attrGroups?: PhpNode[] }).attrGroups;
    if (attrs && attrs.length > 0 && attrs[0]!.loc && attrs[0]!.loc.start.offset < start) start = attrs[0]!.loc.start.offset;
    if (!isStatementKind(node.kind)) {
      // Trim a trailing `;` (and blanks before it) that belongs to the enclosing statement.
      while (end > start && /[\s;]/.test(this.source[end - 1]!)) end--;
    }
    return { start, end: Math.max(start, end) };
  }

  rangeOf(node: PhpNode | Span): Range {
    const s = 'kind' in node ? this.spanOf(node) : node;
    return this.lines.range(s.start, s.end);
  }

  textOf(node: PhpNode | Span): string {
    const s = 'kind' in node ? this.spanOf(node) : node;
    this.reads.push(s.start, s.end);
    return this.source.slice(s.start, s.end);
  }
}

/** The child whose source comes first for kinds where php-parser may start the parent late. */
function leftmostChild(node: PhpNode): PhpNode | null {
  switch (node.kind) {
    case 'bin': case 'assign': case 'assignref': return node.left;
    case 'retif': return node.test;
    case 'offsetlookup': case 'propertylookup': case 'nullsafepropertylookup': case 'staticlookup': case 'call':
      return node.what;
    case 'post': return node.what;
    default: return null;
  }
}

const STATEMENT_KINDS = new Set<string>([
  'expressionstatement', 'echo', 'return', 'throw', 'break', 'continue', 'global', 'static', 'unset',
  'propertystatement', 'classconstant', 'constantstatement', 'usegroup', 'goto', 'declare', 'inline',
  'block', 'namespace', 'program', 'do', 'halt', 'traituse', 'enumcase', 'noop', 'if', 'while', 'for',
  'foreach', 'switch', 'try', 'class', 'interface', 'trait', 'enum', 'function', 'method', 'case',
]);
function isStatementKind(kind: string): boolean { return STATEMENT_KINDS.has(kind); }
