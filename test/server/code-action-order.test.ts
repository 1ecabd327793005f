import { describe, expect, it } from 'vitest';
import type { CodeAction } from 'vscode-languageserver/node.js';
import { clientStarter } from './lsp-client.js';

// The order of quick fixes (issue 13 point 7): clients list code actions in the order the server
// sends them (Neovim numbers them), so the preferred safe fix comes first, unsafe fixes after
// every safe one, the ignore comment last.

const start = clientStarter();

const prices = [
  '<?php',
  '',
  'final class Prices',
  '{',
  '    private array $cache = [];',
  '',
  '    public function price(object $product): float',
  '    {',
  '        return $this->cache[(string) $product] ??= $this->compute($product);',
  '    }',
  '',
  '    private function compute(object $product): float',
  '    {',
  '        return 1.5;',
  '    }',
  '}',
  '',
].join('\n');

describe('quick fix order', () => {
  it('the preferred safe fix first, the unsafe WeakMap fix after it, the ignore last', async () => {
    const c = await start();
    const uri = c.write('src/Prices.php', prices);
    await c.open(uri, prices, 1);
    const d = (await c.diagnosticsFor(uri, 1)).find((x) => x.code === 'unbounded-cache')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] },
    });
    expect(actions.map((a) => [a.title, a.isPreferred ?? false])).toEqual([
      // The rule lists the WeakMap fix first; the server sends the safe one first.
      ['Evict the oldest entry when $this->cache reaches self::MAX_CACHE_ENTRIES entries', true],
      ['Key $this->cache by object with a \\WeakMap (an entry goes when its key object is freed) (unsafe: changes behaviour)', false],
      ['Ignore unbounded-cache on this line', false],
    ]);
  });
});
