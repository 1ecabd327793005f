import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node.js';
import type { ServerStats } from '../../server/debug-stats.js';
import { LspClient, repoRoot } from './lsp-client.js';
import { brief, expected, Mirror } from './oracle.js';
import { frame, RawServer } from './raw-wire.js';

// The server under abuse over real stdio: bursts of edits, edits that do not fit the document,
// huge documents, cancellation sent with the request.

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

const clients: LspClient[] = [];
async function start(...a: Parameters<typeof LspClient.start>): Promise<LspClient> {
  const c = await LspClient.start(...a);
  clients.push(c);
  return c;
}
const raws: RawServer[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all(raws.splice(0).map((s) => s.stop()));
});

const stats = (c: LspClient): Promise<ServerStats> => c.request<ServerStats>('phpleak/stats', null);

describe('phpleak-lsp under a burst of edits', () => {
  it('analyses the first of 200 rapid didChange notifications at once, and collapses the other 199 into one analysis of the last version', async () => {
    const c = await start({ settings: { debounceMs: 150 } });
    const uri = c.write('src/Importer.php', demo);
    const m = new Mirror(uri, demo);
    await c.open(uri, demo, 1);
    await c.diagnosticsFor(uri, 1);
    const before = (await stats(c)).analyses;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      // type a comment at the end of the first line, one character per edit
      const line0 = m.text.split('\n')[0]!.length;
      const change: TextDocumentContentChangeEvent = { range: { start: { line: 0, character: line0 }, end: { line: 0, character: line0 } }, text: i === 0 ? ' //' : 'x' };
      sends.push(c.change(uri, m.apply([change]), [change]));
    }
    await Promise.all(sends);
    const last = m.version;
    expect(last).toBe(201);
    const ds = await c.diagnosticsFor(uri, last);
    expect(brief(ds)).toEqual(expected(m.text));
    await new Promise((r) => setTimeout(r, 300));
    const after = await stats(c);
    // The first change came after a quiet moment: analysed without waiting (server/scheduler.ts).
    expect(after.analyses - before).toBe(2);
    expect(c.publishesFor(uri).map((p) => p.version)).toEqual([1, 2, 201]);
    expect(after.documents).toEqual([{ uri, version: 201, length: m.text.length, sha1: sha1(m.text) }]);
  });
});

describe('phpleak-lsp when the last document closes', () => {
  it('ends its lint workers a few seconds later (their heaps hold the trees let go of), and starts one again on the next open', async () => {
    const c = await start({ settings: { debounceMs: 0 } });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    const first = brief(await c.diagnosticsFor(uri, 1));
    expect((await stats(c)).lintWorkers).toBeGreaterThan(0);
    await c.close(uri);
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await stats(c)).lintWorkers).toBe(0);
    await c.open(uri, demo, 2);
    expect(brief(await c.diagnosticsFor(uri, 2))).toEqual(first);
    expect((await stats(c)).lintWorkers).toBeGreaterThan(0);
  }, 30_000);
});

describe('phpleak-lsp on edits that do not fit the document', () => {
  it('rejects an out-of-range or malformed incremental edit as a whole, keeps the text, and applies the next good edit', async () => {
    const c = await start({ settings: { debounceMs: 0 } });
    const text = '<?php\ngc_disable();\n$a = 1;\n';
    const uri = c.write('a.php', text);
    await c.open(uri, text, 1);
    await c.diagnosticsFor(uri, 1);
    const r = (sl: number, sc: number, el = sl, ec = sc) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });
    const bad: [string, unknown[]][] = [
      ['a line past the end', [{ range: r(50, 0), text: '$x = ;' }]],
      ['a negative character', [{ range: r(1, -3), text: 'x' }]],
      ['a fractional line', [{ range: r(1.5, 0), text: 'x' }]],
      ['a position that is not a number', [{ range: { start: { line: '1', character: 0 }, end: { line: 1, character: 0 } }, text: 'x' }]],
      ['a range that ends before it starts', [{ range: r(2, 0, 1, 0), text: 'x' }]],
      ['text that is not a string', [{ range: r(1, 0), text: 42 }]],
      ['a good change followed by a bad one (the good one is undone too)', [{ range: r(1, 0), text: '$ok = ;\n' }, { range: r(99, 0), text: 'x' }]],
      ['character 1 on the line after the last', [{ range: r(4, 1), text: 'x' }]],
    ];
    let v = 2;
    for (const [, changes] of bad) await c.notify('textDocument/didChange', { textDocument: { uri, version: v++ }, contentChanges: changes });
    const s = await stats(c);
    expect(s.documents).toEqual([{ uri, version: 1, length: text.length, sha1: sha1(text) }]);
    const rejected = c.logs.filter((l) => /didChange .* rejected, the document stays at version 1/.test(l.message));
    expect(rejected).toHaveLength(bad.length);
    expect(rejected[0]!.message).toContain('line 50');
    // nothing was analysed or published for the rejected versions
    expect(c.publishesFor(uri).map((p) => p.version)).toEqual([1]);
    // Edges the LSP allows: a character past the line's end (the line's end), and the position
    // just after the last line (the end of the text). Applied as the client's own copy does.
    const m = new Mirror(uri, text);
    const good: TextDocumentContentChangeEvent[] = [{ range: r(1, 40), text: ' // end of line' }, { range: r(4, 0), text: 'gc_enable();\n' }];
    m.apply(good);
    await c.change(uri, v, good);
    const ds = await c.diagnosticsFor(uri, v);
    expect(brief(ds)).toEqual(expected(m.text));
    expect((await stats(c)).documents[0]).toMatchObject({ version: v, sha1: sha1(m.text) });
  });
});

describe('phpleak-lsp with a 5 MB document', () => {
  const big = `<?php\n${'$rows[] = strtoupper($line) . " " . trim($other);\n'.repeat(100_000)}`;

  it('skips it above the size limit with one info diagnostic, and serves other documents within 2 s', async () => {
    expect(big.length).toBeGreaterThan(5_000_000);
    const c = await start({ settings: { debounceMs: 0 } });
    const uri = c.write('src/Big.php', big);
    const small = c.uri('src/Small.php');
    const t = Date.now();
    await c.open(uri, big, 1);
    await c.open(small, '<?php\ngc_disable();\n', 1);
    expect((await c.diagnosticsFor(small, 1)).map((d) => d.code)).toEqual(['gc-disabled']);
    expect(Date.now() - t).toBeLessThan(2000);
    const ds = await c.diagnosticsFor(uri, 1);
    expect(ds.map((d) => [d.code, d.severity, d.message])).toEqual([['file-skipped', 3, expect.stringMatching(/^skipped: larger than 4 MB/)]]);
  });

  it('keeps answering hover, opens and edits of other documents within 2 s while it is analysed (maxFileSize raised)', async () => {
    const c = await start({ settings: { debounceMs: 0 } });
    c.write('phpleak.json', JSON.stringify({ maxFileSize: 16 }));
    // both lint workers started (what is measured is answering while one is busy, not a cold start)
    const warm = [c.uri('src/W1.php'), c.uri('src/W2.php')];
    await Promise.all(warm.map((u) => c.open(u, '<?php\n', 1)));
    await Promise.all(warm.map((u) => c.diagnosticsFor(u, 1)));
    const uri = c.write('src/Big.php', big);
    await c.open(uri, big, 1);
    // edits of the big document keep coming while it is analysed
    const line = 50_000;
    await c.change(uri, 2, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '// edited\n' }]);
    const small = c.uri('src/Small.php');
    const t = Date.now();
    const h = await c.request('textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 0 } });
    expect(h).toBeNull();
    await c.open(small, '<?php\ngc_disable();\n', 1);
    expect((await c.diagnosticsFor(small, 1)).map((d) => d.code)).toEqual(['gc-disabled']);
    expect(Date.now() - t).toBeLessThan(2000);
    // the big document ends with a result or, past the time bound, a logged time-out: never a crash
    await c.waitFor(() => c.publishesFor(uri).some((p) => p.version === 2) || c.logs.some((l) => /did not finish/.test(l.message)), 'the big document settled', 30_000);
    expect(c.proc.exitCode).toBeNull();
  });
});

describe('phpleak-lsp $/cancelRequest', () => {
  it('answers a request cancelled in the same write with -32800 or its result, and ignores cancellations of unknown ids', async () => {
    const s = RawServer.start();
    raws.push(s);
    await s.initialize();
    const uri = 'file:///tmp/phpleak-cancel/a.php';
    s.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'php', version: 1, text: demo } } });
    const action = { jsonrpc: '2.0', id: 1, method: 'textDocument/codeAction', params: { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } } };
    s.write(frame(action) + frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } }) + frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 12345 } }));
    const r = await s.response(1);
    expect(r.error === undefined ? 'result' : r.error.code).toMatch(/^(result|-32800)$/);
    expect(s.responses(1)).toHaveLength(1);
    s.send({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 0, character: 0 } } });
    expect((await s.response(2)).error).toBeUndefined();
    expect(s.badOutput).toBeNull();
  });
});
