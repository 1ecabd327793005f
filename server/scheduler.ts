import { CancellationToken, LSPErrorCodes, ResponseError, type Diagnostic } from 'vscode-languageserver/node.js';
import { isPoolFailure } from '../engine/pool.js';
import type { Finding } from '../engine/types.js';
import type { AnalysisResult, OpenDocument } from './documents.js';

// When analyses run, and which results reach the client:
// - a change waits `debounceMs` (each new change restarts the wait);
// - at most one analysis per document is in flight; a change meanwhile makes it re-run on the
//   newest text when it ends;
// - a result is published only if the document still has the version (and the configuration
//   the generation) it was computed for: an outdated result is never published;
// - an analysis that times out or fails (a hanging parse) keeps the last good result.

export interface SchedulerDeps {
  /** Lints a snapshot of a document; never rejects for a bad file (failures are pool findings). */
  analyse(d: OpenDocument, text: string): Promise<Finding[]>;
  /** Current configuration generation. */
  gen(): number;
  debounceMs(): number;
  diagnostics(d: OpenDocument, findings: Finding[]): Diagnostic[];
  publish(d: OpenDocument, r: AnalysisResult): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class Scheduler {
  private nextResultId = 1;
  /** Analyses started (phpleak/stats). */
  analyses = 0;
  constructor(private readonly deps: SchedulerDeps) {}

  /** The text changed: analyse after the debounce. */
  changed(d: OpenDocument): void {
    clearTimeout(d.timer);
    d.timer = setTimeout(() => { d.timer = undefined; this.run(d); }, this.deps.debounceMs());
  }

  /** Analyse without waiting (open, configuration change). */
  now(d: OpenDocument): void {
    clearTimeout(d.timer);
    d.timer = undefined;
    this.run(d);
  }

  isCurrent(d: OpenDocument): boolean {
    return d.settled !== null && d.settled.version === d.doc.version && d.settled.gen === this.deps.gen();
  }

  /**
   * The result for the document's current text (waiting for the scheduled analysis, or the last
   * good one if that failed). Null when the document closes meanwhile. Rejects with
   * RequestCancelled when the request is cancelled.
   */
  current(d: OpenDocument, token: CancellationToken = CancellationToken.None): Promise<AnalysisResult | null> {
    if (this.isCurrent(d)) return Promise.resolve(d.result);
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      d.waiters.push(w);
      const sub = token.onCancellationRequested(() => {
        const i = d.waiters.indexOf(w);
        if (i >= 0) d.waiters.splice(i, 1);
        sub.dispose();
        reject(new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled'));
      });
      if (!d.timer && !d.running) this.run(d);
    });
  }

  private run(d: OpenDocument): void {
    if (d.closed || d.running) return;
    const version = d.doc.version;
    const gen = this.deps.gen();
    d.running = { version, gen };
    this.analyses++;
    const text = d.doc.getText();
    this.deps.analyse(d, text).then(
      (findings) => this.done(d, version, gen, findings, text),
      (e: unknown) => {
        this.deps.log('error', `phpleak: the analysis of ${d.uri} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        this.done(d, version, gen, null, text);
      },
    );
  }

  private done(d: OpenDocument, version: number, gen: number, findings: Finding[] | null, text: string): void {
    d.running = null;
    if (d.closed) return;
    const failure = findings === null ? null : findings.find(isPoolFailure);
    if (findings === null || failure) {
      if (failure && d.reportedFailure !== version) {
        d.reportedFailure = version;
        this.deps.log('warn', `phpleak: ${d.uri} (version ${version}): ${failure.message}; the last result stays`);
      }
    } else {
      const diagnostics = this.deps.diagnostics(d, findings);
      const same = d.result !== null && JSON.stringify(d.result.diagnostics) === JSON.stringify(diagnostics);
      const resultId = same ? d.result!.resultId : String(this.nextResultId++);
      d.result = { version, gen, findings, diagnostics, resultId, text };
    }
    d.settled = { version, gen };
    if (this.isCurrent(d)) {
      if (findings !== null && !failure) this.deps.publish(d, d.result!);
      for (const w of d.waiters.splice(0)) w.resolve(d.result);
    } else if (!d.timer) {
      // The text (or the configuration) changed while this ran: analyse the newest now.
      this.run(d);
    }
  }
}
