import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixUntilStable } from '../../engine/fixes.js';
import { lintWith } from '../helpers/lint.js';
import { hasPhp, phpLint } from '../helpers/php.js';

// The fixture runner applies every fix (safe and unsafe); these check what each fix is, its
// safety, and when it is not offered.

const fixesOf = (text: string, id: string) => lintWith(text, [id]).filter((f) => f.ruleId === id).map((f) => f.fixes.map((x) => `${x.safety}: ${x.title}`));

const talkCache = `<?php
class ArrayBasedCache
{
    private array $cache = [];

    public function set(object $key, mixed $data) : void {
        $this->cache[(string)$key] = $data;
    }

    public function has(object $key) : bool {
        return isset($this->cache[(string)$key]);
    }
}
`;

describe('unbounded-cache fixes', () => {
  it('offers the WeakMap first and the bound second for object keys, both unsafe: has() relies on what set() stored', () => {
    expect(fixesOf(talkCache, 'unbounded-cache')).toEqual([[
      'unsafe: Key $this->cache by object with a \\WeakMap (an entry goes when its key object is freed)',
      'unsafe: Evict the oldest entry when $this->cache reaches self::MAX_CACHE_ENTRIES entries (not a pure cache: has() reads entries without recomputing a missing one, so it relies on them being there)',
    ]]);
    expect(fixUntilStable(talkCache, (t) => lintWith(t, ['unbounded-cache']), { allowUnsafe: false }).text).toBe(talkCache);
  });

  it('--fix-unsafe bounds the talk\'s cache, and the result passes php -l and is clean', () => {
    // A string key is data when its name says so: here a URL handed to the public set().
    const r = fixUntilStable(talkCache.replace(/object \$key/g, 'string $url').replace(/\$key\b/g, '$url'), (t) => lintWith(t, ['unbounded-cache']), { allowUnsafe: true });
    expect(r.text).toContain('    private const MAX_CACHE_ENTRIES = 1000;\n');
    expect(r.text).toContain([
      '        if (count($this->cache) >= self::MAX_CACHE_ENTRIES) {',
      '            unset($this->cache[array_key_first($this->cache)]);',
      '        }',
      '        $this->cache[(string)$url] = $data;',
    ].join('\n'));
    expect(lintWith(r.text, ['unbounded-cache']).filter((f) => f.ruleId === 'unbounded-cache')).toEqual([]);
    if (hasPhp) expect(phpLint(r.text)).toBeNull();
  });

  it('takes the limit from the maxEntries option', () => {
    const text = '<?php\nfunction f(string $value) {\n    static $c = [];\n    return $c[$value] ??= strlen($value);\n}\n';
    const fixed = fixUntilStable(text, (t) => lintWith(t, ['unbounded-cache'], { options: { maxEntries: 50 } }), { allowUnsafe: false }).text;
    expect(fixed).toContain('if (count($c) >= 50) {');
  });

  it('offers no bound for a list (appended: evicting drops items) and an unsafe one for a registry', () => {
    const text = '<?php\nclass C {\n    private static array $all = [];\n    public function __construct() {\n        self::$all[] = $this;\n    }\n}\n';
    expect(fixesOf(text, 'unbounded-cache')).toEqual([[]]);
  });

  it('offers no eviction for counters and id generators (an evicted counter hands out an id again)', () => {
    const text = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'rules', 'unbounded-cache', 'bad-counters.php'), 'utf8');
    expect(fixesOf(text, 'unbounded-cache')).toEqual([[], []]);
  });

  it('offers no WeakMap when a key is not an object or the array is used whole', () => {
    const scalar = talkCache.replace(/object \$key/g, 'string $url').replace(/\$key\b/g, '$url');
    expect(fixesOf(scalar, 'unbounded-cache')[0]).toHaveLength(1);
    const whole = talkCache.replace('    public function has', '    public function all(): array { return $this->cache; }\n\n    public function has');
    expect(fixesOf(whole, 'unbounded-cache')[0]).toHaveLength(1);
    const pub = talkCache.replace('private array $cache', 'public array $cache');
    expect(fixesOf(pub, 'unbounded-cache')[0]).toHaveLength(1);
  });

  it('keys by the object of spl_object_id()', () => {
    const text = `<?php
final class Meta
{
    private array $meta = [];

    public function of(object $o): array
    {
        return $this->meta[spl_object_id($o)] ??= [get_class($o)];
    }
}
`;
    const fixed = fixUntilStable(text, (t) => lintWith(t, ['unbounded-cache']), { allowUnsafe: true }).text;
    expect(fixed).toContain('private \\WeakMap $meta;');
    expect(fixed).toContain('return $this->meta[$o] ??= [get_class($o)];');
    expect(fixed).toContain('    public function __construct()\n    {\n        $this->meta = new \\WeakMap();\n    }');
    if (hasPhp) expect(phpLint(fixed)).toBeNull();
  });

  it('offers no bound where a statement cannot go before the write', () => {
    const text = '<?php\nclass C {\n    private static array $cache = [];\n    public static function f(string $text): \\Closure {\n        return fn () => self::$cache[$text] ??= strlen($text);\n    }\n}\n';
    expect(fixesOf(text, 'unbounded-cache')).toEqual([[]]);
  });
});

describe('file-read-into-array fix', () => {
  // A path of unknown origin (the file of an import too) is reported in long-running code only.
  const fixesOf = (text: string, id: string) => lintWith(text, [id], { longRunning: true }).filter((f) => f.ruleId === id).map((f) => f.fixes.map((x) => `${x.safety}: ${x.title}`));
  it('is offered only for a function that only collects and returns', () => {
    const base = (extra: string, ret = 'return $lines;') => `<?php
function importLines($h): array {
    $lines = [];
    while (($l = fgets($h)) !== false) {
        $lines[] = $l;
    }
${extra}    ${ret}
}
`;
    expect(fixesOf(base(''), 'file-read-into-array')).toEqual([['unsafe: Turn the function into a generator that yields each item instead of collecting them (unsafe: callers get a generator, not an array: count(), array functions, [$i] and a second foreach fail)']]);
    expect(fixesOf(base('    echo count($lines);\n'), 'file-read-into-array')).toEqual([[]]);
    expect(fixesOf(base('    if (!$lines) { return []; }\n'), 'file-read-into-array')).toEqual([[]]);
    expect(fixesOf(base('', 'return array_reverse($lines);'), 'file-read-into-array')).toEqual([[]]);
    expect(fixesOf(base('').replace('): array', '): Collection'), 'file-read-into-array')).toEqual([[]]);
  });

  it('turns ?array into iterable and keeps the file parsing', () => {
    const text = '<?php\nfunction importRows($h): ?array\n{\n    $rows = [];\n    while ($r = fgetcsv($h)) {\n        $rows[$r[0]] = $r[1];\n    }\n    return $rows;\n}\n';
    const fixed = fixUntilStable(text, (t) => lintWith(t, ['file-read-into-array'], { longRunning: true }), { allowUnsafe: true }).text;
    expect(fixed).toBe('<?php\nfunction importRows($h): iterable\n{\n    while ($r = fgetcsv($h)) {\n        yield $r[0] => $r[1];\n    }\n}\n');
    if (hasPhp) expect(phpLint(fixed)).toBeNull();
  });
});

describe('unbounded-cache messages say what makes the key data', () => {
  const messages = (text: string) => lintWith(text, ['unbounded-cache']).filter((f) => f.ruleId === 'unbounded-cache').map((f) => f.message);

  it('names the parameter of the public API, the id of a row, an appended object', () => {
    expect(messages('<?php\nclass Str {\n    protected static $camelCache = [];\n    public static function camel($value) {\n        return static::$camelCache[$value] ?? static::$camelCache[$value] = lcfirst($value);\n    }\n}\n')).toEqual([
      '`static::$camelCache` grows per key, never evicted: keyed by `$value` of the public `Str::camel()`',
    ]);
    expect(messages('<?php\nclass Seen {\n    private static array $seen = [];\n    public static function mark(object $order): void {\n        self::$seen[$order->getId()] = true;\n    }\n}\n')).toEqual([
      '`self::$seen` grows per key, never evicted: keyed by `$order->getId()`, the id of a row',
    ]);
    expect(messages('<?php\nclass Recorder {\n    private static array $events = [];\n    public static function record(\\App\\Event $event): void {\n        self::$events[] = $event;\n    }\n}\n')).toEqual([
      '`self::$events` grows per call, never evicted: appends the object `$event` of the public `Recorder::record()`',
    ]);
  });

  it('is silent without evidence: a neutral `$key`, a helper\'s parameter, an untyped `$id`', () => {
    expect(messages('<?php\nclass P {\n    private static array $parsed = [];\n    public static function parse(string $key): array {\n        return self::$parsed[$key] ??= explode(\'.\', $key);\n    }\n}\n')).toEqual([]);
    expect(messages('<?php\nclass P {\n    private static array $c = [];\n    public static function a(string $v): string { return self::b($v); }\n    private static function b(string $value): string {\n        return self::$c[$value] ??= strrev($value);\n    }\n}\n')).toEqual([]);
    expect(messages('<?php\nfunction unique_id($id) {\n    static $seen = [];\n    if (isset($seen[$id])) { return $id . ++$seen[$id]; }\n    $seen[$id] = 1;\n    return $id;\n}\n')).toEqual([]);
  });
});

describe('unbounded-cache severity in long-running code', () => {
  const memo = (key: string): string => `<?php
final class Lookup
{
    private array $seen = [];

    public function find(object $row): mixed
    {
        return $this->seen[${key}] ??= $row->load();
    }
}
`;
  const severity = (key: string): string[] => lintWith(memo(key), ['unbounded-cache'], { longRunning: true }).map((f) => f.severity);
  it('is error for keys that traffic brings without end (visitors, orders, request input)', () => {
    expect(severity('$row->visitorId')).toEqual(['error']);
    expect(severity('$_GET[\'q\']')).toEqual(['error']);
  });
  it('stays info for the ids of rows that may be a small catalogue (templates, products): one entry per row an administrator made, then flat', () => {
    expect(severity('$row->productId')).toEqual(['info']);
    expect(severity('$row->id')).toEqual(['info']);
    const plain = (key: string): string[] => lintWith(memo(key), ['unbounded-cache']).map((f) => f.severity);
    expect(plain('$row->productId')).toEqual(['info']);
    expect(plain('$row->visitorId')).toEqual(['warning']);
  });
});

describe('unbounded-cache details are true of the write', () => {
  const details = (text: string): string[] => lintWith(text, ['unbounded-cache']).map((f) => (f.details ?? '').split(': a static')[0]!);
  it('an append gains an entry on every call, a keyed write for every new key', () => {
    expect(details("<?php\nclass Audit {\n    private static array $events = [];\n    public static function record(object $event): void {\n        self::$events[] = $event;\n    }\n}\n"))
      .toEqual(['`self::$events` gains an entry on every call and nothing ever removes one']);
    expect(details("<?php\nclass Geo {\n    private static array $byIp = [];\n    public static function lookup(string $ip): array {\n        return self::$byIp[$ip] ??= resolve($ip);\n    }\n}\n"))
      .toEqual(['`self::$byIp` gains an entry for every new key and nothing ever removes one']);
  });
});

describe('unbounded-cache and the page\'s output state', () => {
  const layout = "<?php\nclass Layout {\n    private static array $styles = [];\n    public static function appendStyle(string $url): void {\n        self::$styles[] = ['url' => $url];\n    }\n    public static function head(): string {\n        $h = '';\n        foreach (self::$styles as $s) { $h .= $s['url']; }\n        return $h;\n    }\n}\n";
  it('is silent for an asset list rendered whole under PHP-FPM, and a warning or worse in long-running code', () => {
    expect(lintWith(layout, ['unbounded-cache'])).toEqual([]);
    expect(lintWith(layout, ['unbounded-cache'], { longRunning: true }).map((f) => `${f.range.start.line}:${f.severity}:${f.message}`))
      .toEqual(['5:error:`self::$styles` grows per call, never evicted: appends `$url` of the public `Layout::appendStyle()`']);
  });
});
