import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { Facts } from '../../engine/facts/index.js';
import type { Call, Method, PhpNode } from '../../engine/nodes.js';
import { ownKeeperMethod, registrationOf, staticRegistryOf } from '../../engine/facts/registrations.js';
import { isPerJobMethod, perRequestConstructor, perResolutionRegistrar } from '../../engine/facts/per-job-entry.js';
import { firstRunBranch, guardedByOnceFlag } from '../../engine/facts/once-guard.js';

function load(text: string): { facts: Facts; calls: Call[]; textOf: (n: PhpNode) => string } {
  const { facts } = factsOf(text);
  const calls = facts.scopes.flatMap((s) => s.calls);
  return { facts, calls, textOf: (n) => text.slice(n.loc!.start.offset, n.loc!.end.offset).replace(/;$/, '') };
}

describe('registrationOf', () => {
  it('trusts hub-only verbs on hubs and nowhere else', () => {
    const { calls, textOf } = load(`<?php
$this->app->terminating(fn () => 1); app()->booted(fn () => 1); Gate::before(fn () => 1); $events->once('x', fn () => 1);
$eventManager->attach('render', fn () => 1); $team->members()->attach(1); $query->after(10); $this->cache->once('k', fn () => 1);
`);
    expect(calls.filter((c) => registrationOf(c) !== null).map(textOf)).toEqual([
      '$this->app->terminating(fn () => 1)', 'app()->booted(fn () => 1)', 'Gate::before(fn () => 1)', "$events->once('x', fn () => 1)", "$eventManager->attach('render', fn () => 1)",
    ]);
  });
});

describe('per-job entries', () => {
  it('knows queued jobs, controller actions, per-request constructors and per-resolution closures', () => {
    const { facts, calls, textOf } = load(`<?php
use Illuminate\\Contracts\\Queue\\ShouldQueue; use Illuminate\\View\\Component;
final class Job implements ShouldQueue { public function handle() {} }
final class Cmd { public function handle() {} }
final class PostController extends Controller { public function index() {} public function __construct() {} }
final class Mw { public function __construct() {} public function handle($request, Closure $next) {} }
final class Alert extends Component { public function __construct() {} }
final class Svc { public function __construct() {} }
$this->app->bind(A::class, function ($app) { return 1; });
$this->app->bind(B::class, function ($app) { return 1; }, true);
$this->app->singleton(C::class, function ($app) { return 1; });
$this->app->afterResolving(D::class, function ($d) { return 1; });
$c->factory(function ($c) { return 1; });
`);
    const methods = facts.classes.flatMap((c) => [...c.methods.values()].map((m) => [`${c.name}::${typeof m.name === 'string' ? m.name : m.name.name}`, m] as const));
    expect(methods.filter(([, m]) => isPerJobMethod(m as Method, facts)).map(([n]) => n)).toEqual(['Job::handle', 'PostController::index', 'Mw::handle']);
    expect(methods.filter(([, m]) => perRequestConstructor(m as Method) !== null).map(([n]) => n)).toEqual(['Mw::__construct', 'Alert::__construct']);
    const resolvers = calls.filter((c) => c.arguments.some((a) => a.kind === 'closure' && perResolutionRegistrar(a) === c));
    expect(resolvers.map((c) => textOf(c).slice(0, 25))).toEqual(['$this->app->bind(A::class', '$c->factory(function ($c)']);
  });
});

describe('guardedByOnceFlag', () => {
  it('accepts a flag tested and set, and an early return on a static local; not a keyed set', () => {
    const { calls, textOf } = load(`<?php
function a() { if (!self::$done) { reg(1); self::$done = true; } }
function b() { static $hooked = false; if ($hooked) { return; } $hooked = true; reg(2); }
function c() { if (!isset($this->seen[$id])) { reg(3); $this->seen[$id] = true; } }
function d() { reg(4); }
`);
    const text = (n: PhpNode): string => textOf(n);
    expect(calls.filter((c) => textOf(c).startsWith('reg(')).map((c) => `${textOf(c)}:${guardedByOnceFlag(c, text)}`)).toEqual(['reg(1):true', 'reg(2):true', 'reg(3):false', 'reg(4):false']);
  });
});

describe('once-flags that persist, and first-run branches', () => {
  it('a plain local is not a once-flag; a static or global local is', () => {
    const { calls, textOf } = load(`<?php
function a() { $f = $this->f; if (!$f) { reg(1); $f = new F(); } }
function b() { static $f; if (!$f) { reg(2); $f = new F(); } }
function c() { global $booted; if (!$booted) { reg(3); $booted = true; } }
`);
    expect(calls.filter((c) => textOf(c).startsWith('reg(')).map((c) => `${textOf(c)}:${guardedByOnceFlag(c, textOf)}`)).toEqual(['reg(1):false', 'reg(2):true', 'reg(3):true']);
  });

  it('finds the first-run branch of $this before a call, not around it, not an early return, not in a static method', () => {
    const { calls, textOf } = load(`<?php
class K {
  public function a() { if ($this->started === false) { $this->started = true; } else { $this->reset(); } reg(1); }
  public function b() { if (!$this->started) { reg(2); $this->started = true; } }
  public function c() { if ($this->started) { return; } $this->started = true; reg(3); }
  public function d() { if (!$seen) { $seen = true; } reg(4); }
  public static function e() { if (!self::$on) { self::$on = true; } reg(5); }
  public function f() { if (!empty($this->dir)) { chdir($this->dir); $this->dir = null; } reg(6); }
}
`);
    expect(calls.filter((c) => textOf(c).startsWith('reg(')).map((c) => `${textOf(c)}:${firstRunBranch(c, textOf)?.flag ?? '-'}`))
      .toEqual(['reg(1):$this->started', 'reg(2):-', 'reg(3):-', 'reg(4):-', 'reg(5):-', 'reg(6):-']);
  });
});

describe('own keeper methods and static registries', () => {
  it('knows a method of the class that stores or passes on the callable it is handed', () => {
    const { facts, calls, textOf } = load(`<?php
class E {
  public function after(string $n, callable $cb): void { $this->dispatcher->hook($n, 'after', $cb); }
  public function on(string $n, callable $cb): void { $this->listeners[$n][] = $cb; }
  public function map(callable $cb): array { return array_map($cb, $this->items); }
  public function run() { $this->after('x', fn () => 1); $this->on('y', fn () => 2); $this->map(fn () => 3); $other->after('z', fn () => 4); }
}
`);
    const methods = facts.classes[0]!.methods;
    const run = calls.filter((c) => /^\$(this|other)->(after|on|map)\(/.test(textOf(c)));
    expect(run.map((c) => `${textOf(c).slice(0, 12)}:${ownKeeperMethod(c, methods)}`)).toEqual(['$this->after:true', '$this->on(\'y:true', '$this->map(f:false', '$other->afte:false']);
  });

  it('knows class-level registries of callbacks and their removal', () => {
    const { calls, textOf } = load(`<?php
AnnotationRegistry::registerLoader(fn ($c) => 1); Hooks::addFilterCallback(fn () => 1); spl_autoload_register(fn ($c) => 1);
self::registerLoader(fn () => 1); Route::register('x'); $r->registerLoader(fn () => 1);
`);
    expect(calls.map((c) => staticRegistryOf(c)).filter((r) => r !== null).map((r) => `${textOf(r!.call).slice(0, 20)}:${r!.kind.removal[0]}`)).toEqual([
      'AnnotationRegistry:::unregisterloader', 'Hooks::addFilterCall:removefiltercallback', 'spl_autoload_registe:spl_autoload_unregister',
    ]);
  });
});
