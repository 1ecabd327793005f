import { describe, expect, it } from 'vitest';
import { fixUntilStable } from '../../engine/fixes.js';
import { lintWith } from '../helpers/lint.js';
import { hasPhp } from '../helpers/php.js';
import { runDriver, tempCode } from '../helpers/fix-drivers.js';

// Unsafe fixes that would break every caller are not offered; those that are say why they
// are unsafe in their title (issue 10, point 6).

const fixesOf = (text: string, id: string) => lintWith(text, [id]).filter((f) => f.ruleId === id).map((f) => f.fixes.map((x) => `${x.safety}: ${x.title}`));

describe('copy-on-write-array-param: the by-reference fix', () => {
  const fn = '<?php\nfunction tally(array $rows): int {\n    sort($rows);\n    return count($rows);\n}\n';
  it('is not offered when a call in the file passes a literal or an expression (it would fatal)', () => {
    // The first caller passes the lines of a file: the evidence that the copy is worth reporting.
    const read = "$all = file('scores.txt');\necho tally($all);\n";
    expect(fixesOf(`${fn}${read}echo tally([3, 1]);\n`, 'copy-on-write-array-param')).toEqual([[]]);
    expect(fixesOf(`${fn}${read}echo tally(array_values($x));\n`, 'copy-on-write-array-param')).toEqual([[]]);
    expect(fixesOf(`${fn}${read}echo tally(...$args);\n`, 'copy-on-write-array-param')).toEqual([[]]);
  });
  it('is offered, unsafe with the reason, when every call in the file passes a variable', () => {
    expect(fixesOf(`${fn}$rows = file('scores.txt');\necho tally($rows);\necho tally($this->rows);\n`, 'copy-on-write-array-param')).toEqual([[
      'unsafe: Take $rows by reference (unsafe: the caller\'s array then changes with every write, and a caller in another file that passes a literal or an expression fails)',
    ]]);
  });
  it.skipIf(!hasPhp)('the by-reference fix really fatals on a literal (why it is not offered then)', () => {
    const fixed = fixUntilStable(`${fn}$rows = range(1, 100000);\necho tally($rows);\n`, (t) => lintWith(t, ['copy-on-write-array-param']), { allowUnsafe: true }).text;
    expect(fixed).toContain('array &$rows');
    const driver = tempCode('driver.php', '<?php\ntry { require $argv[1]; tally([1]); } catch (\\Error $e) { echo get_class($e), "\\n"; }\n');
    expect(runDriver(driver, tempCode('code.php', fixed)).stdout).toContain('Error');
  });
  it('is not offered for a private method called with a literal through $this', () => {
    // The second caller passes fetched rows: the copy is worth reporting.
    const text = '<?php\nfinal class A {\n    public function run(): int { return $this->sum([1, 2]); }\n    public function all(\\PDO $db): int { $rows = $db->query(\'SELECT n FROM t\')->fetchAll(); return $this->sum($rows); }\n    private function sum(array $rows): int {\n        $rows[] = 0;\n        return array_sum($rows);\n    }\n}\n';
    expect(fixesOf(text, 'copy-on-write-array-param')).toEqual([[]]);
  });
});

describe('file-read-into-array: the generator fix', () => {
  // A path of unknown origin (the file of an import too) is reported in long-running code only.
  const fixesOf = (text: string, id: string) => lintWith(text, [id], { longRunning: true }).filter((f) => f.ruleId === id).map((f) => f.fixes.map((x) => `${x.safety}: ${x.title}`));
  const method = (head: string) => `<?php\ninterface Reader { public function importLines($h): array; }\n${head}\n{\n    public function importLines($h): array\n    {\n        $lines = [];\n        while (($l = fgets($h)) !== false) {\n            $lines[] = $l;\n        }\n        return $lines;\n    }\n}\n`;
  it('is not offered where changing array to iterable breaks the signature it implements or overrides', () => {
    expect(fixesOf(method('final class FileReader implements Reader'), 'file-read-into-array')).toEqual([[]]);
    expect(fixesOf(method('class FileReader extends Base'), 'file-read-into-array')).toEqual([[]]);
    expect(fixesOf(method('trait ReadsLines'), 'file-read-into-array')).toEqual([[]]);
  });
  it('is offered, unsafe with the reason, on a class of its own', () => {
    expect(fixesOf(method('final class FileReader'), 'file-read-into-array')).toEqual([[
      'unsafe: Turn the function into a generator that yields each item instead of collecting them (unsafe: callers get a generator, not an array: count(), array functions, [$i] and a second foreach fail)',
    ]]);
  });
});

describe('service-state-without-reset: the reset fix', () => {
  const handler = (decl: string, ctor: string) => `<?php
use Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler;

#[AsMessageHandler]
final class Tracker
{
    ${decl}

    public function __construct(array $seed = [])
    {
        ${ctor}
    }

    public function __invoke(object $message): void
    {
        $this->seen->attach($message);
        $this->seen = $this->seen;
    }
}
`;
  const resetOf = (text: string): string => {
    const fixed = fixUntilStable(text, (t) => lintWith(t, ['service-state-without-reset']), { allowUnsafe: true }).text;
    return /public function reset\(\): void\s*\{\s*([^}]*)\}/.exec(fixed)?.[1]?.trim() ?? 'no reset()';
  };
  it('renews what the constructor created instead of setting it to null', () => {
    expect(resetOf(handler('private \\SplObjectStorage $seen;', '$this->seen = new \\SplObjectStorage();'))).toBe('$this->seen = new \\SplObjectStorage();');
    expect(resetOf(handler('private ?\\SplObjectStorage $seen = null;', '$this->seen = new \\SplObjectStorage();'))).toBe('$this->seen = new \\SplObjectStorage();');
    expect(resetOf(handler('private $seen;', '$this->seen = new \\SplObjectStorage();'))).toBe('$this->seen = new \\SplObjectStorage();');
  });
  it('offers no reset when the constructor fills the property from its arguments', () => {
    expect(resetOf(handler('private $seen;', '$this->seen = $seed;'))).toBe('no reset()');
  });
});
