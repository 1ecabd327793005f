import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { lintWith } from '../helpers/lint.js';

// Messages are one line (what and where, ESLint/PHPStan style) and part of the finding's
// identity (engine/identity.ts): no line numbers, no paths, no newlines. The long text is the
// details. Checked on every finding of every rule's bad-* fixtures and on the demo.

const root = join(import.meta.dirname, '..', '..');
const MAX = 120;

function badFixtures(id: string): { file: string; text: string; longRunning: boolean; path: string }[] {
  const dir = join(root, 'fixtures', 'rules', id);
  return readdirSync(dir).filter((f) => f.startsWith('bad-') && f.endsWith('.php') && !f.endsWith('.fixed.php')).sort().map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const head = text.split('\n').slice(0, 4).join('\n');
    return { file: f, text, longRunning: /\/\/ long-running\b/.test(head), path: /\/\/ path: (\S+)/.exec(head)?.[1] ?? `fixtures/${f}` };
  });
}

/** What a message must not contain: a line number, a path, a line break. */
function problems(message: string): string[] {
  const out: string[] = [];
  if (/\n/.test(message)) out.push('has a line break');
  if (/\blines? \d|\(line|:\d+\b/.test(message)) out.push('names a line');
  if (/[\w.-]+\/[\w.-]+\.php\b/.test(message)) out.push('names a path');
  if (message.length > MAX) out.push(`is ${message.length} characters (> ${MAX})`);
  return out;
}

describe.each(rules.map((r) => [r.meta.id, r] as const))('%s messages', (id, rule) => {
  it('every message id has details, and message templates are one line without line numbers', () => {
    const ids = Object.keys(rule.meta.messages);
    const details = (rule.meta.details ?? {}) as Record<string, string | undefined>;
    expect(ids.filter((k) => !details[k]), 'message ids without details').toEqual([]);
    for (const [k, m] of Object.entries(rule.meta.messages as Record<string, string>)) {
      expect(m, k).not.toMatch(/\n|\{\{\s*line\s*\}\}|\bline \d/);
      expect(m.length, `${k} template length`).toBeLessThanOrEqual(MAX);
    }
  });
  it('every finding of the bad-* fixtures has a short, line-free message and details', () => {
    const bad: string[] = [];
    for (const fx of badFixtures(id)) {
      for (const f of lintWith(fx.text, [id], { longRunning: fx.longRunning, path: fx.path }).filter((x) => x.ruleId === id)) {
        for (const p of problems(f.message)) bad.push(`${fx.file}:${f.range.start.line}: message ${p}: ${f.message}`);
        if (!f.details) bad.push(`${fx.file}:${f.range.start.line}: no details`);
      }
    }
    expect(bad).toEqual([]);
  });
});
