import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hover, MarkupContent } from 'vscode-languageserver/node.js';
import { pushCapabilities, repoRoot, clientStarter } from './lsp-client.js';

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');

const start = clientStarter();

describe('phpleak-lsp hover', () => {
  it('explains the finding under the cursor with the rule\'s docs in Markdown', async () => {
    const c = await start();
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    const ds = await c.diagnosticsFor(uri, 1);
    const evalDiag = ds.find((d) => d.code === 'eval-in-loop')!;
    const inside = { line: evalDiag.range.start.line, character: evalDiag.range.start.character + 2 };
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: inside });
    const md = h.contents as MarkupContent;
    expect(md.kind).toBe('markdown');
    expect(md.value).toContain('[`eval-in-loop`](https://github.com/phpleak/phpleak/blob/main/rules/eval-in-loop.md)');
    expect(md.value).toContain(evalDiag.message.split('\n')[0]);
    // and the details: why, and the measured cost
    expect(md.value).toContain(evalDiag.relatedInformation![0]!.message);
    expect(md.value).toContain('100,000 evals');
    for (const h4 of ['#### What it does', '#### Why is this bad?', '#### Use instead']) expect(md.value).toContain(h4);
    expect(md.value).toContain('```php');
    expect(h.range).toEqual(evalDiag.range);
    const nothing = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    expect(nothing).toBeNull();
  });

  it('answers in plain text to clients without Markdown', async () => {
    const caps = { ...pushCapabilities, textDocument: { ...pushCapabilities.textDocument, hover: { contentFormat: ['plaintext' as const] } } };
    const c = await start({ capabilities: caps });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    const d = (await c.diagnosticsFor(uri, 1)).find((x) => x.code === 'gc-disabled')!;
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: d.range.start });
    expect((h.contents as MarkupContent).kind).toBe('plaintext');
  });
});

describe('phpleak-lsp on input that takes too long', () => {
  // php-parser used to loop forever on some half-typed input (`<?php enum A`); the engine now
  // patches the known cases, and the per-file time bound is the backstop for the unknown ones.
  // A 2 MB file under a 300 ms bound stands in for such an input here.
  const slow = `<?php\n${Array.from({ length: 60_000 }, (_, i) => `$a[] = foo($b${i % 7}, 'c', [1, 2, 3]);`).join('\n')}\n`;

  it('keeps serving while an analysis runs over its time bound, keeps the last good result, and analyses the next text', async () => {
    const c = await start({ initializationOptions: { timeoutMs: 300 }, settings: { debounceMs: 0 } });
    const uri = c.write('src/Importer.php', demo);
    const other = c.write('src/Other.php', '<?php\ngc_disable();\n');
    await c.open(uri, demo, 1);
    const good = await c.diagnosticsFor(uri, 1);
    await c.change(uri, 2, [{ text: slow }]);
    // other requests and other documents are served meanwhile: answered before the bound ends the analysis
    const h = await c.request('textDocument/hover', { textDocument: { uri: other }, position: { line: 0, character: 0 } });
    expect(h).toBeNull();
    expect(c.logs.some((l) => /did not finish/.test(l.message))).toBe(false);
    await c.open(other, '<?php\ngc_disable();\n', 1);
    expect((await c.diagnosticsFor(other, 1)).map((d) => d.code)).toEqual(['gc-disabled']);
    const log = await c.waitFor(() => c.logs.find((l) => /did not finish within 0.3 s/.test(l.message)), 'the time-out log');
    expect(log.message).toContain('(version 2)');
    expect(log.message).toContain('the last result stays');
    expect(c.publishesFor(uri).some((p) => p.version === 2)).toBe(false);
    expect(c.publishesFor(uri).at(-1)!.diagnostics).toEqual(good);
    // the next edit is analysed as usual
    await c.change(uri, 3, [{ text: demo.replace('gc_disable();', '') }]);
    const next = await c.diagnosticsFor(uri, 3);
    expect(next.map((d) => d.code)).not.toContain('gc-disabled');
    expect(next.length).toBe(good.length - 1);
  });
});
