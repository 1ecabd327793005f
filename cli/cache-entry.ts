import type { FileSummary } from '../engine/project-index.js';
import { SEVERITIES, type Finding } from '../engine/types.js';

// A cache entry is data from disk: a hand edit, another version or a bad disk can make it valid
// JSON of the wrong shape (`"f": null`, `"s": null`, a severity that does not exist). Such an
// entry is a miss (the file is linted again and the entry rewritten), never a crash and never a
// finding with a made-up severity.

export interface CacheEntry { h: string; f: Finding[]; s?: FileSummary }

const obj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const int = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
const str = (x: unknown): x is string => typeof x === 'string';

function isPosition(x: unknown): boolean {
  return obj(x) && int(x.line) && int(x.column) && int(x.offset);
}

function isRange(x: unknown): boolean {
  return obj(x) && isPosition(x.start) && isPosition(x.end);
}

function isFinding(x: unknown): x is Finding {
  if (!obj(x) || !str(x.ruleId) || !str(x.message) || !(SEVERITIES as readonly unknown[]).includes(x.severity) || !isRange(x.range)) return false;
  if (x.tip !== undefined && !str(x.tip)) return false;
  if (x.raiseTo !== undefined && !(SEVERITIES as readonly unknown[]).includes(x.raiseTo)) return false;
  if (x.instanceState !== undefined && x.instanceState !== true) return false;
  if (x.unlessCalled !== undefined && !(Array.isArray(x.unlessCalled) && x.unlessCalled.every(str))) return false;
  if (x.callerArguments !== undefined && !(Array.isArray(x.callerArguments) && x.callerArguments.every((c) => obj(c) && int(c.index) && (c.required === undefined || c.required === true) && Array.isArray(c.calls) && c.calls.every(str)))) return false;
  if (!Array.isArray(x.related) || !x.related.every((r) => obj(r) && isRange(r.range) && str(r.message) && (r.path === undefined || str(r.path)))) return false;
  return Array.isArray(x.fixes) && x.fixes.every((f) => obj(f) && str(f.title) && (f.safety === 'safe' || f.safety === 'unsafe')
    && Array.isArray(f.edits) && f.edits.every((e) => obj(e) && int(e.start) && int(e.end) && str(e.text)));
}

function isArgumentSites(x: unknown): boolean {
  return obj(x) && str(x.call) && int(x.sites) && int(x.reach) && Array.isArray(x.open) && x.open.every(int) && (x.openFrom === undefined || int(x.openFrom))
    && (x.data === undefined || (Array.isArray(x.data) && x.data.every((d) => obj(d) && int(d.index) && isRange(d.range) && str(d.why))))
    && (x.passedOn === undefined || (Array.isArray(x.passedOn) && x.passedOn.every((o) => obj(o) && int(o.index) && isCallerArgument(o.to)
      && (o.local === undefined || o.local === true) && isRange(o.range) && (o.why === undefined || str(o.why)))));
}

function isCallerArgument(c: unknown): boolean {
  return obj(c) && int(c.index) && (c.required === undefined || c.required === true) && Array.isArray(c.calls) && c.calls.length > 0 && c.calls.every(str);
}

export function isSummary(x: unknown): x is FileSummary {
  return obj(x) && str(x.path) && (x.longRunning === null || str(x.longRunning))
    && (x.calls === undefined || (Array.isArray(x.calls) && x.calls.every(str)))
    && (x.arguments === undefined || (Array.isArray(x.arguments) && x.arguments.every(isArgumentSites)))
    && (x.passedTo === undefined || (Array.isArray(x.passedTo) && x.passedTo.every(str)))
    && (x.requestParams === undefined || (Array.isArray(x.requestParams) && x.requestParams.every(str)))
    && (x.transient === undefined || (Array.isArray(x.transient) && x.transient.every((b) => obj(b) && str(b.abstract) && str(b.concrete))))
    && (x.lookups === undefined || (Array.isArray(x.lookups) && x.lookups.every((l) => obj(l) && str(l.cls) && (l.by === null || str(l.by)))))
    && Array.isArray(x.classes) && x.classes.every((c) => obj(c) && str(c.fqn) && isRange(c.range))
    && Array.isArray(x.holds) && x.holds.every((h) => obj(h) && (h.holder === null || str(h.holder)) && str(h.held)
      && (h.via === 'property' || h.via === 'constructor' || h.via === 'new') && isRange(h.range))
    && Array.isArray(x.creates) && x.creates.every((c) => obj(c) && str(c.cls) && typeof c.kept === 'boolean' && (c.by === undefined || (Array.isArray(c.by) && c.by.every(str))) && (c.lookup === undefined || c.lookup === true))
    && Array.isArray(x.resolved) && x.resolved.every(str);
}

export function isCacheEntry(x: unknown): x is CacheEntry {
  return obj(x) && str(x.h) && Array.isArray(x.f) && x.f.every(isFinding) && (x.s === undefined || isSummary(x.s));
}
