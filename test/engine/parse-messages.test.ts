import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { phpLint } from '../helpers/php.js';

// Parse errors say what PHP 8 says (issue 13 point 7): the same words as `php -l`, never a
// JavaScript error text from inside the parser.

/** The first parse error (PHP stops at its first; php-parser may report more). */
const message = (text: string): string => {
  const fs = lintText({ path: 'x.php', text, rules: [] });
  expect(fs[0]?.ruleId).toBe('parse-error');
  return fs[0]!.message;
};

/** PHP's own message, without the "PHP Parse error:" prefix and the " in … on line N" suffix. */
const php = (text: string): string => /Parse error:\s+(.*?) in .* on line \d+/.exec(phpLint(text) ?? '')![1]!;

describe('parse-error messages', () => {
  it('`<?php $x = (;` says what PHP says, at the `;`', () => {
    const fs = lintText({ path: 'x.php', text: '<?php $x = (;', rules: [] });
    expect(fs.map((f) => [f.message, f.range.start.column])).toEqual([['syntax error, unexpected token ";"', 12]]);
    expect(php('<?php $x = (;')).toBe('syntax error, unexpected token ";"');
  });

  it('starts with PHP 8\'s words (php -l) for each kind of unexpected token', () => {
    const cases = [
      '<?php $x = ();', '<?php f((;', '<?php $a = 1 $b;', '<?php $a = "x" "y";', "<?php $a = 'x' 'y';", '<?php $a = 1 2;',
      '<?php $a = 1 2.5;', '<?php $a = 1 foo();', '<?php $a = [1, 2;', '<?php function f( {}', '<?php class { }', '<?php $a = 1\necho $a;',
    ];
    for (const text of cases) {
      const ours = message(text);
      expect(ours.startsWith(php(text)), `${text}: ours "${ours}", php "${php(text)}"`).toBe(true);
      expect(ours).not.toMatch(/undefined|TypeError|Cannot |T_[A-Z]/);
    }
  });
});
