import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver/node.js';
import { markdownToPlainText } from '../../server/plaintext.js';
import { clientStarter, pushCapabilities, repoRoot } from './lsp-client.js';

// Hover content by the client's declared formats (issue 13 point 7): Markdown to clients that
// declare it, plain text without Markdown syntax to the others.

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');
const start = clientStarter();

async function hoverOnEval(capabilities: typeof pushCapabilities): Promise<{ h: Hover; message: string }> {
  const c = await start({ capabilities });
  const uri = c.write('src/Importer.php', demo);
  await c.open(uri, demo, 1);
  const d = (await c.diagnosticsFor(uri, 1)).find((x) => x.code === 'eval-in-loop')!;
  const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: d.range.start });
  return { h, message: d.message };
}

describe('hover content format', () => {
  it('plain text, with no Markdown syntax, to a client that declares only plaintext', async () => {
    const caps = { ...pushCapabilities, textDocument: { ...pushCapabilities.textDocument, hover: { contentFormat: ['plaintext' as const] } } };
    const { h } = await hoverOnEval(caps);
    const m = h.contents as MarkupContent;
    expect(m.kind).toBe('plaintext');
    expect(m.value.split('\n')[0]).toBe('phpleak eval-in-loop (https://github.com/phpleak/phpleak/blob/main/rules/eval-in-loop.md)');
    expect(m.value).toMatch(/^What it does$/m);
    expect(m.value).toMatch(/^Why is this bad\?$/m);
    expect(m.value).toMatch(/^Instead: /m);
    expect(m.value).toMatch(/^ {4}\S.*\beval\(/m);
    for (const syntax of ['**', '`', '####', '](']) expect(m.value, syntax).not.toContain(syntax);
    // And to a client that declares no hover format at all.
    const none = { ...pushCapabilities, textDocument: { ...pushCapabilities.textDocument, hover: {} } };
    expect(((await hoverOnEval(none)).h.contents as MarkupContent)).toEqual(m);
  });

  it('Markdown to a client that declares it', async () => {
    const { h } = await hoverOnEval(pushCapabilities);
    const m = h.contents as MarkupContent;
    expect(m.kind).toBe('markdown');
    expect(m.value.split('\n')[0]).toBe('**phpleak** [`eval-in-loop`](https://github.com/phpleak/phpleak/blob/main/rules/eval-in-loop.md)');
    expect(m.value).toContain('#### What it does');
  });
});

describe('markdownToPlainText', () => {
  it('keeps code literal, drops emphasis and fences, shows link targets', () => {
    expect(markdownToPlainText('Use `$a * $b` and *this*, **that**, __b__, see [`x`](http://u "t").\n\n### Title ###\n\n```php\n$x = 1; // *kept*\n\n$y = 2;\n```\n\n---\n\\*star\\* and a_b_c'))
      .toBe('Use $a * $b and this, that, b, see x (http://u).\n\nTitle\n\n    $x = 1; // *kept*\n\n    $y = 2;\n\n' + '-'.repeat(40) + '\n*star* and a_b_c');
  });
});
