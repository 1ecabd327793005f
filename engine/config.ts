import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { ConfigError, compileValidator, firstError, jsoncErrorText, locate } from './config-errors.js';
import { buildConfigSchema, globs, type ConfigKey, type JsonSchema, type SchemaContext } from './config-schema.js';
import { MAX_CONFIG_BYTES, readErrorCode, readRegularFile } from './read-file.js';
import { readComposerJson } from './composer-json.js';
import { httpRuntimeOf, type HttpRuntime } from './http-runtime.js';
import type { AnyRule } from './rule.js';
import { ENGINE_DEFAULTS, type EngineFindingId, type Severity } from './types.js';

// phpleak.json (DESIGN §6): found upward from the working directory, JSON with comments and
// trailing commas (never loaded as code), validated against the schema generated from the rules
// (engine/config-schema.ts) with errors that name the file, the line and column, the key path
// and what was expected. Shared by the CLI and the LSP server.

export const CONFIG_FILE_NAME = 'phpleak.json';

export type RuleLevel = Severity | 'off';
export interface RuleConfig { level: RuleLevel; options?: Record<string, unknown> }

/** An `overrides` entry: rule settings for the files its globs match (ESLint's `overrides`). */
export interface ConfigOverride { files: string[]; rules: Record<string, RuleConfig> }

export interface PhpleakConfig {
  /** Absolute path of the file, or null for the built-in defaults. */
  file: string | null;
  /** Directory that relative globs and paths are resolved against. */
  root: string;
  include: string[] | null;
  exclude: string[];
  extensions: string[];
  rules: Record<string, RuleConfig>;
  /** Applied in order on top of `rules` for the files they match; later entries win. */
  overrides: ConfigOverride[];
  longRunning: string[];
  /** Files larger than this many bytes are skipped with one finding. */
  maxFileSize: number;
  /** Baseline file (relative to root) used when present. */
  baseline: string;
  /** php-meminfo dumps (relative to root), [before] or [before, after]: the LSP adds their evidence. */
  heapDumps: string[];
  /** The lowest PHP version the code must run on ("8.1"), as configured; see `projectPhpVersion`. */
  phpVersion: string | null;
  /** How HTTP requests are served (`httpRuntime` in phpleak.json); null: told by composer.json (engine/http-runtime.ts). */
  httpRuntime: HttpRuntime | null;
}

export const ENGINE_IDS = Object.keys(ENGINE_DEFAULTS) as readonly EngineFindingId[];

export { ConfigError };

export function defaultConfig(root: string): PhpleakConfig {
  return {
    file: null, root, include: null, exclude: [], extensions: ['php'], rules: {}, overrides: [], longRunning: [],
    maxFileSize: 4 * 1024 * 1024, baseline: 'phpleak-baseline.json', heapDumps: [], phpVersion: null, httpRuntime: null,
  };
}

type RawRules = Record<string, string | [string, Record<string, unknown>?]>;

const key = <V>(schema: (ctx: SchemaContext) => JsonSchema, apply: (cfg: PhpleakConfig, value: V) => void): ConfigKey<never> =>
  ({ schema, apply: apply as (cfg: never, value: never) => void });

/**
 * The top-level keys of phpleak.json: the schema of each (also the published
 * phpleak.schema.json) and where its validated value goes. Adding a key is one entry here
 * (and its field in PhpleakConfig / defaultConfig).
 */
export const CONFIG_KEYS: Record<string, ConfigKey<never>> = {
  include: key<string[]>(() => globs('What to lint when no path is given: folders or files (e.g. "src") and globs (e.g. "modules/*/src/**"). Default: the working directory.', ['src', 'app', 'bin']),
    (cfg, v) => { cfg.include = v; }),
  exclude: key<string[]>(() => globs('Globs of files and folders never linted, also when named on the command line (hooks pass file names). A folder name excludes everything below it.', ['tests/fixtures/**', 'var/cache']),
    (cfg, v) => { cfg.exclude = v; }),
  extensions: key<string[]>(() => ({ ...globs('File extensions found when linting folders (without the dot).'), default: ['php'] }),
    (cfg, v) => { cfg.extensions = v.map((e) => e.replace(/^\./, '')); }),
  rules: key<RawRules>(() => ({ $ref: '#/definitions/rules' }), (cfg, v) => { cfg.rules = ruleConfigs(v); }),
  overrides: key<{ files: string[]; rules: RawRules }[]>(() => ({
    type: 'array', title: 'an array of {"files": [globs], "rules": {…}} objects',
    description: 'Rule settings for some paths, applied in order on top of "rules" (later entries win), like ESLint\'s overrides: e.g. [{ "files": ["tests/**"], "rules": { "unbounded-cache": "off" } }].',
    items: {
      type: 'object', title: 'an object with "files" and "rules"', additionalProperties: false, required: ['files', 'rules'],
      properties: {
        files: { ...globs('Globs (relative to this file\'s folder) of the files the rules apply to; a folder name matches everything below it.', ['tests/**']), title: 'a non-empty array of strings', minItems: 1 },
        rules: { $ref: '#/definitions/rules' },
      },
    },
  }), (cfg, v) => { cfg.overrides = v.map((o) => ({ files: o.files, rules: ruleConfigs(o.rules) })); }),
  longRunning: key<string[]>(() => globs('Globs of code that runs in long-running processes (workers, daemons, commands): rules use their long-running severity there. phpleak also detects such code itself (docs/long-running.md).', ['bin/worker.php', 'src/Command/**']),
    (cfg, v) => { cfg.longRunning = v; }),
  maxFileSize: key<number>(() => ({
    type: 'number', title: 'a positive number of megabytes', exclusiveMinimum: 0, default: 4,
    description: 'Files larger than this many megabytes get one file-skipped finding instead of analysis.',
  }), (cfg, v) => { cfg.maxFileSize = Math.round(v * 1024 * 1024); }),
  baseline: key<string>(() => ({
    type: 'string', title: 'a file path string', minLength: 1, default: 'phpleak-baseline.json',
    description: 'The baseline file used when present (accepted findings by file, rule, message and count).',
  }), (cfg, v) => { cfg.baseline = v; }),
  heapDumps: key<string[]>(() => ({
    type: 'array', title: 'an array of one or two file paths ([before, after])', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: 2,
    description: 'php-meminfo heap dumps of one worker, [before, after] (after N and 2N jobs): the language server adds their evidence (entries, retained size, growth) to matching findings and reports growth no rule flags (docs/heap.md).',
    examples: [['var/dumps/before.json', 'var/dumps/after.json']],
  }), (cfg, v) => { cfg.heapDumps = v; }),
  phpVersion: key<string>(() => ({
    type: 'string', title: 'a "major.minor" string such as "8.1"', pattern: '^\\d+\\.\\d+$',
    description: 'The lowest PHP version the code runs on: fixes write only code valid there (a constant in a trait needs "8.2"). Default: the lowest version require.php of composer.json (next to phpleak.json) allows.',
  }), (cfg, v) => { cfg.phpVersion = v; }),
  httpRuntime: key<HttpRuntime>(() => ({
    type: 'string', title: 'one of "per-request", "long-lived"', enum: ['per-request', 'long-lived'],
    description: 'How the application serves HTTP requests: "per-request" (PHP-FPM: controllers and middleware start afresh with every request, so what they add to the process is gone after it) or "long-lived" (Octane, RoadRunner, Swoole, FrankenPHP worker mode). Default: told by composer.json (an application that requires one of those servers is long-lived, any other application per-request); unknown for a library.',
  }), (cfg, v) => { cfg.httpRuntime = v; }),
};

/** The JSON schema of phpleak.json for these rules (`optionDoc` adds option descriptions). */
export function configSchema(rules: readonly AnyRule[], optionDoc?: SchemaContext['optionDoc']): JsonSchema {
  return buildConfigSchema(CONFIG_KEYS, { rules, ...(optionDoc ? { optionDoc } : {}) });
}

function ruleConfigs(raw: RawRules): Record<string, RuleConfig> {
  const out: Record<string, RuleConfig> = {};
  for (const [id, v] of Object.entries(raw)) {
    out[id] = Array.isArray(v)
      ? { level: v[0] as RuleLevel, ...(v[1] ? { options: v[1] } : {}) }
      : { level: v as RuleLevel };
  }
  return out;
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
    text = readRegularFile(file, MAX_CONFIG_BYTES).toString('utf8');
  } catch (e) {
    throw new ConfigError(file, '', `cannot be read (${readErrorCode(e)})`);
  }
  return parseConfig(text, file, rules);
}

/** Parses JSONC text (comments, trailing commas) and validates it against the schema. */
export function parseConfig(text: string, file: string, rules: readonly AnyRule[]): PhpleakConfig {
  const src = text.replace(/^\uFEFF/, '');
  const errors: ParseError[] = [];
  const tree: JsonNode | undefined = parseTree(src, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0 || !tree) {
    const e = errors[0];
    throw new ConfigError(file, '', `is not valid JSON (${e ? jsoncErrorText(e.error) : 'the file is empty'})`, locate(src, e?.offset ?? 0));
  }
  const raw = nodeValue(tree);
  const validate = compileValidator(rules, () => configSchema(rules));
  if (!validate(raw)) throw firstError(validate.errors ?? [], file, src, tree, raw);
  const cfg = defaultConfig(dirname(resolve(file)));
  cfg.file = resolve(file);
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    CONFIG_KEYS[name]?.apply(cfg as never, value as never);
  }
  return cfg;
}

/**
 * The value of a parse tree. Not jsonc-parser's getNodeValue: that builds objects with
 * `obj[key] = …`, so a `"__proto__"` key would set the prototype instead of being a key.
 */
function nodeValue(n: JsonNode): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) Object.defineProperty(o, String(k.value), { value: nodeValue(v), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 'array': return (n.children ?? []).map(nodeValue);
    default: return n.value;
  }
}

const overrideMatchers = new WeakMap<ConfigOverride, (relPath: string) => boolean>();

/** Rule settings that apply to a file: `rules`, then every matching `overrides` entry in order. */
export function rulesFor(cfg: PhpleakConfig, relPath?: string): Record<string, RuleConfig> {
  if (relPath === undefined || cfg.overrides.length === 0 || relPath.startsWith('../')) return cfg.rules;
  let out = cfg.rules;
  for (const o of cfg.overrides) {
    let m = overrideMatchers.get(o);
    if (!m) overrideMatchers.set(o, m = globMatcher(o.files));
    if (!m(relPath)) continue;
    out = { ...out };
    // As in ESLint: a severity alone keeps the options set before it.
    for (const [id, c] of Object.entries(o.rules)) out[id] = c.options ? c : { ...out[id], level: c.level };
  }
  return out;
}

/** Rule settings for a run: config levels with CLI/client overrides on top; rules turned off are left out. */
export function ruleSettings(cfg: PhpleakConfig, rules: readonly AnyRule[], overrides: Record<string, RuleLevel> = {}, relPath?: string): { id: string; severity?: Severity; options?: unknown }[] {
  const out: { id: string; severity?: Severity; options?: unknown }[] = [];
  const configured = rulesFor(cfg, relPath);
  for (const r of rules) {
    const c = configured[r.meta.id];
    const level = overrides[r.meta.id] ?? c?.level;
    if (level === 'off') continue;
    out.push({ id: r.meta.id, ...(level ? { severity: level } : {}), ...(c?.options ? { options: c.options } : {}) });
  }
  return out;
}

/** Severities of the engine's own findings from config. */
export function engineSeverities(cfg: PhpleakConfig, overrides: Record<string, RuleLevel> = {}, relPath?: string): Partial<Record<EngineFindingId, RuleLevel>> {
  const out: Partial<Record<EngineFindingId, RuleLevel>> = {};
  const configured = rulesFor(cfg, relPath);
  for (const id of ENGINE_IDS) {
    const l = overrides[id] ?? configured[id]?.level;
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

/** The `file-skipped` message for a text above `maxFileSize` bytes (engine/lint.ts; the LSP server says it without a worker). */
export function tooLargeMessage(max: number): string {
  const mb = (max / (1024 * 1024)).toFixed(max % (1024 * 1024) === 0 ? 0 : 1);
  return `skipped: larger than ${mb} MB (set "maxFileSize" in phpleak.json to analyse it)`;
}

/**
 * The lowest PHP version the project supports, for fixes whose code depends on it (constants in
 * traits need 8.2): `phpVersion` from phpleak.json, else the lowest version that `require.php`
 * of the composer.json in the config root allows ("^7.4 || ^8.0" → "7.4"), else null (unknown:
 * fixes then write code valid on every version). composer.json is read as JSON only.
 */
export function projectPhpVersion(cfg: PhpleakConfig): string | null {
  if (cfg.phpVersion) return cfg.phpVersion;
  const php = readComposerJson(cfg.root)?.require?.php;
  return typeof php === 'string' ? lowestVersion(php) : null;
}

/** How the project serves HTTP: `httpRuntime` from phpleak.json, else what composer.json tells (engine/http-runtime.ts). */
export function projectHttpRuntime(cfg: PhpleakConfig): HttpRuntime | null {
  return cfg.httpRuntime ?? httpRuntimeOf(readComposerJson(cfg.root));
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
