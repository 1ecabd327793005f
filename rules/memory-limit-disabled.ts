import type { Call, PhpNode } from '../engine/nodes.js';
import { argumentAt, functionName } from '../engine/facts/index.js';
import { globalConstants, resolveScalar } from '../engine/facts/values.js';
import { defineRule } from '../engine/rule.js';

// `ini_set('memory_limit', …)` to a value PHP reads as "no limit". Exact on purpose: it is rare
// in real code, so only what the file itself determines is reported. PHP 8.2 semantics
// (measured, see the docs): '-1' (also ' -1', '-01', -1, -1.0) lifts the limit; '0' and other
// negatives are rejected ("Failed to set memory limit") and leave the old limit in place.

const SETTERS = new Set(['ini_set', 'ini_alter']);

// A database migration runs once and exits: lifting the limit there bounds nothing that grows
// over time, and nobody edits a migration that has shipped (a review judged pixelfed's not worth
// changing), so it is not reported, unless the file itself shows it runs long.
const MIGRATION_DIR = /(^|[\\/])migrations[\\/]/i;

// Lifting the limit costs something only in a process that lives on: a worker or a daemon then
// grows with a leak until the machine stops it. A command that imports once, or one HTTP request
// (PHP-FPM resets ini settings after it), ends and gives everything back, and lifting the limit
// there is usually a deliberate choice for one big run (a blind review judged both kinds "no").
// So: a note in ordinary code, a warning where the file runs long, nothing in one-shot scripts
// or request-only code.

export default defineRule({
  meta: {
    id: 'memory-limit-disabled',
    severity: 'info',
    longRunningSeverity: 'warning',
    longRunningEffect: 'a leak in it grows until the machine runs out instead of stopping at the limit',
    silentInOneShot: true,
    fixable: 'never',
    description: "ini_set('memory_limit', '-1') and equivalents: a leak then grows until the machine runs out of memory.",
    messages: {
      disabled: '`{{fn}}(\'memory_limit\', {{value}})` turns off PHP\'s memory limit: a leak grows until the machine runs out',
    },
    details: {
      disabled: "`{{fn}}('memory_limit', {{value}})` turns off PHP's memory limit: a leak in this process then grows until the machine's memory (or the OOM killer) stops it, instead of failing fast with 'Allowed memory size exhausted' at a known bound.",
    },
    tips: {
      disabled: "Set an explicit bound above the measured peak (`memory_get_peak_usage()`), e.g. `ini_set('memory_limit', '512M')`, and stream or batch what needs more.",
    },
  },
  defaultOptions: {},
  create(ctx) {
    // Test bootstraps lift the limit for the test run; that is not production behaviour.
    if (ctx.isTestFile) return {};
    const calls: Call[] = [];
    return {
      call(node) {
        const fn = functionName(node);
        if (fn !== null && SETTERS.has(fn)) calls.push(node);
      },
      'program:exit'(program) {
        if (calls.length === 0) return;
        const constants = globalConstants(program, ctx.facts);
        for (const call of calls) {
          const option = resolveScalar(argumentAt(call, 0, 'option'), ctx.facts, constants);
          if (option !== 'memory_limit') continue;
          const value = argumentAt(call, 1, 'value');
          if (!value || !liftsLimit(value, ctx.facts, constants)) continue;
          if (!ctx.longRunning && MIGRATION_DIR.test(ctx.file.path)) continue;
          ctx.report({ at: call, messageId: 'disabled', data: { fn: functionName(call)!, value: ctx.file.textOf(value).slice(0, 60) } });
        }
      },
    };
  },
});

function liftsLimit(value: PhpNode, facts: Parameters<typeof resolveScalar>[1], constants: ReadonlyMap<string, PhpNode>): boolean {
  // PHP_INT_MAX bytes is no limit either (accepted and never reached).
  const bare = value.kind === 'cast' ? value.expr : value;
  if (bare.kind === 'name' && bare.name.replace(/^\\/, '') === 'PHP_INT_MAX') return true;
  const v = resolveScalar(value, facts, constants);
  if (typeof v === 'number') return v === -1;
  // PHP parses the quantity after trimming blanks; leading zeros do not change it.
  return typeof v === 'string' && /^\s*-0*1\s*$/.test(v);
}
