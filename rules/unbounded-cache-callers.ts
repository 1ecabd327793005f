import { callerArgumentOf } from '../engine/facts/call-arguments.js';
import type { CallerArgument } from '../engine/types.js';
import type { Evidence } from './unbounded-cache-evidence.js';

// A finding whose every piece of evidence is "a public method's parameter named or typed for
// data" is decided by what the callers pass: the cross-file pass drops it when every caller of
// the project passes code there (engine/project-callers.ts). Evidence of any other kind (request
// input, a row's id, object identity, a function's parameter) keeps it whatever the callers do.

/** The parameters the callers decide, or undefined when some evidence does not rest on callers alone. */
export function callerArguments(evidence: readonly Evidence[]): CallerArgument[] | undefined {
  const out = new Map<string, CallerArgument>();
  for (const e of evidence) {
    if (!e.params || e.params.length === 0) return undefined;
    for (const p of e.params) {
      const c = callerArgumentOf(p);
      if (!c) return undefined;
      out.set(`${c.calls[0]}#${c.index}`, c);
    }
  }
  return out.size > 0 ? [...out.values()] : undefined;
}
