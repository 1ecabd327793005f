import { describe, expect, it } from 'vitest';
import { clientStarter, pullCapabilities } from './lsp-client.js';

// A document above maxFileSize is not analysed: the user is told in a way every editor shows
// (a window message, once per document) besides the information diagnostic at its first line.

const start = clientStarter();
const big = `<?php\n${'$rows[] = strtoupper($line) . " " . trim($other);\n'.repeat(90_000)}`;

describe('phpleak-lsp with a document above maxFileSize', () => {
  it('says so once with window/showMessage and an information diagnostic, also after edits', async () => {
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    const c = await start({ settings: { debounceMs: 0 } });
    const uri = c.uri('src/Big Import.php');
    await c.open(uri, big, 1);
    expect((await c.diagnosticsFor(uri, 1)).map((d) => [d.code, d.severity, d.message, d.range])).toEqual([
      ['file-skipped', 3, 'skipped: larger than 4 MB (set "maxFileSize" in phpleak.json to analyse it)', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }],
    ]);
    await c.waitFor(() => c.messages.length > 0, 'a window message');
    expect(c.messages).toEqual([{ type: 3, message: 'phpleak: Big Import.php is not analysed: larger than 4 MB (set "maxFileSize" in phpleak.json to analyse it)' }]);
    await c.change(uri, 2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '// edited\n' }]);
    expect((await c.diagnosticsFor(uri, 2)).map((d) => d.code)).toEqual(['file-skipped']);
    expect(c.messages).toHaveLength(1);
    // Pull clients get the same diagnostic.
    const p = await start({ capabilities: pullCapabilities, settings: { debounceMs: 0 } });
    await p.open(uri, big, 1);
    const report = await p.request<{ items: { code: string }[] }>('textDocument/diagnostic', { textDocument: { uri } });
    expect(report.items.map((d) => d.code)).toEqual(['file-skipped']);
    await p.waitFor(() => p.messages.length > 0, 'a window message');
  }, 60_000);

  it('"file-skipped": "off" in phpleak.json: no diagnostic, the window message still says it', async () => {
    const c = await start({ settings: { debounceMs: 0 } });
    c.write('phpleak.json', JSON.stringify({ rules: { 'file-skipped': 'off' } }));
    const uri = c.uri('src/Big.php');
    await c.open(uri, big, 1);
    expect(await c.diagnosticsFor(uri, 1)).toEqual([]);
    await c.waitFor(() => c.messages.length > 0, 'a window message');
    expect(c.messages[0]!.message).toMatch(/^phpleak: Big\.php is not analysed: larger than 4 MB/);
  }, 60_000);
});
