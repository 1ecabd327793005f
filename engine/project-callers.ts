import type { ArgumentSites } from './facts/call-arguments.js';
import type { FileSummary } from './project-index.js';
import type { CallerArgument, Finding, Range } from './types.js';

// Cross-file: what the project's callers pass to a public method. A finding whose only evidence
// is "`$value` of the public `Registry::insert()`" grows with what callers hand over: when every
// call in the project passes a value the code fixes (`X::class`, a literal, a name of the code),
// or runs under the class's own `has()`, or in start-up code, the array is as big as the code
// and the finding goes. When some caller passes data, or no call is seen outside the class's
// own file (a library's API, called by applications phpleak is not given: laravel's `Str`), it
// stays. A call site that hands on a parameter of its own method (or a key or value of a
// `foreach` over it) is as open as that method's callers, followed up to two methods out
// (engine/facts/passed-on.ts). The files' summaries carry the classified call sites
// (engine/facts/call-arguments.ts); this joins them, kept up to date file by file like the
// other indexes.

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
  /** Verdicts of parameters, valid until a file is added or removed (the CLI asks once per finding, after indexing). */
  private readonly memo = new Map<string, Position>();

  add(s: FileSummary): void {
    this.memo.clear();
    for (const a of s.arguments ?? []) {
      let byPath = this.sites.get(a.call);
      if (!byPath) { byPath = new Map(); this.sites.set(a.call, byPath); }
      byPath.set(s.path, a);
    }
  }

  remove(s: FileSummary): void {
    this.memo.clear();
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
    for (const a of args) {
      const v = this.position(a, path, false, 0, new Set([idOf(a)]));
      if (!v.decided) decided = false;
      data ??= v.data;
    }
    return { decided, ...(data ? { data } : {}) };
  }

  /**
   * What reaches one parameter: its call sites, and through each site that hands on a parameter
   * of its own method, that method's callers (`level` steps out, `MAX_LEVELS` at most).
   * `home`: the method's file; a public method needs a caller in another file (else its callers
   * are unseen: a library's API), a private or protected one (`local`) any caller.
   * `visiting`: the parameters on the way here; a site handing one of them back on (recursion,
   * two methods calling each other) adds no value of its own and is passed over.
   */
  private position(arg: CallerArgument, home: string, local: boolean, level: number, visiting: ReadonlySet<string>): Position {
    const key = `${idOf(arg)}|${home}|${local ? 1 : 0}|${level}`;
    const known = this.memo.get(key);
    if (known) return known;
    const { calls, index, required } = arg;
    let seen = false;
    let open = false;
    let cyclic = false;
    // A caller of this method that passes data by evidence is named first (as it is named
    // without callers further out); one further out only when no caller here shows data.
    let data: DataCaller | undefined;
    let further: DataCaller | undefined;
    for (const call of calls) {
      const byPath = this.sites.get(call);
      if (!byPath) continue;
      for (const [p, s] of [...byPath].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        // Calls that stop short of a required parameter are of another method by that name.
        if (required && s.reach <= index) continue;
        if (s.sites > 0 && (local || p !== home)) seen = true;
        if (s.open.includes(index) || (s.openFrom !== undefined && s.openFrom <= index)) open = true;
        const d = s.data?.find((x) => x.index === index);
        if (d) data ??= { path: p, range: d.range, why: d.why };
        for (const o of s.passedOn ?? []) {
          if (o.index !== index) continue;
          const id = idOf(o.to);
          if (visiting.has(id)) { cyclic = true; continue; }
          const inner = level < MAX_LEVELS ? this.position(o.to, p, o.local === true, level + 1, new Set([...visiting, id])) : undefined;
          if (inner?.cyclic) cyclic = true;
          if (inner?.decided) continue;
          open = true;
          if (o.why) data ??= { path: p, range: o.range, why: o.why };
          further ??= inner?.data;
        }
      }
    }
    data ??= further;
    const v: Position = { decided: seen && !open, cyclic, ...(data ? { data } : {}) };
    // Passed over a parameter on the way here: true of this path only.
    if (!cyclic) this.memo.set(key, v);
    return v;
  }
}

interface Position extends CallerVerdict { cyclic: boolean }

/** Sites handing on a parameter are followed this many methods out; past it they are open. */
const MAX_LEVELS = 2;

const idOf = (a: CallerArgument): string => `${a.calls[0]}#${a.index}`;

/** The finding with a caller that passes data named, when one is known (a new object: cached results are never mutated). */
export function withCaller(f: Finding, v: CallerVerdict | undefined, path: string): Finding {
  const d = v?.data;
  if (!d) return f;
  return { ...f, related: [...f.related, { ...(d.path !== path ? { path: d.path } : {}), range: d.range, message: `called here with ${d.why}` }] };
}
