import { parseIncrementally, type ParsedText, type SpliceInfo } from './incremental-parse.js';
import type { Analysed } from './incremental-reuse.js';
import type { ParseResult } from './parse.js';

// The last problem-free parse of each open document, per worker thread, so the next edit can
// re-parse one member (engine/incremental-parse.ts), and the analysis of that text, so an edit
// that changes no tree can reuse it (engine/incremental-reuse.ts). A handful only: each holds a
// whole tree (tcpdf.php: tens of MB), and a document that moves to another worker just parses
// in full there. The editor says when a document closes (forgetDocument): its tree goes then.
const MAX_DOCUMENTS = 3;
interface Kept extends ParsedText {
  analysis?: Analysed;
  /** How long the last analysis of a whole text took (ms): what a deferred one would cost. */
  fullMs?: number;
}
const parses = new Map<string, Kept>();
let spliced = 0;
let reusedAnalyses = 0;

/** Parses so far that re-parsed one member instead of the whole text (tests, stats). */
export function splicedParses(): number { return spliced; }

/** Analyses so far answered by moving the previous one (tests, stats). */
export function reusedResults(): number { return reusedAnalyses; }

/** The tree kept for the document's next edit (tests compare it with a full parse). */
export function keptParse(key: string): ParsedText | undefined { return parses.get(key); }

/** A parse of a document's text, with what the splice replaced and the analysis of the text it was spliced into. */
export interface DocumentParse {
  parsed: ParseResult;
  /** The whole text was parsed (no splice). */
  whole: boolean;
  /** The previous text and its analysis, when the parse spliced one member into its tree. */
  previous?: { text: string; analysis: Analysed | undefined; splice: SpliceInfo };
}

/** Not parsed: the edited member no longer parses alone; a full analysis took `fullMs` last time. */
export interface DeferredParse { deferred: { fullMs: number } }

/**
 * Parses `text` for the document `key`, from its previous parse when the edit allows. With
 * `deferBroken`, an edit whose member no longer parses alone is not parsed at all (the caller
 * analyses the text in full later, if no newer text comes first).
 */
export function parseDocument(key: string, text: string, path: string, deferBroken = false): DocumentParse | DeferredParse {
  const prev = parses.get(key);
  const r = parseIncrementally(prev, text, path, deferBroken);
  if ('brokenMember' in r) return { deferred: { fullMs: prev?.fullMs ?? 0 } };
  if (r.reused) spliced++;
  const { reused, splice, ...parsed } = r;
  // A text with syntax errors keeps the last good parse: the edit that fixes it is then
  // usually inside the same member as the one that broke it, and splices.
  if (r.ok && r.problems.length === 0) {
    parses.delete(key);
    // The same text again keeps its analysis.
    const analysis = prev && prev.text === text && prev.analysis ? { analysis: prev.analysis } : {};
    parses.set(key, { text, program: r.program, ...analysis, ...(prev?.fullMs !== undefined ? { fullMs: prev.fullMs } : {}) });
    if (parses.size > MAX_DOCUMENTS) parses.delete(parses.keys().next().value!);
  }
  return { parsed, whole: !reused, ...(reused && splice && prev ? { previous: { text: prev.text, analysis: prev.analysis, splice } } : {}) };
}

/** An analysis of the document's whole text took `ms` (kept while the document has a tree here). */
export function noteFullAnalysis(key: string, ms: number): void {
  const kept = parses.get(key);
  if (kept) kept.fullMs = ms;
}

/** Keeps the analysis of the document's current text for its next edit. */
export function keepAnalysis(key: string, text: string, analysis: Analysed, reused: boolean): void {
  const kept = parses.get(key);
  if (!kept || kept.text !== text) return;
  kept.analysis = analysis;
  if (reused) reusedAnalyses++;
}

/** The analysis kept for the document's text, when there is one (the same text analysed again). */
export function keptAnalysis(key: string, text: string): Analysed | undefined {
  const kept = parses.get(key);
  return kept && kept.text === text ? kept.analysis : undefined;
}

/** The document closed: its tree and analysis go. */
export function forgetDocument(key: string): void { parses.delete(key); }

/** Forgets every cached parse (tests; memory pressure). */
export function forgetParses(): void { parses.clear(); }
