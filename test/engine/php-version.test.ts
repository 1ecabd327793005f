import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, lowestVersion, parseConfig, phpAtLeast, projectPhpVersion } from '../../engine/config.js';
import { fixUntilStable } from '../../engine/fixes.js';
import { rules } from '../../rules/index.js';
import { lintWith } from '../helpers/lint.js';
import { hasPhp, phpLint } from '../helpers/php.js';

// Fixes write code valid on the project's lowest PHP version: `phpVersion` in phpleak.json,
// else composer.json's require.php (issue 10, point 6: a constant in a trait before PHP 8.2).

describe('the project PHP version', () => {
  it('reads phpVersion from phpleak.json and rejects anything but "major.minor"', () => {
    expect(parseConfig('{"phpVersion": "8.1"}', '/p/phpleak.json', rules).phpVersion).toBe('8.1');
    expect(() => parseConfig('{"phpVersion": 8.1}', '/p/phpleak.json', rules)).toThrow(ConfigError);
    expect(() => parseConfig('{"phpVersion": "8"}', '/p/phpleak.json', rules)).toThrow('phpVersion: expected a "major.minor" string such as "8.1", got');
  });

  it('falls back to the lowest version composer.json allows, read as JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phpleak-php-'));
    expect(projectPhpVersion(defaultConfig(dir))).toBeNull();
    writeFileSync(join(dir, 'composer.json'), JSON.stringify({ require: { php: '^7.4 || ^8.0' } }));
    expect(projectPhpVersion(defaultConfig(dir))).toBe('7.4');
    writeFileSync(join(dir, 'composer.json'), '{ not json');
    expect(projectPhpVersion(defaultConfig(dir))).toBeNull();
    const cfg = { ...defaultConfig(dir), phpVersion: '8.3' };
    expect(projectPhpVersion(cfg)).toBe('8.3');
  });

  it('takes the lowest major.minor of a constraint', () => {
    expect(lowestVersion('>=8.1')).toBe('8.1');
    expect(lowestVersion('^8.2|^7.4.3')).toBe('7.4');
    expect(lowestVersion('>=8.1 <9.0')).toBe('8.1');
    expect(lowestVersion('8.2.*')).toBe('8.2');
    expect(lowestVersion('*')).toBeNull();
    expect(phpAtLeast('8.2', '8.2')).toBe(true);
    expect(phpAtLeast('8.1', '8.2')).toBe(false);
    expect(phpAtLeast('9.0', '8.2')).toBe(true);
    expect(phpAtLeast(null, '8.2')).toBe(false);
  });

  const trait = '<?php\ntrait Memo\n{\n    private array $memo = [];\n\n    public function of(string $text): string\n    {\n        return $this->memo[$text] ??= md5($text);\n    }\n}\n';
  const fix = (phpVersion?: string) => fixUntilStable(trait, (t) => lintWith(t, ['unbounded-cache'], { phpVersion }), { allowUnsafe: false }).text;

  it('bounds a cache in a trait with the number below PHP 8.2 (or unknown), with a constant from 8.2', () => {
    expect(fix()).toContain('if (count($this->memo) >= 1000) {');
    expect(fix('8.1')).not.toContain('const');
    const on82 = fix('8.2');
    expect(on82).toContain('    private const MAX_MEMO_ENTRIES = 1000;\n');
    expect(on82).toContain('if (count($this->memo) >= self::MAX_MEMO_ENTRIES) {');
    if (hasPhp) expect(phpLint(on82)).toBeNull();
  });
});
