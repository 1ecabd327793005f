import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import { Facts } from '../../engine/facts/index.js';
import { keyProvenance, originOfName } from '../../engine/facts/key-provenance.js';
import { lifetimeOf } from '../../engine/facts/lifetime.js';
import { resetOf } from '../../engine/facts/resets.js';
import type { PhpNode } from '../../engine/nodes.js';
import { SourceFile } from '../../engine/source.js';

// Facts behind unbounded-cache's precision: where a key comes from (engine/facts/key-provenance.ts),
// how long an object lives (lifetime.ts) and whether emptying an array is reached (resets.ts).

function analyse(text: string): { facts: Facts; file: SourceFile; keys: PhpNode[] } {
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok || parsed.problems.length) throw new Error(`parse: ${parsed.problems.map((p) => p.message).join()}`);
  const facts = new Facts();
  const keys: PhpNode[] = [];
  walk(parsed.program, {
    enter: new Map(), exit: new Map(),
    // The key of every `$c[...]` write target (the array is always named `$c`, `$this->c` or `self::$c`).
    anyEnter: (n) => {
      facts.enter(n);
      if (n.kind === 'offsetlookup' && n.offset && /^(\$c|\$this->c|self::\$c)\[/.test(text.slice(n.loc!.start.offset, n.loc!.end.offset))) keys.push(n.offset);
    },
    anyExit: (n) => facts.exit(n),
  });
  return { facts, file: new SourceFile('t.php', text, parsed.program), keys };
}

/** The origin of the first key written to `$c` in a function `f` whose body and parameters are given. */
function origin(params: string, body: string): string {
  const { facts, keys } = analyse(`<?php\nfunction f(${params}) {\n    static $c = [];\n${body}\n}\n`);
  expect(keys.length).toBeGreaterThan(0);
  return keyProvenance(keys[0]!, facts).origin;
}

describe('key provenance', () => {
  it('is code for literals, class names, a choice between literals and keys built from them', () => {
    expect(origin('', "$c['total'] = 1;")).toBe('code');
    expect(origin('$short', "$c[$short ? 'short' : 'long'] = 1;")).toBe('code');
    expect(origin('object $o', '$c[$o::class] = 1;')).toBe('code');
    expect(origin('object $o', '$c[get_class($o)] = 1;')).toBe('code');
    expect(origin('$o', '$c[is_object($o) ? $o::class : $o] = 1;')).toBe('code');
    expect(origin('', "$k = 'prefix.' . PHP_VERSION;\n$c[$k] = 1;")).toBe('code');
    expect(origin('', '$c["a-" . __FUNCTION__] = 1;')).toBe('code');
  });
  it('is code for names the code or its configuration defines', () => {
    for (const p of ['string $className', 'string $method', 'string $connection', '$locale', 'string $routeName', 'int $signal', 'string $entity_type_id', 'string $path', '\\UnitEnum $case', 'bool $flag', '$includeTests = false', 'string $classOrObject']) {
      expect([p, origin(p, `$c[${p.replace(/^.*(\$\w+).*$/, '$1')}] = 1;`)]).toEqual([p, 'code']);
    }
    expect(origin('string $locale, string $currency', '$c[$locale][$currency] = 1;')).toBe('code');
    expect(origin('$entity_type', '$c[$entity_type->id()] = 1;')).toBe('code');
    expect(origin('$route', '$c[$route->getName()] = 1;')).toBe('code');
  });
  it('is data for run-time values, object identity and unknown names', () => {
    expect(origin('string $value', '$c[$value] = 1;')).toBe('data');
    expect(origin('string $value', '$key = $value;\n$c[$key] = 1;')).toBe('data');
    expect(origin('string $url', '$c[$url] = 1;')).toBe('data');
    expect(origin('int $id', '$c[$id] = 1;')).toBe('data');
    expect(origin('object $conn', '$namespace = spl_object_hash($conn);\n$c[$namespace] = 1;')).toBe('data');
    expect(origin('string $email', "$domain = strtolower(substr((string) strrchr($email, '@'), 1));\n$c[$domain] = 1;")).toBe('data');
    expect(origin('$term', '$c[$term->id()] = 1;')).toBe('data');
    expect(origin('$x', '$c[$x] = 1;')).toBe('data');
  });
  it('has evidence of data only from a public API, ids of rows, request input and identity of objects handed over', () => {
    const strong = (params: string, body: string, fn = 'function f'): boolean => {
      const { facts, keys } = analyse(`<?php\nclass K {\n    public static array $c = [];\n    ${fn}(${params}) {\n${body.replace(/\$c\[/g, 'self::$c[')}\n    }\n}\n`);
      expect(keys.length).toBeGreaterThan(0);
      return keyProvenance(keys[0]!, facts).strong === true;
    };
    // Evidence: what a public API is handed, named or typed for data.
    expect(strong('$value', '$c[$value] = 1;', 'public static function f')).toBe(true);
    expect(strong('string $value', '$key = $value;\n$c[$key] = 1;', 'public function f')).toBe(true);
    expect(strong('int $orderId', '$c[$orderId] = 1;', 'public function f')).toBe(true);
    expect(strong('int $id', '$c[$id] = 1;', 'public function f')).toBe(true);
    expect(strong('float $lat', '$c[$lat] = 1;', 'public function f')).toBe(true);
    expect(strong('array $urls', 'foreach ($urls as $url) { $c[$url] = 1; }', 'public function f')).toBe(true);
    expect(strong('string $line', "preg_match('/^&(\\w+)/', $line, $m);\n$c[$m[1]] = 1;", 'public function f')).toBe(true);
    expect(strong('$order', '$c[$order->getId()] = 1;', 'private function f')).toBe(true);
    expect(strong('$post', '$c[$post->ID] = 1;', 'private function f')).toBe(true);
    expect(strong('object $conn', '$c[spl_object_hash($conn)] = 1;', 'public function f')).toBe(true);
    expect(strong('', "$c[$_GET['q']] = 1;", 'public function f')).toBe(true);
    expect(strong('$request', "$c[$request->query->get('page')] = 1;", 'public function f')).toBe(true);
    // No evidence: a helper's parameter, neutral names, an untyped `$id`, identity of an owned object.
    expect(strong('string $value', '$c[$value] = 1;', 'private function f')).toBe(false);
    expect(strong('string $key', '$c[$key] = 1;', 'public function f')).toBe(false);
    expect(strong('string $message', '$c[$message] = 1;', 'public function f')).toBe(false);
    expect(strong('$id', '$c[$id] = 1;', 'public function f')).toBe(false);
    expect(strong('string $setId', '$c[$setId] = 1;', 'public function f')).toBe(false);
    // Ids of the application's users, owners, accounts, authors: a roster, not a stream of data.
    expect(strong('int $userId', '$c[$userId] = 1;', 'public function f')).toBe(false);
    expect(strong('int $ownerId', '$c[$ownerId] = 1;', 'public function f')).toBe(false);
    expect(strong('$user', '$c[$user->getId()] = 1;', 'private function f')).toBe(false);
    expect(strong('$account', '$c[$account->id()] = 1;', 'public function f')).toBe(false);
    expect(strong('$author', "$c['a' . $author->getId()] = 1;", 'public function f')).toBe(false);
    expect(strong('', '$c[spl_object_hash($this->conn)] = 1;', 'public function f')).toBe(false);
    expect(strong('array $o', '$c[md5(serialize($o))] = 1;', 'public function f')).toBe(false);
    // The identity of an object standing in for the key it has not got yet: the keys are the other branch's.
    expect(strong('$user', '$c[$user->hasId() ? $user->getId() : spl_object_hash($user)] = 1;', 'public function f')).toBe(false);
    expect(strong('$user', '$c[$user->id === null ? spl_object_id($user) : $user->id] = 1;', 'public function f')).toBe(false);
    expect(strong('$order', '$c[$order->hasId() ? $order->getId() : spl_object_hash($order)] = 1;', 'private function f')).toBe(true);
    // Not a fallback: the identity of another object.
    expect(strong('$user, object $o', '$c[$user->hasId() ? $user->getId() : spl_object_hash($o)] = 1;', 'public function f')).toBe(true);
  });
  it('reads what an identifier says', () => {
    expect(originOfName('castType')).toBe('code');
    expect(originOfName('plugin_id')).toBe('code');
    expect(originOfName('user_id')).toBe('data');
    expect(originOfName('patterns')).toBe('code');
    expect(originOfName('cssExpr')).toBe('code');
    expect(originOfName('foo')).toBeNull();
  });
});

describe('object lifetime', () => {
  const lifetime = (code: string, name: string, longRunning = false): string => {
    const { facts } = analyse(`<?php\n${code}\n`);
    const cls = facts.classes.find((c) => c.name === name)!;
    return lifetimeOf(cls, facts, longRunning).lifetime;
  };
  it('one operation: builders, parsers, query objects, one-run commands, list tables', () => {
    expect(lifetime('class QueryBuilder {}', 'QueryBuilder')).toBe('operation');
    expect(lifetime('class YamlParser {}', 'YamlParser')).toBe('operation');
    expect(lifetime('namespace Drupal\\Core\\Database\\Query;\nclass Select {}', 'Select')).toBe('operation');
    expect(lifetime('use Symfony\\Component\\Console\\Command\\Command;\nclass ImportCommand extends Command {}', 'ImportCommand')).toBe('operation');
    expect(lifetime('class WP_Posts_List_Table {}', 'WP_Posts_List_Table')).toBe('operation');
    expect(lifetime('trait MessageTrait {}', 'MessageTrait')).toBe('operation');
  });
  it('shared or unknown: services, managers, a command that runs as a worker', () => {
    expect(lifetime('class QueryBuilderFactory {}', 'QueryBuilderFactory')).toBe('unknown');
    expect(lifetime('namespace Drupal\\Core\\Plugin;\nclass DefaultPluginManager {}', 'DefaultPluginManager')).toBe('unknown');
    expect(lifetime('use Symfony\\Component\\Console\\Command\\Command;\nclass ConsumeCommand extends Command {}', 'ConsumeCommand', true)).toBe('unknown');
    expect(lifetime('use Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler;\n#[AsMessageHandler]\nclass SendParser { public function __invoke(object $m) {} }', 'SendParser')).toBe('shared');
  });
});

describe('resets that are reached', () => {
  const reset = (body: string): string | null => {
    const { facts, file } = analyse(`<?php\nuse Symfony\\Contracts\\Service\\ResetInterface;\n${body}\n`);
    const cls = facts.classes[0]!;
    return resetOf(file, cls, cls.accesses.filter((a) => a.name === 'c'))?.kind ?? null;
  };
  it('a ResetInterface reset(), directly or through a helper', () => {
    expect(reset('class A implements ResetInterface { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function reset(): void { $this->c = []; } }')).toBe('hook');
    expect(reset('class A implements ResetInterface { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function reset(): void { $this->clear(); } private function clear() { $this->c = []; } }')).toBe('hook');
  });
  it('a reset that chains to the parent\'s (the framework resets the parent), but not a reset of its own', () => {
    expect(reset('class A extends Base { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function resetCache(?array $ids = null) { $this->c = []; parent::resetCache($ids); } }')).toBe('hook');
    expect(reset('class A extends Base { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function resetCache(?array $ids = null) { $this->c = []; } }')).toBeNull();
    expect(reset('class A extends Base { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function resetCache() { $this->c = []; parent::clear(); } }')).toBeNull();
  });
  it('a kernel.terminate listener or an Octane listener', () => {
    expect(reset('class A { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function onKernelTerminate(): void { $this->c = []; } }')).toBe('hook');
    expect(reset('use Laravel\\Octane\\Events\\RequestTerminated;\nclass A { private array $c = []; function get($k) { return $this->c[$k] ??= 1; } function handle(RequestTerminated $e): void { $this->c = []; } }')).toBe('hook');
  });
  it('emptied at the start of each parse(), or after each use', () => {
    expect(reset('class A { private array $c = []; function parse($s) { $this->c = []; return $this->walk($s); } private function walk($s) { return $this->c[$s] ??= 1; } }')).toBe('per-operation');
    expect(reset('class A { private array $c = []; function add($k, $v) { $this->c[$k] = $v; } function commit() { foreach ($this->c as $k => $v) { save($k, $v); } $this->c = []; } }')).toBe('after-use');
  });
  it('a clear() that nobody calls is not a reset (the talk\'s ArrayBasedCache)', () => {
    expect(reset('class A { private array $c = []; function set(object $k, $v) { $this->c[(string) $k] = $v; } function clear(): void { $this->c = []; } }')).toBeNull();
    expect(reset('class A { private array $c = []; function set($k, $v) { $this->c[$k] = $v; } function reset(): void { $this->c = []; } }')).toBeNull();
  });
});
