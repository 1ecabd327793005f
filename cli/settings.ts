import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError, defaultConfig, engineSeverities, ENGINE_IDS, findConfigFile, isTestPath, loadConfigFile, projectHttpRuntime, projectPhpVersion,
  ruleSettings, type PhpleakConfig, type RuleLevel,
} from '../engine/config.js';
import { bundled } from '../engine/bundle.js';
import { toRelative } from '../engine/discover.js';
import { longRunningMatcher } from '../engine/facts/long-running.js';
import type { LintJob } from '../engine/lint-worker.js';
import type { AnyRule } from '../engine/rule.js';
import type { EngineFindingId, Severity } from '../engine/types.js';
import { UsageError } from './args.js';
import { VERSION } from './meta.js';
import { isOneShotPath } from '../engine/facts/one-shot.js';

// The effective configuration of a run: phpleak.json (found upward or --config) with the
// --rule overrides on top, and what each file's lint job gets from it.

export interface RunSettings {
  cfg: PhpleakConfig;
  registry: readonly AnyRule[];
  rules: LintJob['rules'];
  engineSeverities: Partial<Record<EngineFindingId, Severity | 'off'>>;
  /** `rules` and `engineSeverities` for one file: the config's `overrides` that match it applied. */
  forFile(abs: string): { rules: LintJob['rules']; engineSeverities: Partial<Record<EngineFindingId, Severity | 'off'>> };
  /** Identifies everything but the file: config, overrides, phpleak version and build. */
  hash: string;
  jobFor(abs: string, text: string): Omit<LintJob, 'id'>;
}

export function loadSettings(cwd: string, configPath: string | undefined, overrides: Record<string, RuleLevel>, registry: readonly AnyRule[]): RunSettings {
  const known = new Set<string>([...registry.map((r) => r.meta.id), ...ENGINE_IDS]);
  for (const id of Object.keys(overrides)) {
    if (!known.has(id)) throw new UsageError(`--rule: unknown rule id "${id}" (run phpleak rules for the list)`);
  }
  const file = configPath !== undefined ? resolve(cwd, configPath) : findConfigFile(cwd);
  const cfg = file ? loadConfigFile(file, registry) : defaultConfig(resolve(cwd));
  const rules = ruleSettings(cfg, registry, overrides);
  const sev = engineSeverities(cfg, overrides);
  const longRunning = longRunningMatcher(cfg);
  const phpVersion = projectPhpVersion(cfg);
  const httpRuntime = projectHttpRuntime(cfg);
  const hash = createHash('sha256').update(JSON.stringify({
    v: VERSION, build: buildStamp(), rules, sev, ov: cfg.overrides, lr: cfg.longRunning, max: cfg.maxFileSize, root: cfg.root, php: phpVersion, http: httpRuntime,
  })).digest('hex');
  const forFile = (abs: string) => {
    if (cfg.overrides.length === 0) return { rules, engineSeverities: sev };
    const rel = toRelative(cfg.root, abs);
    if (rel.startsWith('../') || rel === '..') return { rules, engineSeverities: sev };
    return { rules: ruleSettings(cfg, registry, overrides, rel), engineSeverities: engineSeverities(cfg, overrides, rel) };
  };
  return {
    cfg, registry, rules, engineSeverities: sev, hash, forFile,
    jobFor(abs, text) {
      const rel = toRelative(cfg.root, abs);
      const inside = !rel.startsWith('../') && rel !== '..';
      const own = forFile(abs);
      return {
        path: inside ? rel : abs, text, rules: own.rules,
        longRunning: inside && longRunning(rel),
        // A file outside the config root (`phpleak ../other-project`) is judged by its path as
        // given from the working directory, so another project's tests/ are still tests.
        isTestFile: isTestPath(inside ? rel : toRelative(resolve(cwd), abs)),
        oneShotPath: isOneShotPath(inside ? rel : toRelative(resolve(cwd), abs)),
        engineSeverities: own.engineSeverities,
        maxFileBytes: cfg.maxFileSize,
        phpVersion,
        httpRuntime,
      };
    },
  };
}

export { ConfigError };

/**
 * A hash of the compiled engine and rules: a rebuilt phpleak whose code changed invalidates the
 * cache even when the version number did not (a development build, a patched install). Content,
 * not modification times: a rebuild that produces the same code keeps the cache.
 */
export function buildStamp(): string {
  if (bundled) return bundled.buildStamp;
  const dist = dirname(dirname(fileURLToPath(import.meta.url)));
  const h = createHash('sha1');
  const walk = (rel: string): void => {
    let names: string[];
    try { names = readdirSync(join(dist, rel)).sort(); } catch { return; }
    for (const n of names) {
      const p = join(dist, rel, n);
      if (n.endsWith('.js')) {
        try { h.update(`${rel}/${n}\0`).update(readFileSync(p)); } catch { /* gone meanwhile */ }
      } else if (!n.includes('.')) {
        try { if (statSync(p).isDirectory()) walk(`${rel}/${n}`); } catch { /* gone meanwhile */ }
      }
    }
  };
  walk('engine');
  walk('rules');
  return h.digest('hex');
}
