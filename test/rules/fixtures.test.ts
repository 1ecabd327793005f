import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { matchMarkers, readMarkers } from '../helpers/markers.js';
import { fixWith, lintWith } from '../helpers/lint.js';
import { hasPhp, phpLint } from '../helpers/php.js';
import { runDriver, tempCode } from '../helpers/fix-drivers.js';
import { fixUntilStable } from '../../engine/fixes.js';

// One data-driven runner for every rule (DESIGN §8). A fixture file is named bad-*.php (every
// case in it has findings) or ok-*.php (look-alikes that must stay clean); `// case:` lines
// split a file into cases. In the first 4 lines: `// options: {json}` sets the rule's options,
// `// long-running` the long-running context, `// path: tests/FooTest.php` the file's path.

const root = join(import.meta.dirname, '..', '..');
const fixturesDir = join(root, 'fixtures', 'rules');

interface Case { file: string; text: string; bad: boolean; cases: number }

function casesOf(text: string): string[] {
  const parts = text.split(/^[ \t]*\/\/ case:.*$/m);
  return parts.length === 1 ? parts : parts.slice(1);
}

function fixturesOf(id: string): Case[] {
  const dir = join(fixturesDir, id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.php') && !f.endsWith('.fixed.php') && !f.endsWith('.driver.php'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      return { file: f, text, bad: f.startsWith('bad-'), cases: casesOf(text).length };
    });
}

function contextOf(c: Case): { longRunning: boolean; path: string; options?: unknown } {
  const head = c.text.split('\n').slice(0, 4).join('\n');
  const options = /\/\/ options: (\{.*\})/.exec(head)?.[1];
  return {
    longRunning: /\/\/ long-running\b/.test(head),
    path: /\/\/ path: (\S+)/.exec(head)?.[1] ?? `fixtures/${c.file}`,
    ...(options ? { options: JSON.parse(options) as unknown } : {}),
  };
}

describe.each(rules.map((r) => [r.meta.id, r] as const))('%s', (id) => {
  const cases = fixturesOf(id);

  it('has docs with every section and at least 10 positive and 10 negative cases', () => {
    const md = readFileSync(join(root, 'rules', `${id}.md`), 'utf8');
    for (const h of ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## Fix', '## Options']) {
      expect(md, `rules/${id}.md lacks "${h}"`).toContain(h);
    }
    const pos = cases.filter((c) => c.bad).reduce((n, c) => n + c.cases, 0);
    const neg = cases.filter((c) => !c.bad).reduce((n, c) => n + c.cases, 0);
    expect(pos, 'positive cases').toBeGreaterThanOrEqual(8);
    expect(neg, 'negative cases').toBeGreaterThanOrEqual(8);
    expect(cases.every((c) => c.file.startsWith('bad-') || c.file.startsWith('ok-')), 'fixture names start with bad- or ok-').toBe(true);
  });

  it('docs: the Example is flagged and the Use instead is not', () => {
    const md = readFileSync(join(root, 'rules', `${id}.md`), 'utf8');
    const section = (h: string): string | null => {
      const i = md.indexOf(`## ${h}`);
      if (i < 0) return null;
      const rest = md.slice(i + h.length + 3);
      const end = rest.search(/^## /m);
      const body = end < 0 ? rest : rest.slice(0, end);
      const code = /```php\n([\s\S]*?)```/.exec(body);
      return code ? code[1]! : null;
    };
    const bad = section('Example');
    const good = section('Use instead');
    expect(bad, 'Example has a ```php block').not.toBeNull();
    expect(good, 'Use instead has a ```php block').not.toBeNull();
    const lr = /long-running/.test(bad!.split('\n').slice(0, 3).join('\n'));
    expect(lintWith(bad!, [id], { longRunning: lr }).filter((f) => f.ruleId === id).length).toBeGreaterThan(0);
    expect(lintWith(good!, [id], { longRunning: lr }).filter((f) => f.ruleId === id || f.ruleId === 'parse-error')).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.file}: findings match the markers`, () => {
      const ctx = contextOf(c);
      const findings = lintWith(c.text, [id], ctx);
      expect(findings.filter((f) => f.ruleId === 'parse-error')).toEqual([]);
      const markers = readMarkers(c.text);
      expect(matchMarkers(findings.filter((f) => f.ruleId === id), markers)).toEqual([]);
      if (c.bad) {
        for (const [i, part] of casesOf(c.text).entries()) expect(/expect:/.test(part), `case ${i + 1} of ${c.file} has a marker`).toBe(true);
      } else {
        expect(markers).toEqual([]);
      }
    });

    it.skipIf(!hasPhp)(`${c.file}: passes php -l`, () => {
      expect(phpLint(c.text)).toBeNull();
    });

    const fixedPath = join(fixturesDir, id, c.file.replace(/\.php$/, '.fixed.php'));
    if (existsSync(fixedPath)) {
      it(`${c.file}: fixes give exactly ${c.file.replace(/\.php$/, '.fixed.php')}, which parses and is clean`, () => {
        const expected = readFileSync(fixedPath, 'utf8');
        const ctx = contextOf(c);
        const fixed = fixWith(c.text, [id], ctx);
        expect(fixed).toBe(expected);
        expect(lintWith(fixed, [id], ctx).filter((f) => f.ruleId === id || f.ruleId === 'parse-error')).toEqual([]);
        if (hasPhp) expect(phpLint(fixed)).toBeNull();
      });

      // Behaviour, not only syntax (test/helpers/fix-drivers.ts): `php <case>.driver.php <code>`
      // on the original and on the code as --fix (safe fixes only) leaves it must print the
      // same. When only unsafe fixes apply, a driver is optional and shows the difference.
      const driverPath = join(fixturesDir, id, c.file.replace(/\.php$/, '.driver.php'));
      it(`${c.file}: safe fixes keep what ${c.file.replace(/\.php$/, '.driver.php')} observes`, () => {
        const ctx = contextOf(c);
        const safe = fixUntilStable(c.text, (t) => lintWith(t, [id], ctx), { allowUnsafe: false }).text;
        const safeApplies = safe !== c.text;
        if (safeApplies) expect(existsSync(driverPath), `${c.file} gets safe fixes: it needs a driver ${c.file.replace(/\.php$/, '.driver.php')}`).toBe(true);
        if (!existsSync(driverPath) || !hasPhp) return;
        const original = join(fixturesDir, id, c.file);
        const before = runDriver(driverPath, original);
        expect(before.stderr, 'the driver runs the original cleanly').toBe('');
        expect(before.status).toBe(0);
        expect(before.stdout.trim(), 'the driver prints what it observes').not.toBe('');
        if (safeApplies) {
          const code = safe === readFileSync(fixedPath, 'utf8') ? fixedPath : tempCode(c.file, safe);
          const after = runDriver(driverPath, code);
          expect(after.stderr, 'the driver runs the safely fixed code cleanly').toBe('');
          expect(after.status).toBe(0);
          expect(after.stdout).toBe(before.stdout);
        } else {
          const after = runDriver(driverPath, fixedPath);
          expect(`${after.status}\n${after.stdout}${after.stderr}`, 'a driver of unsafe fixes shows what they change').not.toBe(`0\n${before.stdout}`);
        }
      });
    }
  }
});

describe('fix drivers', () => {
  it('every *.driver.php belongs to a fixture with a .fixed.php', () => {
    for (const id of existsSync(fixturesDir) ? readdirSync(fixturesDir) : []) {
      for (const f of readdirSync(join(fixturesDir, id)).filter((x) => x.endsWith('.driver.php'))) {
        expect(existsSync(join(fixturesDir, id, f.replace(/\.driver\.php$/, '.fixed.php'))), `${id}/${f}`).toBe(true);
      }
    }
  });
});

describe('the registry and the rule files agree', () => {
  const ids = new Set(rules.map((r) => r.meta.id));
  it('every rules/*.ts is registered, with docs and fixtures', () => {
    const files = readdirSync(join(root, 'rules')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3))
      // `<id>-<part>.ts` holds part of rule <id> (its fix: rules/unbounded-cache-fix.ts).
      .filter((f) => !ids.has(f) ? ![...ids].some((id) => f.startsWith(`${id}-`)) : true);
    expect(files.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(existsSync(join(root, 'rules', `${id}.md`)), `rules/${id}.md`).toBe(true);
      expect(existsSync(join(fixturesDir, id)), `fixtures/rules/${id}`).toBe(true);
    }
  });
  it('every fixtures/rules/* folder is a rule', () => {
    const dirs = existsSync(fixturesDir) ? readdirSync(fixturesDir) : [];
    for (const d of dirs) expect(ids.has(d), `fixtures/rules/${d} has no rule`).toBe(true);
  });
  it('rule ids are kebab-case and match their files', () => {
    for (const r of rules) expect(r.meta.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});
