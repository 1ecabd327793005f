import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// What the fixture runner does not check for orm-identity-map-growth, query-log-enabled,
// array-merge-in-loop: severities by context (detected long-running code), messages that say
// why, and the safety of each fix.

const DOCTRINE_LOOP = `<?php
function import(Doctrine\\ORM\\EntityManagerInterface $em, array $rows): void {
    foreach ($rows as $row) { $em->persist(Product::fromRow($row)); }
}
`;

describe('orm-identity-map-growth and query-log-enabled in long-running code', () => {
  it('stays a warning in ordinary code', () => {
    const [f] = lintWith(DOCTRINE_LOOP, ['orm-identity-map-growth']);
    expect(f!.severity).toBe('warning');
    expect(f!.details).not.toMatch(/does not end/);
  });
  it('is an error in a Messenger handler, and the details say why', () => {
    const text = DOCTRINE_LOOP.replace('<?php\n', '<?php\nuse Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler;\n#[AsMessageHandler]\nclass H { public function __invoke() {} }\n');
    const [f] = lintWith(text, ['orm-identity-map-growth']);
    expect(f!.severity).toBe('error');
    expect(f!.details).toMatch(/This file is a Symfony Messenger handler \(line 3\), which does not end after one request/);
    expect(f!.message).not.toMatch(/line|Messenger/);
  });
  it('raises query-log-enabled in a worker loop that comes later in the file', () => {
    const text = '<?php\nDB::enableQueryLog();\nwhile (true) {\n    $job = $queue->pop();\n    $job->fire();\n}\n';
    const [f] = lintWith(text, ['query-log-enabled']);
    expect(f!.severity).toBe('error');
    expect(f!.details).toMatch(/a worker loop around `pop\(\)` \(line 3\)/);
  });
  // A whole table loaded in a worker is a peak freed when the code returns: info, never raised.
  it('reports Eloquent only once the file is known to be long-running, at info', () => {
    const code = '<?php\nuse App\\Models\\User;\nforeach (User::all() as $u) { $u->touch(); }\n';
    expect(lintWith(code, ['orm-identity-map-growth'])).toEqual([]);
    expect(lintWith(`${code}pcntl_signal(SIGTERM, fn () => null);\nwhile (true) { sleep(1); }\n`, ['orm-identity-map-growth']).map((f) => f.severity)).toEqual(['info']);
    // A batch command ends: silent even though it is (batch) long-running evidence.
    const command = '<?php\nuse App\\Models\\User;\nuse Illuminate\\Console\\Command;\nclass C extends Command { protected $signature = \'c\'; public function handle() { foreach (User::all() as $u) { $u->touch(); } } }\n';
    expect(lintWith(command, ['orm-identity-map-growth'])).toEqual([]);
  });
});

describe('array-merge-in-loop fix safety', () => {
  // The loop runs over rows fetched from the database: the data-size evidence the rule needs
  // for a local accumulator (a parameter's name alone is not).
  const safety = (body: string): string[] => lintWith(`<?php\nfunction f(\\PDO $db, array $part): array {\n$rows = $db->query('SELECT * FROM t')->fetchAll();\n${body.replaceAll('$xs', '$rows')}\n}\n`, ['array-merge-in-loop']).map((f) => f.fixes.map((x) => x.safety).join(',') || 'none');
  it('is safe when every part is certainly an array', () => {
    expect(safety('$a = [];\nforeach ($xs as $x) {\n    $a = array_merge($a, [$x], $part, array_keys($x));\n}\nreturn $a;')).toEqual(['safe']);
  });
  it('is unsafe when a part might not be an array (its TypeError would move after the loop)', () => {
    expect(safety('$a = [];\nforeach ($xs as $x) {\n    $a = array_merge($a, $x->items());\n}\nreturn $a;')).toEqual(['unsafe']);
  });
  it('offers none when the loop reads the accumulator, or in a try', () => {
    expect(safety('$a = [];\nforeach ($xs as $x) {\n    $a = array_merge($a, [$x]);\n    echo count($a);\n}\nreturn $a;')).toEqual(['none']);
    expect(safety('$a = [];\ntry {\n    foreach ($xs as $x) {\n        $a = array_merge($a, [$x]);\n    }\n} catch (\\Throwable $e) {\n    return $a;\n}\nreturn $a;')).toEqual(['none']);
    expect(safety('$a = [];\nforeach ($xs as $x) {\n    $a = array_merge($a, [$x]);\n    $f = fn () => $a;\n}\nreturn $a;')).toEqual(['none']);
  });
  it('is safe for a union on a local and unsafe on a property', () => {
    expect(safety('$m = [];\nforeach ($xs as $x) {\n    $m = $m + [$x => 1];\n}\nreturn $m;')).toEqual(['safe']);
    const prop = lintWith('<?php\nclass C { private array $m = []; function f(array $rows) { foreach ($rows as $x) { $this->m = $this->m + $x->map(); } } }\n', ['array-merge-in-loop']);
    expect(prop.map((f) => f.fixes.map((x) => x.safety).join(','))).toEqual(['unsafe']);
  });
});
