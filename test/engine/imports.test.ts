import { describe, expect, it } from 'vitest';
import { parsePhp } from '../../engine/parse.js';
import { walk } from '../../engine/walk.js';
import { attributesOf, resolveClassName, resolvedName } from '../../engine/facts/imports.js';
import type { PhpNode } from '../../engine/nodes.js';

function collect(text: string, kind: PhpNode['kind']): PhpNode[] {
  const parsed = parsePhp(text, 't.php');
  if (!parsed.ok) throw new Error('parse');
  const out: PhpNode[] = [];
  walk(parsed.program, { enter: new Map([[kind, [(n: PhpNode) => { out.push(n); }]]]), exit: new Map() });
  return out;
}

describe('class name resolution', () => {
  const text = `<?php
namespace App\\Worker;
use Monolog\\Handler\\{BufferHandler, FingersCrossedHandler as FC};
use Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler;
use Psr\\Log;
#[AsMessageHandler]
final class H {
  public function __invoke() {
    new BufferHandler($a); new FC($b); new \\Monolog\\Logger('x'); new Local(); new Log\\NullLogger(); new namespace\\Sub\\X(); new static();
  }
}`;
  it('resolves imports, group imports, aliases, qualified and relative names, from a new node enter handler', () => {
    const names = collect(text, 'new').map((n) => n.kind === 'new' ? resolvedName(n.what) : null);
    expect(names).toEqual([
      'Monolog\\Handler\\BufferHandler', 'Monolog\\Handler\\FingersCrossedHandler', 'Monolog\\Logger',
      'App\\Worker\\Local', 'Psr\\Log\\NullLogger', 'App\\Worker\\Sub\\X', null,
    ]);
  });
  it('resolves attributes on declarations', () => {
    const cls = collect(text, 'class')[0]!;
    expect(attributesOf(cls).map((a) => a.name)).toEqual(['Symfony\\Component\\Messenger\\Attribute\\AsMessageHandler']);
  });
  it('keeps self/static/parent and global names outside a namespace', () => {
    const [n] = collect('<?php new Foo();', 'new');
    expect(resolveClassName('Foo', n!)).toBe('Foo');
    expect(resolveClassName('static', n!)).toBe('static');
  });
});
