import type { CallerVerdict } from './project-callers.js';
import { withCaller } from './project-callers.js';
import type { DeclaredClass, FileSummary, KeptAlive, ProjectIndex } from './project-index.js';
import { keptAliveText, relatedOf } from './project-kept-alive.js';
import { withLongRunningNote } from './rule.js';
import { lowerOf, type Finding, type Severity } from './types.js';

// The cross-file pass over one file's findings, once the project index holds every file
// (engine/project-index.ts): findings the project's callers, resets and lifetimes answer are
// dropped, and those in a class that long-running code elsewhere keeps alive are raised.

/** What enrich needs to know of a rule (engine/rule.ts RuleMeta). */
export interface CrossFileRule { longRunningSeverity?: Severity; longRunningEffect?: string; crossFile?: boolean }

export interface EnrichOptions {
  rules: ReadonlyMap<string, CrossFileRule>;
  /** Rules whose severity the config pins: their severity is never raised. */
  pinned?: ReadonlySet<string>;
}

/**
 * The findings of the file at `path` (as indexed), without those about the state of instances
 * of a class the project makes only for one operation (`Finding.instanceState`), and with those
 * of `crossFile` rules inside a class kept alive by long-running code elsewhere raised and explained. Returns new finding
 * objects for the changed ones (cached results are never mutated); files that are long-running
 * themselves are left alone (the engine already raised them).
 */
export function enrich(path: string, all: readonly Finding[], index: ProjectIndex, opts: EnrichOptions): Finding[] {
  // A reset the class offers, called from another file: that caller empties what grew.
  // Evidence that only says "a public method's parameter": the project's callers decide, and
  // one that passes data is named (after the holders, which explain the severity).
  const verdicts = new Map<Finding, CallerVerdict>();
  const findings = all.filter((f) => {
    if (f.unlessCalled && index.isCalledElsewhere(f.unlessCalled, path)) return false;
    if (!f.callerArguments) return true;
    const v = index.callersOf(f, path);
    verdicts.set(f, v);
    return !v.decided;
  });
  const named = (list: Finding[], out: Finding[] = list): Finding[] => out.map((f, i) => withCaller(f, verdicts.get(list[i]!), path));
  const summary = index.get(path);
  if (!summary || summary.classes.length === 0) return named(findings);
  // State of an instance that every caller makes for one call and drops dies with the call.
  const live = findings.filter((f) => !f.instanceState || !isPerOperation(summary, f, index));
  if (summary.longRunning) return named(live);
  const memo = new Map<string, KeptAlive | null>();
  return named(live, live.map((f) => {
    const rule = opts.rules.get(f.ruleId);
    if (!rule?.crossFile) return f;
    const cls = innermostClass(summary, f.range.start.offset);
    if (!cls) return f;
    if (!memo.has(cls.fqn)) memo.set(cls.fqn, index.keptAliveBy(cls.fqn));
    const kept = memo.get(cls.fqn);
    if (!kept) return f;
    const raise = rule.longRunningSeverity && !opts.pinned?.has(f.ruleId);
    // Details, not the message: the message is the finding's identity (engine/identity.ts) and
    // must not depend on which other files were linted, nor name their paths.
    const details = rule.longRunningEffect ? withLongRunningNote(f.details, keptAliveText(cls.fqn, kept), rule.longRunningEffect) : f.details;
    return { ...f, severity: raise ? lowerOf(rule.longRunningSeverity!, f.raiseTo) : f.severity, ...(details !== undefined ? { details } : {}), related: [...f.related, ...relatedOf(cls.fqn, kept)] };
  }));
}

function isPerOperation(s: FileSummary, f: Finding, index: ProjectIndex): boolean {
  const cls = innermostClass(s, f.range.start.offset);
  return cls !== null && (index.perOperation(cls.fqn) || index.requestOnly(cls.fqn));
}

function innermostClass(s: FileSummary, offset: number): DeclaredClass | null {
  let best: DeclaredClass | null = null;
  for (const c of s.classes) {
    if (c.range.start.offset <= offset && offset < c.range.end.offset && (!best || c.range.start.offset >= best.range.start.offset)) best = c;
  }
  return best;
}
