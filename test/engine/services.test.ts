import { describe, expect, it } from 'vitest';
import { factsOf } from '../helpers/facts.js';
import { methodsRunPerJob, sharedServiceOf } from '../../engine/facts/services.js';

function services(text: string): Record<string, string> {
  const { facts } = factsOf(text);
  const out: Record<string, string> = {};
  for (const c of facts.classes) {
    const s = sharedServiceOf(c, facts);
    out[c.name ?? '?'] = s ? `${s.kind}:${[...methodsRunPerJob(c, s.entries).keys()].sort().join(',')}` : 'none';
  }
  return out;
}

describe('sharedServiceOf', () => {
  it('recognises handlers, listeners, subscribers, container-built services and singletons, with their per-job methods', () => {
    expect(services(`<?php
namespace App;
use Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler;
use Symfony\\Component\\EventDispatcher\\Attribute\\AsEventListener;
use Symfony\\Component\\EventDispatcher\\EventSubscriberInterface;
use Psr\\Log\\LoggerInterface;
#[AsMessageHandler] final class A { public function __invoke($m) { $this->helper(); } private function helper() {} public function other() {} }
final class B { #[AsEventListener] public function onThing($e) {} public function notAListener() {} }
final class C implements EventSubscriberInterface { public static function getSubscribedEvents(): array { return ['x' => ['handleX', 10]]; } public function handleX() {} public function onY() {} }
final class D { public function __construct(private LoggerInterface $l) {} public function handle($r) {} }
final class E { public function add($x) {} public function setUp($x) {} }
final class F { public function __invoke() {} }
abstract class G { #[AsMessageHandler] public function __invoke($m) {} }
$app->singleton(E::class);
`)).toEqual({
      A: 'message-handler:__invoke,helper', B: 'event-listener:onthing', C: 'event-subscriber:handlex', D: 'invokable-service:handle',
      E: 'laravel-singleton:add', F: 'none', G: 'none',
    });
  });
});
