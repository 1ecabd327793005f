import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver/node.js';
import type { Finding } from '../engine/types.js';

/** One analysis of one version of a document under one configuration generation. */
export interface AnalysisResult {
  version: number;
  /** Configuration generation the analysis ran with. */
  gen: number;
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** Same id for the same diagnostics (pull: "unchanged" reports). */
  resultId: string;
  /** The text analysed: hover and code actions map positions from it to newer text (server/mapped-result.ts). */
  text: string;
}

/** What an analysis ran for: a text version, a configuration generation, a request count. */
export interface Snapshot { version: number; gen: number; requested: number }

export interface Waiter {
  resolve: (r: AnalysisResult | null) => void;
  reject: (e: unknown) => void;
  /**
   * A pull from a client that takes a refresh (server/pull-diagnostics.ts): when the current
   * text's analysis is deferred, it is answered with the last result instead of forcing a full
   * parse, and the client is asked to pull again once that text is analysed.
   */
  stale?: true;
}

/** An open document and the state of its analysis. A reopened document is a new object. */
export class OpenDocument {
  closed = false;
  /** Pending debounce. */
  timer: NodeJS.Timeout | undefined;
  /** Pending full analysis of a text whose analysis was deferred (server/scheduler.ts). */
  deferTimer: NodeJS.Timeout | undefined;
  /** The next analysis must not be deferred (open, configuration, a waiter, the pause after a deferral). */
  mustAnalyse = false;
  /** When the first change not yet analysed arrived (bounds the debounce while typing). */
  pendingSince = 0;
  /** When the last change arrived: a change after a quiet moment is analysed without waiting. */
  lastChange = -Infinity;
  /** How long the last analysis took (ms): only a cheap analysis starts without a wait. */
  lastCost = 0;
  /**
   * Requests for an analysis so far (changes, configuration, heap dumps, the workspace index):
   * one that arrives while an analysis runs is seen by comparing counts when it ends.
   */
  requested = 0;
  /** The analysis in flight (at most one per document). */
  running: Snapshot | null = null;
  /** Last good result: kept when a later analysis times out or fails. */
  result: AnalysisResult | null = null;
  /** What the last finished analysis (good or not) was for. */
  settled: Snapshot | null = null;
  /** Requests (pull diagnostics, code actions) waiting for the current version's result. */
  waiters: Waiter[] = [];
  /** A pull was answered with an older result than the text's: refresh the client once it settles. */
  answeredStale = false;
  /** The client pulled diagnostics for this document (then, in "auto" mode, nothing is pushed). */
  pulled = false;
  /** The last push for this document had diagnostics (to clear when the client starts pulling). */
  pushedSome = false;
  /** Last version a failed analysis was reported for, so a hang is logged once. */
  reportedFailure = -1;

  constructor(public doc: TextDocument) {}

  get uri(): string { return this.doc.uri; }
}

export class DocumentStore {
  private readonly map = new Map<string, OpenDocument>();

  get(uri: string): OpenDocument | undefined { return this.map.get(uri); }

  open(doc: TextDocument): OpenDocument {
    this.close(doc.uri);
    const d = new OpenDocument(doc);
    this.map.set(doc.uri, d);
    return d;
  }

  close(uri: string): OpenDocument | undefined {
    const d = this.map.get(uri);
    if (!d) return undefined;
    this.map.delete(uri);
    d.closed = true;
    clearTimeout(d.timer);
    d.timer = undefined;
    clearTimeout(d.deferTimer);
    d.deferTimer = undefined;
    for (const w of d.waiters.splice(0)) w.resolve(null);
    // An analysis in flight still holds the object until it ends: let go of the analysed text
    // (megabytes for a large file) now.
    d.result = null;
    return d;
  }

  all(): OpenDocument[] { return [...this.map.values()]; }
}
