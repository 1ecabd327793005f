import { CancellationToken, LSPErrorCodes, ResponseError, type Diagnostic } from 'vscode-languageserver/node.js';
import { isPoolFailure } from '../engine/pool.js';
import type { Finding } from '../engine/types.js';
import type { AnalysisResult, OpenDocument, Snapshot, Waiter } from './documents.js';

// When analyses run, and which results reach the client:
// - a change after a quiet moment (none for `debounceMs`) is analysed at once, or right after
//   the analysis in flight, when the document's last analysis was cheap (at most 4 × the
//   debounce): then the wait would be most of the latency. An expensive document (a 25,000-line
//   file) still waits `debounceMs`, so a paste or a multi-cursor edit of several changes is one
//   analysis instead of one per change, each seconds long;
// - a change that follows another within `debounceMs` (a paste, a formatter, fast typing) waits
//   `debounceMs` (each new change restarts the wait, up to twice the debounce after the first
//   change not yet analysed, so a steady typist is never starved);
// - at most one analysis per document is in flight. Any request for an analysis that arrives
//   meanwhile (a change, a configuration or heap-dump change, the workspace index) is counted,
//   and when the analysis ends one more runs, on the newest text;
// - an analysis that ends is published with the document version it analysed, even when newer
//   edits have arrived: while the user types, the squiggles follow a step behind instead of
//   freezing until the typing stops. Only a result computed under an older configuration is
//   never published (its rules or severities no longer hold);
// - a change whose edited member no longer parses alone (the first `/` of `//`, a half-typed
//   call) is not analysed: the worker says so in a few milliseconds instead of parsing the whole
//   text (a 25,000-line file: most of a second, and the next keystrokes would wait behind it).
//   The last result stays published. The text is analysed in full when no newer change comes
//   within as long as that full analysis took last time (at least the debounce, at most a
//   second): a user who pauses on a syntax error sees it within about twice the cost of a full
//   analysis, and one who types on is not made to wait for the analysis of a text already gone;
// - requests that need the current text's result (pull diagnostics, code actions) wait for it,
//   and so do `now()` requests (open, configuration): their analysis is never deferred. A pull
//   from a client that takes `workspace/diagnostic/refresh` (VS Code pulls after every change)
//   is the exception: while the text is deferred it gets the last result, and the client is
//   asked to pull again once the text is analysed, so pull clients are not made to wait either;
// - an analysis that times out or fails (a hanging parse) keeps the last good result.

/**
 * The longest wait before a deferred text is analysed: a typist's keystrokes come a few hundred
 * ms apart, so a second without one is a pause; and the time a document's first analysis took
 * (cold code) overstates what the next one costs.
 */
const MAX_PAUSE_MS = 1000;

/** A change that was not analysed: its member no longer parses; a full analysis took `fullMs` last time. */
export interface Deferred { deferred: { fullMs: number } }

export interface SchedulerDeps {
  /**
   * Lints a snapshot of a document; never rejects for a bad file (failures are pool findings).
   * With `mayDefer`, answers Deferred instead when the edit broke the syntax of its member.
   */
  analyse(d: OpenDocument, text: string, mayDefer: boolean): Promise<Finding[] | Deferred>;
  /** Current configuration generation. */
  gen(): number;
  debounceMs(): number;
  diagnostics(d: OpenDocument, findings: Finding[]): Diagnostic[];
  publish(d: OpenDocument, r: AnalysisResult): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Asks the client to pull again (a pull was answered with an older result). */
  refresh(): void;
}

export class Scheduler {
  private nextResultId = 1;
  /** Analyses started (phpleak/stats). */
  analyses = 0;
  /** Of these, answered Deferred (phpleak/stats). */
  deferred = 0;
  constructor(private readonly deps: SchedulerDeps) {}

  /** The text changed: analyse after the debounce. */
  changed(d: OpenDocument): void {
    d.requested++;
    // A newer text: the deferred one is not wanted any more.
    clearTimeout(d.deferTimer);
    d.deferTimer = undefined;
    const now = performance.now();
    const debounce = this.deps.debounceMs();
    const quiet = now - d.lastChange >= debounce;
    d.lastChange = now;
    // Counted while running: done() then runs once more at once, on the newest text.
    if (quiet && !d.timer && d.lastCost <= 4 * debounce) { this.run(d); return; }
    if (!d.timer) d.pendingSince = now;
    clearTimeout(d.timer);
    const wait = Math.max(0, Math.min(debounce, d.pendingSince + 2 * debounce - now));
    d.timer = setTimeout(() => { d.timer = undefined; this.run(d); }, wait);
  }

  /** Analyse without waiting (open, configuration change, heap dumps, workspace index). */
  now(d: OpenDocument): void {
    d.requested++;
    d.mustAnalyse = true;
    clearTimeout(d.timer);
    d.timer = undefined;
    clearTimeout(d.deferTimer);
    d.deferTimer = undefined;
    this.run(d);
  }

  isCurrent(d: OpenDocument): boolean {
    const s = d.settled;
    return s !== null && s.version === d.doc.version && s.gen === this.deps.gen() && s.requested === d.requested;
  }

  /**
   * The result for the document's current text (waiting for the scheduled analysis, or the last
   * good one if that failed). Null when the document closes meanwhile. Rejects with
   * RequestCancelled when the request is cancelled.
   */
  current(d: OpenDocument, token: CancellationToken = CancellationToken.None, opts: { staleWhileDeferred?: boolean } = {}): Promise<AnalysisResult | null> {
    if (this.isCurrent(d)) return Promise.resolve(d.result);
    // Only a document with a result to fall back on can be answered stale.
    const stale = opts.staleWhileDeferred === true && d.result !== null;
    // Known to be deferred (waiting for the pause): the last result, at once.
    if (stale && d.deferTimer) { d.answeredStale = true; return Promise.resolve(d.result); }
    return new Promise((resolve, reject) => {
      const w: Waiter = stale ? { resolve, reject, stale: true } : { resolve, reject };
      d.waiters.push(w);
      const sub = token.onCancellationRequested(() => {
        const i = d.waiters.indexOf(w);
        if (i >= 0) d.waiters.splice(i, 1);
        sub.dispose();
        reject(new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled'));
      });
      if (!stale) {
        // A deferred text is wanted now (the waiter makes its analysis full: run()).
        clearTimeout(d.deferTimer);
        d.deferTimer = undefined;
      }
      if (!d.timer && !d.running) this.run(d);
    });
  }

  private run(d: OpenDocument): void {
    // Running: the request is counted, and done() starts one more run when this one ends.
    if (d.closed || d.running) return;
    const at: Snapshot = { version: d.doc.version, gen: this.deps.gen(), requested: d.requested };
    d.running = at;
    this.analyses++;
    const mayDefer = !d.mustAnalyse && d.waiters.every((w) => w.stale);
    d.mustAnalyse = false;
    const text = d.doc.getText();
    const started = performance.now();
    this.deps.analyse(d, text, mayDefer).then(
      (r) => {
        if (!Array.isArray(r)) { this.deferredAnalysis(d, at, r); return; }
        d.lastCost = performance.now() - started;
        this.done(d, at, r, text);
      },
      (e: unknown) => {
        this.deps.log('error', `phpleak: the analysis of ${d.uri} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        this.done(d, at, null, text);
      },
    );
  }

  /** Nothing settled, nothing published: the newest text is analysed now, or in full after a pause. */
  private deferredAnalysis(d: OpenDocument, at: Snapshot, r: Deferred): void {
    d.running = null;
    this.deferred++;
    // A change that arrived meanwhile waits its debounce, then runs.
    if (d.closed || d.timer) return;
    if (d.waiters.some((w) => !w.stale) || d.mustAnalyse || d.requested !== at.requested) { this.run(d); return; }
    for (const w of d.waiters.splice(0)) { d.answeredStale = true; w.resolve(d.result); }
    d.deferTimer = setTimeout(() => {
      d.deferTimer = undefined;
      d.mustAnalyse = true;
      this.run(d);
    }, Math.max(this.deps.debounceMs(), Math.min(r.deferred.fullMs, MAX_PAUSE_MS)));
  }

  private done(d: OpenDocument, at: Snapshot, findings: Finding[] | null, text: string): void {
    d.running = null;
    if (d.closed) return;
    const failure = findings === null ? null : findings.find(isPoolFailure);
    const good = findings !== null && !failure;
    if (!good) {
      if (failure && d.reportedFailure !== at.version) {
        d.reportedFailure = at.version;
        this.deps.log('warn', `phpleak: ${d.uri} (version ${at.version}): ${failure.message}; the last result stays`);
      }
    } else {
      const diagnostics = this.deps.diagnostics(d, findings);
      const same = d.result !== null && JSON.stringify(d.result.diagnostics) === JSON.stringify(diagnostics);
      const resultId = same ? d.result!.resultId : String(this.nextResultId++);
      d.result = { version: at.version, gen: at.gen, findings, diagnostics, resultId, text };
    }
    d.settled = at;
    if (good && at.gen === this.deps.gen()) this.deps.publish(d, d.result!);
    if (good && d.answeredStale && this.isCurrent(d)) { d.answeredStale = false; this.deps.refresh(); }
    if (this.isCurrent(d)) {
      for (const w of d.waiters.splice(0)) w.resolve(d.result);
    } else if (!d.timer) {
      // Asked for again while this ran (newer text, configuration, dumps): once more, now.
      this.run(d);
    }
  }
}
