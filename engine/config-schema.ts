import type { AnyRule } from './rule.js';
import { ENGINE_DEFAULTS, SEVERITIES, type EngineFindingId } from './types.js';

// The JSON schema of phpleak.json, generated from the rules (their ids and the shapes of their
// default options) and the table of top-level keys below. The same schema validates the file
// at run time (engine/config.ts, through ajv in strict mode) and is committed as
// phpleak.schema.json for editors (`npm run schema`; a test checks the two are equal), so the
// CLI, the language server and editors cannot disagree.
//
// `title` is what an error says was expected ("expected <title>, got …"); without one, the
// expectation is described from the schema (engine/config-errors.ts).

export type JsonSchema = { [key: string]: unknown };

/** A top-level key of phpleak.json: its schema and how it lands in the loaded config. */
export interface ConfigKey<C> {
  schema: (ctx: SchemaContext) => JsonSchema;
  /** Sets the validated value on the config being built (only called when the key is present). */
  apply: (cfg: C, value: never) => void;
}

export interface SchemaContext {
  rules: readonly AnyRule[];
  /** Option descriptions for the published schema (rules/<id>.md, section Options); optional. */
  optionDoc?: (ruleId: string, option: string) => string | undefined;
}

export const SCHEMA_ID = 'https://raw.githubusercontent.com/phpleak/phpleak/main/phpleak.schema.json';

const ENGINE_DESCRIPTIONS: Record<EngineFindingId, string> = {
  'parse-error': 'The file does not parse (engine finding).',
  'internal-error': 'A rule failed on a file (engine finding).',
  'unused-ignore': 'An ignore comment that suppresses nothing (engine finding).',
  'invalid-ignore': 'An ignore comment without a known rule id (engine finding).',
  'file-skipped': 'A file not analysed: larger than maxFileSize, or unreadable (engine finding).',
  'fix-not-written': 'A fix that --fix could not write (engine finding; always an error).',
};

export const globs = (description: string, examples?: string[]): JsonSchema => ({
  type: 'array', title: 'an array of strings', items: { type: 'string', minLength: 1 }, description,
  ...(examples ? { examples: [examples] } : {}),
});

/** The whole schema for a rule registry, built from `keys` (engine/config.ts CONFIG_KEYS). */
export function buildConfigSchema(keys: Record<string, ConfigKey<never>>, ctx: SchemaContext): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { type: 'string', description: 'The JSON schema of this file (editors use it for completion and checks).' },
  };
  for (const [name, key] of Object.entries(keys)) properties[name] = key.schema(ctx);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'phpleak configuration (phpleak.json)',
    description: 'Configuration of phpleak, the static analyzer for leak-prone PHP code. Read by the CLI and the language server. Comments and trailing commas are allowed. Relative paths and globs are resolved against the folder of this file. Docs: https://github.com/phpleak/phpleak/blob/main/docs/configuration.md',
    type: 'object',
    additionalProperties: false,
    properties,
    definitions: {
      level: { title: `one of ${[...SEVERITIES, 'off'].map((l) => `"${l}"`).join(', ')}`, enum: [...SEVERITIES, 'off'] },
      // Shared by every rule without options: one compiled copy instead of one per rule (ajv
      // compiles each inline subschema; per-rule copies made the first load cost ~0.5 s).
      settingWithoutOptions: settingSchema({}, 'This rule takes no options.'),
      rules: rulesSchema(ctx),
    },
  };
}

/** `rules`: one property per rule id and engine finding id; anything else is an unknown rule id. */
function rulesSchema(ctx: SchemaContext): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const r of ctx.rules) properties[r.meta.id] = ruleSetting(r, ctx);
  for (const id of Object.keys(ENGINE_DEFAULTS) as EngineFindingId[]) {
    properties[id] = { $ref: '#/definitions/level', description: ENGINE_DESCRIPTIONS[id] };
  }
  return {
    type: 'object',
    title: 'an object of rule id to severity',
    description: 'Severity per rule, or "off"; or [severity, {options}]. Rule ids: `phpleak rules`; options: `phpleak explain <rule-id>`.',
    additionalProperties: false,
    properties,
  };
}

/**
 * A severity, or [severity] / [severity, {options}]. if/then/else rather than oneOf so a bad
 * value fails in exactly one branch and the error says what that branch expected.
 */
function ruleSetting(rule: AnyRule, ctx: SchemaContext): JsonSchema {
  const defaults = (rule.defaultOptions ?? {}) as Record<string, unknown>;
  if (Object.keys(defaults).length === 0) return { $ref: '#/definitions/settingWithoutOptions', description: rule.meta.description };
  const options: Record<string, JsonSchema> = {};
  for (const [name, value] of Object.entries(defaults)) {
    const doc = ctx.optionDoc?.(rule.meta.id, name);
    options[name] = { ...optionSchema(value), ...(doc ? { description: doc } : {}), default: value };
  }
  return { description: rule.meta.description, ...settingSchema(options, `Options of ${rule.meta.id} (phpleak explain ${rule.meta.id}, section Options).`) };
}

function settingSchema(options: Record<string, JsonSchema>, optionsDescription: string): JsonSchema {
  const level = { $ref: '#/definitions/level' };
  const tuple = (n: 1 | 2): JsonSchema => ({
    items: n === 1 ? [level] : [level, {
      type: 'object', title: 'an object of options', description: optionsDescription,
      additionalProperties: false, properties: options,
    }],
    title: 'a severity or [severity, {options}]', minItems: n, maxItems: n, additionalItems: false,
  });
  return {
    if: { type: 'array' },
    then: {
      type: 'array', title: 'a severity or [severity, {options}]', minItems: 1, maxItems: 2,
      if: { maxItems: 1 }, then: tuple(1), else: tuple(2),
    },
    else: level,
  };
}

/** An option's schema from the type of its default value (the rule's Options type). */
function optionSchema(value: unknown): JsonSchema {
  if (Array.isArray(value)) {
    const item = value.length === 0 || typeof value[0] === 'string' ? 'string' : typeof value[0];
    return { type: 'array', title: `an array of ${item}s`, items: { type: item } };
  }
  if (value === null) return { type: 'null' };
  // Every numeric option is a count (maxEntries, limit): 0, -1 or 2.5 is a bound no code can mean.
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return { type: 'integer', minimum: 1, title: 'a positive integer' };
  const t = typeof value;
  return { type: t === 'bigint' ? 'integer' : t, title: t === 'object' ? 'an object' : `a ${t}` };
}
