import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { findNodeAtLocation, printParseErrorCode, type Node as JsonNode, type ParseErrorCode } from 'jsonc-parser';
import type { AnyRule } from './rule.js';
import { editDistance } from './suggest.js';
import type { JsonSchema } from './config-schema.js';
import * as precompiled from './config-validate.gen.js';

// Turning schema violations (ajv) and JSONC syntax errors (jsonc-parser) into one-line errors in
// phpleak's words: `<file>:<line>:<col>: <key path>: expected <what>, got <value>`.

export class ConfigError extends Error {
  constructor(readonly file: string, readonly keyPath: string, readonly expected: string, readonly at?: { line: number; column: number }) {
    super(`${file}${at ? `:${at.line}:${at.column}` : ''}: ${keyPath ? `${keyPath}: ` : ''}${expected}`);
    this.name = 'ConfigError';
  }
}

const validators = new WeakMap<readonly AnyRule[], ValidateFunction>();

/** strict: the schema is also published; a keyword ajv does not know would be a schema bug. */
export const VALIDATOR_OPTIONS = { strict: true, allErrors: false, verbose: true } as const;

/**
 * The schema without what only editors read (description, examples, default): smaller compiled
 * code, and no rule prose in it (a rule description that names a PHP function call would read as
 * code to the security test that scans sources for eval).
 */
export function forValidation(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forValidation);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' || k === 'examples' || k === 'default') continue;
    // `properties` maps names to schemas: a property may be called "default".
    out[k] = k === 'properties' || k === 'definitions'
      ? Object.fromEntries(Object.entries(v as object).map(([name, sub]) => [name, forValidation(sub)]))
      : forValidation(v);
  }
  return out;
}

export function schemaHash(schema: JsonSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/**
 * The validator for a rule registry: the one compiled ahead of time (engine/config-validate.gen.ts,
 * `npm run schema`) when the registry's schema is the one it was made from, else compiled here
 * (a registry of tests). Once per registry: the LSP reloads often.
 */
export function compileValidator(rules: readonly AnyRule[], schema: () => JsonSchema): ValidateFunction {
  let v = validators.get(rules);
  if (!v) {
    const s = schema();
    if (schemaHash(s) === precompiled.SCHEMA_HASH) {
      v = precompiled.validate as unknown as ValidateFunction;
    } else {
      // Loaded only here: the lint workers import this module too and never need ajv.
      const Ajv = (createRequire(import.meta.url)('ajv') as typeof AjvModule).default;
      v = new Ajv(VALIDATOR_OPTIONS).compile(forValidation(s) as JsonSchema);
    }
    validators.set(rules, v);
  }
  return v;
}

/** 1-based line and column of a string offset. */
export function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\r|\n/).length;
  const column = offset - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return { line, column };
}

const SYNTAX: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'invalid number', PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value', ColonExpected: 'expected a colon', CommaExpected: 'expected a comma',
  CloseBraceExpected: 'expected a closing brace', CloseBracketExpected: 'expected a closing bracket', EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'invalid comment', UnexpectedEndOfComment: 'unterminated comment', UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number', InvalidUnicode: 'invalid \\u escape', InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

export function jsoncErrorText(code: ParseErrorCode): string {
  const name = printParseErrorCode(code);
  return SYNTAX[name] ?? name;
}

/** The first schema violation as a ConfigError at the offending key or value. */
export function firstError(errors: readonly ErrorObject[], file: string, text: string, tree: JsonNode, raw: unknown): ConfigError {
  // if/then/else adds an `if` error after the branch's own; the branch's says what was wrong.
  const e = errors.find((x) => x.keyword !== 'if') ?? errors[0];
  if (!e) return new ConfigError(file, '', 'does not match the schema');
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const segments: (string | number)[] = path.map((s, i) => (isArrayAt(raw, path.slice(0, i)) ? Number(s) : s));
  if (e.keyword === 'additionalProperties') {
    const name = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(((e.parentSchema as JsonSchema).properties ?? {}) as object).filter((k) => k !== '$schema');
    const parent = findNodeAtLocation(tree, segments);
    const keyNode = parent?.children?.find((p) => p.children?.[0]?.value === name)?.children?.[0];
    const where = keyNode ? locate(text, keyNode.offset) : undefined;
    const inRules = segments.length > 0 && (segments.at(-1) === 'rules');
    const inOptions = segments.length >= 3 && segments.at(-1) === 1 && segments.at(-3) === 'rules';
    const noun = inRules ? 'unknown rule id' : inOptions ? 'unknown option' : 'unknown key';
    const list = inOptions && known.length === 0 ? 'this rule takes no options' : `expected one of ${(inRules ? [...known].sort() : known).map((k) => (inRules ? k : `"${k}"`)).join(', ')}`;
    return new ConfigError(file, keyPath([...segments, name]), `${noun}; ${list}${inRules ? suggest(name, known) : ''}`, where);
  }
  const node = findNodeAtLocation(tree, segments);
  const where = node ? locate(text, node.offset) : undefined;
  const got = describe(e.data);
  if (segments.length === 0 && e.keyword === 'type') return new ConfigError(file, '', `expected a JSON object at the top level, got ${got}`, where);
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return new ConfigError(file, keyPath(segments), `missing key "${missing}"`, where);
  }
  if ((e.keyword === 'minItems' || e.keyword === 'maxItems') && Array.isArray(e.data)) {
    return new ConfigError(file, keyPath(segments), `expected ${expectation(e.parentSchema as JsonSchema)}, got an array of ${e.data.length}`, where);
  }
  return new ConfigError(file, keyPath(segments), `expected ${expectation(e.parentSchema as JsonSchema)}, got ${got}`, where);
}

function isArrayAt(raw: unknown, path: string[]): boolean {
  let v = raw;
  for (const s of path) v = Array.isArray(v) ? v[Number(s)] : (v as Record<string, unknown> | undefined)?.[s];
  return Array.isArray(v);
}

/** `rules["unbounded-cache"][1].maxEntries`, `include[0]`, `overrides[1].files`. */
function keyPath(segments: readonly (string | number)[]): string {
  let out = '';
  segments.forEach((s, i) => {
    if (typeof s === 'number') out += `[${s}]`;
    else if (segments[i - 1] === 'rules') out += `[${JSON.stringify(s)}]`;
    else out += i === 0 ? s : `.${s}`;
  });
  return out;
}

function expectation(schema: JsonSchema): string {
  if (typeof schema.title === 'string') return schema.title;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((x) => JSON.stringify(x)).join(', ')}`;
  if (schema.type === 'string') return schema.minLength ? 'a non-empty string' : 'a string';
  if (schema.type === 'array') return 'an array';
  if (schema.type === 'object') return 'an object';
  return typeof schema.type === 'string' ? `a ${schema.type}` : 'a different value';
}

export function describe(v: unknown): string {
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
