import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { editDistance } from './suggest.js';
import type { AnyRule } from './rule.js';
import { ENGINE_DEFAULTS, SEVERITIES, type EngineFindingId, type Severity } from './types.js';

// phpleak.json (DESIGN §6): found upward from the working directory, JSON only (never loaded
// as code), validated with errors that name the file, the key path and what was expected.
// Shared by the CLI and the LSP server.

export const CONFIG_FILE_NAME = 'phpleak.json';

export type RuleLevel = Severity | 'off';
export interface RuleConfig { level: RuleLevel; options?: Record<string, unknown> }

export interface PhpleakConfig {
  /** Absolute path of the file, or null for the built-in defaults. */
  file: string | null;
  /** Directory that relative globs and paths are resolved against. */
  root: string;
  include: string[] | null;
  exclude: string[];
  extensions: string[];
  rules: Record<string, RuleConfig>;
  longRunning: string[];
  /** Files larger than this many bytes are skipped with one finding. */
  maxFileSize: number;
  /** Baseline file (relative to root) used when present. */
  baseline: string;
  /** The lowest PHP version the code must run on ("8.1"), as configured; see `projectPhpVersion`. */
  phpVersion: string | null;
}

export const ENGINE_IDS = Object.keys(ENGINE_DEFAULTS) as readonly EngineFindingId[];

export class ConfigError extends Error {
  constructor(readonly file: string, readonly keyPath: string, readonly expected: string) {
    super(`${file}: ${keyPath ? `${keyPath}: ` : ''}${expected}`);
    this.name = 'ConfigError';
  }
}

export function defaultConfig(root: string): PhpleakConfig {
  return {
    file: null, root, include: null, exclude: [], extensions: ['php'], rules: {}, longRunning: [],
    maxFileSize: 4 * 1024 * 1024, baseline: 'phpleak-baseline.json', phpVersion: null,
  };
}

/** Nearest phpleak.json from `dir` upward, or null. */
export function findConfigFile(dir: string): string | null {
  let d = resolve(dir);
  for (;;) {
    const p = join(d, CONFIG_FILE_NAME);
    if (existsSync(p)) return p;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/** Reads and validates a config file; throws ConfigError naming the file, key and expectation. */
export function loadConfigFile(file: string, rules: readonly AnyRule[]): PhpleakConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, '', `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseConfig(text, file, rules);
}

export function parseConfig(text: string, file: string, rules: readonly AnyRule[]): PhpleakConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError(file, '', `is not valid JSON (${jsonErrorWhere(text, e)})`);
  }
  return validateConfig(raw, file, rules);
}

function jsonErrorWhere(text: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /position (\d+)/.exec(msg);
  if (!m) return msg;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split(/\r\n|\r|\n/).length;
  const col = pos - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return `${msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')} at line ${line}, column ${col}`;
}

const KNOWN_KEYS = ['$schema', 'include', 'exclude', 'extensions', 'rules', 'longRunning', 'maxFileSize', 'baseline', 'phpVersion'];

export function validateConfig(raw: unknown, file: string, rules: readonly AnyRule[]): PhpleakConfig {
  const fail = (key: string, expected: string): never => { throw new ConfigError(file, key, expected); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('', `expected a JSON object at the top level, got ${describe(raw)}`);
  const obj = raw as Record<string, unknown>;
  const cfg = defaultConfig(dirname(resolve(file)));
  cfg.file = resolve(file);
  for (const key of Object.keys(obj)) {
    if (!KNOWN_KEYS.includes(key)) fail(key, `unknown key; expected one of ${KNOWN_KEYS.filter((k) => k !== '$schema').map((k) => `"${k}"`).join(', ')}`);
  }
  const strings = (key: string): string[] | undefined => {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return fail(key, `expected an array of strings, got ${describe(v)}`);
    v.forEach((s, i) => { if (typeof s !== 'string' || s === '') fail(`${key}[${i}]`, `expected a non-empty string, got ${describe(s)}`); });
    return v as string[];
  };
  if (obj.$schema !== undefined && typeof obj.$schema !== 'string') fail('$schema', `expected a string, got ${describe(obj.$schema)}`);
  cfg.include = strings('include') ?? null;
  cfg.exclude = strings('exclude') ?? [];
  cfg.longRunning = strings('longRunning') ?? [];
  const ext = strings('extensions');
  if (ext) cfg.extensions = ext.map((e) => e.replace(/^\./, ''));
  if (obj.maxFileSize !== undefined) {
    const v = obj.maxFileSize;
    if (typeof v !== 'number' || !(v > 0)) fail('maxFileSize', `expected a positive number of megabytes, got ${describe(v)}`);
    cfg.maxFileSize = Math.round((v as number) * 1024 * 1024);
  }
  if (obj.phpVersion !== undefined) {
    if (typeof obj.phpVersion !== 'string' || !/^\d+\.\d+$/.test(obj.phpVersion)) fail('phpVersion', `expected a "major.minor" string such as "8.1", got ${describe(obj.phpVersion)}`);
    cfg.phpVersion = obj.phpVersion as string;
  }
  if (obj.baseline !== undefined) {
    if (typeof obj.baseline !== 'string' || obj.baseline === '') fail('baseline', `expected a file path string, got ${describe(obj.baseline)}`);
    cfg.baseline = obj.baseline as string;
  }
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== 'object' || obj.rules === null || Array.isArray(obj.rules)) fail('rules', `expected an object of rule id to severity, got ${describe(obj.rules)}`);
    const byId = new Map(rules.map((r) => [r.meta.id, r]));
    for (const [id, v] of Object.entries(obj.rules as Record<string, unknown>)) {
      const key = `rules["${id}"]`;
      const rule = byId.get(id);
      if (!rule && !(ENGINE_IDS as readonly string[]).includes(id)) {
        fail(key, `unknown rule id; expected one of ${[...byId.keys(), ...ENGINE_IDS].sort().join(', ')}${suggest(id, [...byId.keys()])}`);
      }
      cfg.rules[id] = ruleConfig(v, key, rule, fail);
    }
  }
  return cfg;
}

function ruleConfig(v: unknown, key: string, rule: AnyRule | undefined, fail: (k: string, e: string) => never): RuleConfig {
  const levels = [...SEVERITIES, 'off'];
  const level = (x: unknown, k: string): RuleLevel => {
    if (typeof x !== 'string' || !levels.includes(x)) return fail(k, `expected one of ${levels.map((l) => `"${l}"`).join(', ')}, got ${describe(x)}`);
    return x as RuleLevel;
  };
  if (!Array.isArray(v)) return { level: level(v, key) };
  if (v.length < 1 || v.length > 2) return fail(key, `expected a severity or [severity, {options}], got an array of ${v.length}`);
  const lv = level(v[0], `${key}[0]`);
  if (v.length === 1) return { level: lv };
  const opts = v[1];
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) return fail(`${key}[1]`, `expected an object of options, got ${describe(opts)}`);
  const defaults = (rule?.defaultOptions ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(opts as Record<string, unknown>)) {
    if (!(name in defaults)) {
      const known = Object.keys(defaults);
      return fail(`${key}[1].${name}`, `unknown option; ${known.length ? `expected one of ${known.map((k) => `"${k}"`).join(', ')}` : 'this rule takes no options'}`);
    }
    const want = defaults[name];
    if (!sameShape(want, value)) return fail(`${key}[1].${name}`, `expected ${describeShape(want)}, got ${describe(value)}`);
  }
  return { level: lv, options: opts as Record<string, unknown> };
}

function sameShape(want: unknown, got: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(got) && got.every((g) => want.length === 0 ? typeof g === 'string' : typeof g === typeof want[0]);
  return typeof want === typeof got && (want === null) === (got === null);
}

function describeShape(want: unknown): string {
  if (Array.isArray(want)) return want.length === 0 || typeof want[0] === 'string' ? 'an array of strings' : `an array of ${typeof want[0]}s`;
  return `a ${typeof want}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function suggest(id: string, ids: string[]): string {
  const close = ids.find((k) => k.includes(id) || id.includes(k) || editDistance(k, id) <= 3);
  return close ? ` (did you mean "${close}"?)` : '';
}

/** Rule settings for a run: config levels with CLI/client overrides on top; rules turned off are left out. */
export function ruleSettings(cfg: PhpleakConfig, rules: readonly AnyRule[], overrides: Record<string, RuleLevel> = {}): { id: string; severity?: Severity; options?: unknown }[] {
  const out: { id: string; severity?: Severity; options?: unknown }[] = [];
  for (const r of rules) {
    const c = cfg.rules[r.meta.id];
    const level = overrides[r.meta.id] ?? c?.level;
    if (level === 'off') continue;
    out.push({ id: r.meta.id, ...(level ? { severity: level } : {}), ...(c?.options ? { options: c.options } : {}) });
  }
  return out;
}

/** Severities of the engine's own findings from config. */
export function engineSeverities(cfg: PhpleakConfig, overrides: Record<string, RuleLevel> = {}): Partial<Record<EngineFindingId, RuleLevel>> {
  const out: Partial<Record<EngineFindingId, RuleLevel>> = {};
  for (const id of ENGINE_IDS) {
    const l = overrides[id] ?? cfg.rules[id]?.level;
    if (l) out[id] = l;
  }
  return out;
}

/** Is a path (relative to the config root, `/`-separated) matched by the `longRunning` globs? */
export function globMatcher(globs: readonly string[]): (relPath: string) => boolean {
  if (globs.length === 0) return () => false;
  const m = picomatch(globs as string[], { dot: true });
  return (p) => m(p) || globs.some((g) => p === g.replace(/\/+$/, '') || p.startsWith(g.replace(/\/+$/, '') + '/'));
}

/** Test files: rules about production behaviour (query logging) stay quiet there. */
export function isTestPath(relPath: string): boolean {
  return /(^|\/)(tests?|Tests?)\//.test(relPath) || /Test\.php$/.test(relPath);
}

/**
 * The lowest PHP version the project supports, for fixes whose code depends on it (constants in
 * traits need 8.2): `phpVersion` from phpleak.json, else the lowest version that `require.php`
 * of the composer.json in the config root allows ("^7.4 || ^8.0" → "7.4"), else null (unknown:
 * fixes then write code valid on every version). composer.json is read as JSON only.
 */
export function projectPhpVersion(cfg: PhpleakConfig): string | null {
  if (cfg.phpVersion) return cfg.phpVersion;
  let raw: unknown;
  try {
    const text = readFileSync(join(cfg.root, 'composer.json'), 'utf8');
    if (text.length > 1024 * 1024) return null;
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  const php = (raw as { require?: Record<string, unknown> } | null)?.require?.php;
  return typeof php === 'string' ? lowestVersion(php) : null;
}

/** The lowest major.minor a composer constraint names (`>=8.1 <9`, `^7.4|^8.0`, `8.2.*`). */
export function lowestVersion(constraint: string): string | null {
  let best: [number, number] | null = null;
  for (const m of constraint.matchAll(/(?<![<\d.])(\d+)\.(\d+)/g)) {
    const v: [number, number] = [Number(m[1]), Number(m[2])];
    if (!best || v[0] < best[0] || (v[0] === best[0] && v[1] < best[1])) best = v;
  }
  return best ? `${best[0]}.${best[1]}` : null;
}

/** Is `version` ("8.1") at least `min` ("8.2")? False when unknown. */
export function phpAtLeast(version: string | null, min: string): boolean {
  if (!version) return false;
  const [a, b] = version.split('.').map(Number) as [number, number];
  const [c, d] = min.split('.').map(Number) as [number, number];
  return a > c || (a === c && b >= d);
}
