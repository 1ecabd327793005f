import { parseIncrementally, type ParsedText } from './incremental-parse.js';
import type { ParseResult } from './parse.js';

// The last problem-free parse of each open document, per worker thread, so the next edit can
// re-parse one member (engine/incremental-parse.ts). A handful only: each holds a whole tree
// (tcpdf.php: tens of MB), and a document that moves to another worker just parses in full there.
const MAX_DOCUMENTS = 3;
const parses = new Map<string, ParsedText>();
let spliced = 0;

/** Parses so far that re-parsed one member instead of the whole text (tests, stats). */
export function splicedParses(): number { return spliced; }

/** The tree kept for the document's next edit (tests compare it with a full parse). */
export function keptParse(key: string): ParsedText | undefined { return parses.get(key); }

/** Parses `text` for the document `key`, from its previous parse when the edit allows. */
export function parseDocument(key: string, text: string, path: string): ParseResult {
  const prev = parses.get(key);
  const r = parseIncrementally(prev, text, path);
  if (r.reused) spliced++;
  // A text with syntax errors keeps the last good parse: the edit that fixes it is then
  // usually inside the same member as the one that broke it, and splices.
  if (r.ok && r.problems.length === 0) {
    parses.delete(key);
    parses.set(key, { text, program: r.program });
    if (parses.size > MAX_DOCUMENTS) parses.delete(parses.keys().next().value!);
  }
  return r;
}

/** Forgets every cached parse (tests; memory pressure). */
export function forgetParses(): void { parses.clear(); }
