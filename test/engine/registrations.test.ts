import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { Facts } from '../../engine/facts/index.js';
import type { Call, Method, PhpNode } from '../../engine/nodes.js';
import { registrationOf } from '../../engine/facts/registrations.js';
import { isPerJobMethod, perRequestConstructor, perResolutionRegistrar } from '../../engine/facts/per-job-entry.js';
import { guardedByOnceFlag } from '../../engine/facts/once-guard.js';

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
