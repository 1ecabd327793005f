import { readFileSync } from 'node:fs';
import { ENGINE_IDS } from '../engine/config.js';
import type { AnyRule, Fixability } from '../engine/rule.js';
import { bundled } from '../engine/bundle.js';
import { readRuleDocs, ruleDocsUrl } from '../engine/rule-docs.js';
import { ENGINE_DEFAULTS, type EngineFindingId, type Severity } from '../engine/types.js';

// What the CLI knows about rules beyond the registry: the engine's own finding ids, the
// package version, the docs. Formatters (SARIF rules[], `phpleak rules`, `explain`) read it here.

export const VERSION: string = bundled?.version ?? (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** The rule registry as a module URL, for the worker threads (they import it themselves). */
export const REGISTRY_URL = new URL('../rules/index.js', import.meta.url).href;

export interface RuleInfo {
  id: string;
  severity: Severity;
  longRunningSeverity?: Severity;
  fixable: Fixability;
  description: string;
  /** Markdown docs (rules/<id>.md, or the built-in text for engine findings); read on first use. */
  readonly docs: string;
  helpUri?: string;
  engine: boolean;
}

const ENGINE_INFO: Record<EngineFindingId, { fixable: Fixability; description: string; docs: string }> = {
  'parse-error': {
    fixable: 'never', description: 'The file does not parse; it was not analysed.',
    docs: 'The PHP parser could not read this file (a syntax error, or input the parser cannot handle in bounded time or stack). Other files are still analysed. Run `php -l` on the file to see PHP\'s own message.',
  },
  'internal-error': {
    fixable: 'never', description: 'A rule failed on this file; the other rules ran.',
    docs: 'A rule threw an exception or a worker crashed on this file. The other rules and files were analysed. Please report it with the file.',
  },
  'unused-ignore': {
    fixable: 'always', description: 'An ignore comment that suppresses nothing.',
    docs: 'A `phpleak-ignore-*` comment names a rule that reports nothing where the comment points. Remove it: it would hide a future finding. `--fix` removes it.',
  },
  'invalid-ignore': {
    fixable: 'never', description: 'An ignore comment without a (known) rule id.',
    docs: 'A `phpleak-ignore-*` comment must name the rules it ignores (`// phpleak-ignore-next-line unbounded-cache -- reason`); a bare one or an unknown id ignores nothing.',
  },
  'file-skipped': {
    fixable: 'never', description: 'A file that was not analysed (too large, or unreadable).',
    docs: 'The file is larger than `maxFileSize` (phpleak.json, in MB; default 4) or could not be read. Raise `maxFileSize` to analyse it.',
  },
  'fix-not-written': {
    fixable: 'never', description: '--fix computed fixes for this file but could not write them; the file is unchanged.',
    docs: '`--fix` writes a fixed file to a temporary file next to it and renames it over the original, so a failure leaves the original whole. This finding says the write failed (no space, permission denied, read-only file system), the file was changed by someone else while phpleak ran (it is never overwritten), or it is a symbolic link to a file outside the linted folders. The findings shown for the file are those of its unchanged content, and the run exits with code 2. Fix the cause and run `phpleak --fix` again.',
  },
};

export function engineInfo(id: EngineFindingId): RuleInfo {
  const e = ENGINE_INFO[id];
  return { id, severity: ENGINE_DEFAULTS[id], fixable: e.fixable, description: e.description, docs: `# ${id}\n\n${e.docs}\n`, engine: true };
}

export function ruleInfos(rules: readonly AnyRule[]): RuleInfo[] {
  const out: RuleInfo[] = rules.map((r) => {
    let docs: string | undefined;
    return {
      id: r.meta.id,
      severity: r.meta.severity,
      ...(r.meta.longRunningSeverity ? { longRunningSeverity: r.meta.longRunningSeverity } : {}),
      fixable: r.meta.fixable,
      description: r.meta.description,
      get docs() { return (docs ??= readRuleDocs(r.meta.id) ?? `# ${r.meta.id}\n\n${r.meta.description}\n`); },
      helpUri: ruleDocsUrl(r.meta.id),
      engine: false,
    };
  });
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...out, ...ENGINE_IDS.map(engineInfo)];
}

export function isEngineId(id: string): id is EngineFindingId {
  return (ENGINE_IDS as readonly string[]).includes(id);
}
