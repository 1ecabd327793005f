import { lintText } from '../../engine/lint.js';
import { fixUntilStable } from '../../engine/fixes.js';
import type { Finding } from '../../engine/types.js';
import type { HttpRuntime } from '../../engine/http-runtime.js';
import { rules } from '../../rules/index.js';

export const ruleById = new Map(rules.map((r) => [r.meta.id, r]));
export const allIds = new Set(ruleById.keys());

/** Lints with only the given rules enabled (default severities), as a fixture runner wants. */
export function lintWith(text: string, ids: readonly string[], opts: { path?: string; longRunning?: boolean; isTestFile?: boolean; options?: unknown; phpVersion?: string; httpRuntime?: HttpRuntime } = {}): Finding[] {
  const settings = ids.map((id) => {
    const rule = ruleById.get(id);
    if (!rule) throw new Error(`no rule ${id}`);
    return { rule, options: opts.options };
  });
  return lintText({ path: opts.path ?? 'fixture.php', text, rules: settings, knownRuleIds: allIds, longRunning: opts.longRunning, isTestFile: opts.isTestFile, phpVersion: opts.phpVersion, httpRuntime: opts.httpRuntime });
}

/** The text after applying fixes with the code `--fix-unsafe` uses. */
export function fixWith(text: string, ids: readonly string[], opts: { path?: string; longRunning?: boolean; options?: unknown } = {}): string {
  return fixUntilStable(text, (t) => lintWith(t, ids, opts), { allowUnsafe: true }).text;
}
