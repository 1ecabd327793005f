import { perRequestRole } from './facts/http-scope.js';
import type { Facts } from './facts/index.js';
import type { SourceFile } from './source.js';
import type { Finding } from './types.js';

// Under PHP-FPM a controller's or a middleware's code runs inside one HTTP request, and all it
// adds to the process (listeners, cache entries, cycles) is given back with the response: the
// findings of rules about what a process keeps from one request to the next are dropped there,
// as in a one-shot script (engine/lint.ts). Only when the project's runtime is known to be
// per-request (engine/http-runtime.ts): under Octane the same code leaks.

/** Removes from `findings` those of `acrossRequests` rules inside request-only classes. */
export function dropRequestOnly(findings: Finding[], acrossRequests: ReadonlySet<string>, facts: Facts, file: SourceFile): void {
  const spans = facts.classes.filter((c) => perRequestRole(c) !== null).map((c) => file.spanOf(c.node));
  if (spans.length === 0) return;
  for (let i = findings.length - 1; i >= 0; i--) {
    const f = findings[i]!;
    const at = f.range.start.offset;
    if (acrossRequests.has(f.ruleId) && spans.some((s) => s.start <= at && at < s.end)) findings.splice(i, 1);
  }
}
