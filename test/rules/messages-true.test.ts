import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// A message must be true of the code it points at (issue 11, point 9): the fixture runner
// checks where findings are, these check what they say.

const fixture = (rule: string, name: string): string => readFileSync(new URL(`../../fixtures/rules/${rule}/${name}`, import.meta.url), 'utf8');

describe('messages that are true of the code', () => {
  it('gc-disabled names the paired method that re-enables, and offers no fix there', () => {
    const [f, ...rest] = lintWith(fixture('gc-disabled', 'bad-paired-methods.php'), ['gc-disabled']);
    expect(rest).toEqual([]);
    expect(f!.message).toBe('gc_disable() leaves the cycle collector off until `stop()` calls gc_enable()');
    expect(f!.details).toMatch(/^gc_disable\(\) turns off the cycle collector until `stop\(\)` of this class calls gc_enable\(\)/);
    expect(`${f!.message} ${f!.details}`).not.toMatch(/nothing .* turns it back on/);
    expect(f!.related.map((r) => `${r.range.start.line}: ${r.message}`)).toEqual(['16: gc_enable() in stop() turns the collector back on']);
    expect(f!.fixes).toEqual([]);
  });
  it('gc-disabled still says nothing re-enables it when nothing does', () => {
    const [f] = lintWith('<?php\nclass A { function run() { gc_disable(); } function other() {} }\n', ['gc-disabled']);
    expect(f!.message).toMatch(/nothing in this function turns it back on/);
  });
  it('generator-unclosed-resource cites the close after the yield, not an early-exit close before it', () => {
    const [f] = lintWith(fixture('generator-unclosed-resource', 'bad-early-close.php'), ['generator-unclosed-resource']);
    // The message names no line (it is part of the finding's identity); the details and the
    // related location cite the close after the yield (17), not the early-exit one (13).
    expect(f!.message).toBe('`fclose()` runs only if the generator is iterated to the end: stopping early leaves the handle open');
    expect(f!.details).toMatch(/^`fclose\(\)` on line 17 runs only when the generator is iterated to the end/);
    // …and where a caller keeps the generator suspended (23), the evidence that the handle stays open.
    expect(f!.related.map((r) => r.range.start.line)).toEqual([16, 17, 23]);
  });
  it('listener-in-loop does not say "each time" of a registration a once-flag guards', () => {
    expect(lintWith(fixture('listener-in-loop', 'ok-once-flag.php'), ['listener-in-loop'])).toEqual([]);
    // Without the flag assignment, the guard does not make it once.
    const unguarded = '<?php\nclass H {\n  private bool $on = false;\n  public function handle(array $r): bool {\n    if (!$this->on) {\n      register_shutdown_function([$this, "close"]);\n    }\n    return true;\n  }\n}\n';
    expect(lintWith(unguarded, ['listener-in-loop']).map((f) => f.range.start.line)).toEqual([6]);
  });
  it('array-merge-in-loop\'s tip keeps the function and the order the loop used', () => {
    const [f] = lintWith(fixture('array-merge-in-loop', 'bad-keep-function.php'), ['array-merge-in-loop']);
    expect(f!.tip).toBe('Collect the parts in the loop (`$parts[] = $part;`) and call `array_replace_recursive()` once after it: `$cells = array_replace_recursive(...array_reverse($parts), ...[$cells]);`.');
    expect(f!.fixes).toEqual([]);
    const [g] = lintWith('<?php\nfunction f(\\PDO $db, array $a): array {\n    foreach ($db->query(\'SELECT * FROM parts\')->fetchAll() as $x) {\n        $a = array_merge_recursive($a, $x->parts());\n    }\n    return $a;\n}\n', ['array-merge-in-loop']);
    expect(g!.tip).toMatch(/call `array_merge_recursive\(\)` once after it: `\$a = array_merge_recursive\(\$a, \.\.\.\$parts\);`/);
  });
});
