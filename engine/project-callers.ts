import type { ArgumentSites } from './facts/call-arguments.js';
import type { FileSummary } from './project-index.js';
import type { CallerArgument, Finding, Range } from './types.js';

// Cross-file: what the project's callers pass to a public method. A finding whose only evidence
// is "`$value` of the public `Registry::insert()`" grows with what callers hand over: when every
// call in the project passes a value the code fixes (`X::class`, a literal, a name of the code),
// or runs under the class's own `has()`, or in start-up code, the array is as big as the code
// and the finding goes. When some caller passes data, or no call is seen outside the class's
// own file (a library's API, called by applications phpleak is not given: laravel's `Str`), it
// stays. The files' summaries carry the classified call sites (engine/facts/call-arguments.ts);
// this joins them, kept up to date file by file like the other indexes.

/** A caller passing data by evidence: shown as a related location of the finding it keeps. */
export interface DataCaller { path: string; range: Range; why: string }

export interface CallerVerdict {
  /** Every call site passes code at every argument the finding rests on, and at least one is in another file. */
  decided: boolean;
  data?: DataCaller;
}

export class CallerIndex {
  /** Call key → path → that file's sites. */
  private readonly sites = new Map<string, Map<string, ArgumentSites>>();

  add(s: FileSummary): void {
    for (const a of s.arguments ?? []) {
      let byPath = this.sites.get(a.call);
      if (!byPath) { byPath = new Map(); this.sites.set(a.call, byPath); }
      byPath.set(s.path, a);
    }
  }

  remove(s: FileSummary): void {
    for (const a of s.arguments ?? []) {
      const byPath = this.sites.get(a.call);
      byPath?.delete(s.path);
      if (byPath?.size === 0) this.sites.delete(a.call);
    }
  }

  /** What the callers of the project pass at `args`, seen from the file at `path`. */
  verdict(args: readonly CallerArgument[], path: string): CallerVerdict {
    let decided = args.length > 0;
    let data: DataCaller | undefined;
    for (const { calls, index, required } of args) {
      let elsewhere = false;
      let open = false;
      for (const call of calls) {
        const byPath = this.sites.get(call);
        if (!byPath) continue;
        for (const [p, s] of [...byPath].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
          // Calls that stop short of a required parameter are of another method by that name.
          if (required && s.reach <= index) continue;
          if (p !== path && s.sites > 0) elsewhere = true;
          if (s.open.includes(index) || (s.openFrom !== undefined && s.openFrom <= index)) open = true;
          const d = s.data?.find((x) => x.index === index);
          if (d && !data) data = { path: p, range: d.range, why: d.why };
        }
      }
      if (!elsewhere || open) decided = false;
    }
    return { decided, ...(data ? { data } : {}) };
  }
}

/** The finding with a caller that passes data named, when one is known (a new object: cached results are never mutated). */
export function withCaller(f: Finding, v: CallerVerdict | undefined, path: string): Finding {
  const d = v?.data;
  if (!d) return f;
  return { ...f, related: [...f.related, { ...(d.path !== path ? { path: d.path } : {}), range: d.range, message: `called here with ${d.why}` }] };
}
