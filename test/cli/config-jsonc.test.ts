import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { publishedSchemaText, validatorModuleText } from '../../cli/schema.js';
import registry from '../../rules/index.js';
import { makeProject, phpleak, PHP, ROOT } from './helpers.js';

// phpleak.json as JSONC, validated by the generated schema (issue 13 point 5).

const severities = (stdout: string): Record<string, string[]> => Object.fromEntries(
  (JSON.parse(stdout) as { files: { path: string; findings: { ruleId: string; severity: string }[] }[] }).files
    .map((f) => [f.path, f.findings.map((x) => `${x.ruleId}:${x.severity}`)]));

describe('phpleak.json with comments', () => {
  it('accepts comments and trailing commas', () => {
    const p = makeProject({
      'phpleak.json': '// phpleak settings\n{\n  /* a worker project */\n  "rules": {\n    "memory-limit-disabled": "error", // always\n  },\n}\n',
      'a.php': PHP.memoryLimit,
    });
    const r = phpleak(['-j', '1', '-f', 'json', '--fail-on', 'error'], { cwd: p });
    expect(r.stderr).toBe('');
    expect(severities(r.stdout)).toEqual({ 'a.php': ['memory-limit-disabled:error'] });
  });

  it('every error names the file, line and column, the key path and what was expected', () => {
    const cases: [string, string][] = [
      ['{\n  // comment\n  "rules": {\n    "memory-limit-disabled": "loud"\n  }\n}\n',
        '4:30: rules["memory-limit-disabled"]: expected one of "error", "warning", "info", "hint", "off", got "loud"'],
      ['{\n  "rules": {\n    "unbounded-cache": ["warning", { "maxEntries": "many" }]\n  }\n}\n',
        '3:52: rules["unbounded-cache"][1].maxEntries: expected a positive integer, got "many"'],
      ['{\n  "rules": {\n    "unbounded-cache": ["warning", { "maxEntires": 5 }]\n  }\n}\n',
        '3:38: rules["unbounded-cache"][1].maxEntires: unknown option; expected one of "ignoreClasses", "maxEntries"'],
      ['{\n  "rules": { "gc-disabled": ["warning", { "limit": 5 }] }\n}\n',
        '2:43: rules["gc-disabled"][1].limit: unknown option; this rule takes no options'],
      ['{\n  "rules": { "unbounded-cach": "off" }\n}\n',
        '2:14: rules["unbounded-cach"]: unknown rule id; expected one of array-merge-in-loop,'],
      ['{\n  "rules": { "gc-disabled": ["warning", {}, 1] }\n}\n',
        '2:29: rules["gc-disabled"]: expected a severity or [severity, {options}], got an array of 3'],
      ['{ "overrides": [\n  { "files": ["tests/**"] }\n] }\n', '2:3: overrides[0]: missing key "rules"'],
      ['{ "overrides": [{ "files": [], "rules": {} }] }', '1:28: overrides[0].files: expected a non-empty array of strings, got an array of 0'],
      ['{\n  "include": ["src", ""]\n}\n', '2:22: include[1]: expected a non-empty string, got ""'],
      ['{\n  "maxFileSize": -1\n}\n', '2:18: maxFileSize: expected a positive number of megabytes, got number -1'],
      ['{\n  "colour": true\n}\n', '2:3: colour: unknown key; expected one of "include", "exclude", "extensions", "rules", "overrides", "longRunning"'],
      ['{\n  "rules": {\n    "gc-disabled": "off"\n  \n', '5:1: is not valid JSON (expected a closing brace)'],
      ['{\n  "rules": { "gc-disabled" "off" }\n}\n', '2:28: is not valid JSON (expected a colon)'],
      ['[1]', '1:1: expected a JSON object at the top level, got an array'],
    ];
    for (const [text, msg] of cases) {
      const p = makeProject({ 'phpleak.json': text, 'a.php': PHP.clean });
      const r = phpleak(['-j', '1'], { cwd: p });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`phpleak: ${join(p, 'phpleak.json')}:${msg}`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 180_000);

  it('a "__proto__" key is an unknown key, not a prototype', () => {
    const p = makeProject({ 'phpleak.json': '{ "__proto__": { "rules": {} } }', 'a.php': PHP.clean });
    expect(phpleak(['-j', '1'], { cwd: p }).stderr).toContain('phpleak.json:1:3: __proto__: unknown key');
  });
});

describe('overrides', () => {
  const gc = '<?php\n\nfunction work(): void {\n    gc_disable();\n    doWork();\n}\n';
  const files = {
    'phpleak.json': JSON.stringify({
      rules: { 'memory-limit-disabled': 'error', 'gc-disabled': 'warning' },
      overrides: [
        { files: ['tests/**'], rules: { 'memory-limit-disabled': 'off', 'gc-disabled': 'info' } },
        { files: ['src/Legacy'], rules: { 'gc-disabled': 'off', 'parse-error': 'off' } },
        { files: ['src/Legacy/Keep.php'], rules: { 'gc-disabled': 'error' } },
      ],
    }),
    'src/a.php': PHP.memoryLimit + '\n' + gc.slice(6),
    'tests/bootstrap.php': PHP.memoryLimit + '\n' + gc.slice(6),
    'src/Legacy/Old.php': gc,
    'src/Legacy/Broken.php': PHP.syntaxError,
    'src/Legacy/Keep.php': gc,
    'src/Broken.php': PHP.syntaxError,
  };

  it('apply rules and severities per path, later entries winning; --rule still wins over all', () => {
    const p = makeProject(files);
    const r = phpleak(['-j', '1', '-f', 'json', '--fail-on', 'error'], { cwd: p });
    expect(severities(r.stdout)).toEqual({
      'src/Broken.php': ['parse-error:error'],
      'src/Legacy/Keep.php': ['gc-disabled:error'],
      'src/a.php': ['memory-limit-disabled:error', 'gc-disabled:warning'],
      'tests/bootstrap.php': ['gc-disabled:info'],
    });
    const cli = phpleak(['-j', '1', '-f', 'json', '--rule', 'gc-disabled=hint', 'tests', 'src/Legacy/Keep.php'], { cwd: p });
    expect(severities(cli.stdout)).toEqual({ 'src/Legacy/Keep.php': ['gc-disabled:hint'], 'tests/bootstrap.php': ['gc-disabled:hint'] });
  });

  it('a severity alone keeps the options set in "rules" (as in ESLint)', () => {
    const cache = '<?php\n\nfinal class Registry\n{\n    private static array $items = [];\n\n    public static function get(string $url): object\n    {\n        return self::$items[$url] ??= new \\stdClass();\n    }\n}\n';
    const p = makeProject({
      'phpleak.json': JSON.stringify({
        rules: { 'unbounded-cache': ['warning', { ignoreClasses: ['Registry'] }] },
        overrides: [{ files: ['src/**'], rules: { 'unbounded-cache': 'error' } }],
      }),
      'src/Registry.php': cache,
      'lib/Registry.php': cache,
    });
    const r = phpleak(['-j', '1', '-f', 'json'], { cwd: p });
    expect(severities(r.stdout)).toEqual({});
    writeFileSync(join(p, 'other.json'), JSON.stringify({ overrides: [{ files: ['src/**'], rules: { 'unbounded-cache': 'error' } }] }));
    const without = phpleak(['-j', '1', '-f', 'json', '-c', 'other.json'], { cwd: p });
    expect(severities(without.stdout)).toEqual({ 'lib/Registry.php': ['unbounded-cache:warning'], 'src/Registry.php': ['unbounded-cache:error'] });
  });
});

describe('phpleak.schema.json', () => {
  const committed = readFileSync(join(ROOT, 'phpleak.schema.json'), 'utf8');

  it('is the generated one, and so is the precompiled validator (npm run schema)', () => {
    expect(committed).toBe(publishedSchemaText(registry));
    expect(readFileSync(join(ROOT, 'engine', 'config-validate.gen.ts'), 'utf8')).toBe(validatorModuleText(registry));
  });

  it('compiles in ajv strict mode and rejects what the CLI rejects, accepts what it accepts', () => {
    const ajv = new AjvModule.default({ strict: true });
    const validate = ajv.compile(JSON.parse(committed));
    const cases: [unknown, boolean][] = [
      [{ rules: { 'unbounded-cache': ['warning', { maxEntries: 10, ignoreClasses: ['A'] }] }, overrides: [{ files: ['tests/**'], rules: { 'gc-disabled': 'off' } }] }, true],
      [{ $schema: 'x', include: ['src'], maxFileSize: 2, rules: { 'parse-error': 'off', 'gc-disabled': ['info'] } }, true],
      [{ rules: { 'no-such-rule': 'off' } }, false],
      [{ rules: { 'unbounded-cache': ['warning', { maxEntries: 'x' }] } }, false],
      [{ rules: { 'unbounded-cache': ['warning', { nope: 1 }] } }, false],
      [{ rules: { 'gc-disabled': ['warning', { limit: 1 }] } }, false],
      [{ rules: { 'parse-error': ['warning'] } }, false],
      [{ overrides: [{ files: ['a'], rules: { 'no-such-rule': 'off' } }] }, false],
      [{ overrides: [{ files: ['a'] }] }, false],
      [{ maxFileSize: 0 }, false],
      [{ colour: 1 }, false],
    ];
    for (const [cfg, ok] of cases) {
      expect(validate(cfg), JSON.stringify(cfg)).toBe(ok);
      const p = makeProject({ 'phpleak.json': JSON.stringify(cfg), 'a.php': PHP.clean });
      expect(phpleak(['-j', '1'], { cwd: p }).code, JSON.stringify(cfg)).toBe(ok ? 0 : 2);
    }
  }, 180_000);
});

describe('validation with another rule registry', () => {
  it('compiles the schema of that registry (the precompiled validator is for the built-in rules)', async () => {
    const { parseConfig } = await import('../../engine/config.js');
    const gc = registry.filter((r) => r.meta.id === 'gc-disabled');
    expect(parseConfig('{ "rules": { "gc-disabled": "error" } }', '/p/phpleak.json', gc).rules).toEqual({ 'gc-disabled': { level: 'error' } });
    expect(() => parseConfig('{ "rules": { "unbounded-cache": "error" } }', '/p/phpleak.json', gc))
      .toThrow('/p/phpleak.json:1:14: rules["unbounded-cache"]: unknown rule id; expected one of file-skipped, fix-not-written, gc-disabled, internal-error, invalid-ignore, parse-error, unused-ignore');
  });
});
