import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// Measured on PHP 8.2 (rules/eval-in-loop.md): an eval() of an expression keeps +0 B per run, one
// that defines a closure, function or class keeps its compiled code. Severity follows that.

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'rules', 'eval-in-loop');
const shown = (text: string, path = 'src/Pricing.php'): string[] =>
  lintWith(text, ['eval-in-loop'], { path }).map((f) => `${f.range.start.line}:${f.severity}:${f.message}`);

describe('eval-in-loop severities', () => {
  it('an expression or assignment is info, and says nothing is kept', () => {
    expect(shown(readFileSync(join(dir, 'bad-expressions.php'), 'utf8'))).toEqual([
      '10:info:eval() of an expression runs in a loop: compiled on every run, but nothing is kept',
      '21:info:eval() of an expression runs in a loop: compiled on every run, but nothing is kept',
      '38:info:eval() of an expression runs in holds(), called once per element: compiled on every run, but nothing is kept',
    ]);
  });

  it('code that defines a closure stays a warning, and so does code nothing shows', () => {
    const text = "<?php\nfunction f(array $es, Queue $q): array {\n    foreach ($es as $e) { $out[] = eval('return fn ($x) => ' . $e . ';'); }\n    while ($job = $q->pop()) { eval($job->code); }\n    return $out;\n}\n";
    expect(shown(text)).toEqual([
      '3:warning:eval() defining a closure runs in a loop: every run\'s compiled code stays in memory',
      '4:warning:eval() runs in a loop: its code is compiled again on every run',
    ]);
  });

  it('is silent in a one-shot tool, and not in the same code under src/', () => {
    const text = readFileSync(join(dir, 'ok-one-shot-tools.php'), 'utf8');
    expect(shown(text, 'cli/i18n/TranslationDump.php')).toEqual([]);
    expect(shown(text, 'src/I18n/TranslationDump.php').map((s) => s.split(':').slice(0, 2).join(':'))).toEqual(['13:warning', '22:info']);
  });
});
