import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type Diagnostic, type Hover } from 'vscode-languageserver/node.js';
import { DUMPS, NO_DUMPS, ROOT } from '../helpers/heap.js';
import { LspClient, tempRoot } from './lsp-client.js';

// Heap evidence in the language server over real stdio: phpleak.json `heapDumps` names the
// shared php-meminfo dumps; findings at a growing container's declaration carry the numbers
// (related information and hover), growth no rule caught is an information diagnostic, and a
// new dump on disk is picked up without a restart.

const clients: LspClient[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.stop())); });

/** A workspace with a scenario's code and copies of its dumps (small; in a temp folder, never the repo). */
function workspace(scenario: string, dumps: [string, string]): string {
  const root = tempRoot();
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'var'));
  copyFileSync(join(ROOT, 'fixtures', 'heap', scenario, `${scenario}.php`), join(root, 'src', `${scenario}.php`));
  copyFileSync(join(DUMPS!, dumps[0]), join(root, 'var', 'before.json'));
  copyFileSync(join(DUMPS!, dumps[1]), join(root, 'var', 'after.json'));
  writeFileSync(join(root, 'phpleak.json'), JSON.stringify({ heapDumps: ['var/before.json', 'var/after.json'] }));
  return root;
}

const latest = (c: LspClient, uri: string, pred: (ds: Diagnostic[]) => boolean, what: string): Promise<Diagnostic[]> =>
  c.waitFor(() => { const d = c.publishesFor(uri).at(-1)?.diagnostics; return d && pred(d) ? d : undefined; }, what, 30_000);

describe.skipIf(!DUMPS)(`phpleak-lsp heap evidence${DUMPS ? '' : ` (skipped: ${NO_DUMPS})`}`, { timeout: 120_000 }, () => {
  it('talk-cache: the cache finding carries its growth (related information and hover)', async () => {
    const root = workspace('talk-cache', ['talk-cache-1000.json', 'talk-cache-2000.json']);
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/talk-cache.php');
    const text = readFileSync(join(root, 'src', 'talk-cache.php'), 'utf8');
    await c.open(uri, text);
    const ds = await latest(c, uri, (d) => d.some((x) => x.code === 'unbounded-cache' && (x.relatedInformation ?? []).some((r) => r.message.startsWith('heap:'))), 'unbounded-cache with heap evidence');
    const d = ds.find((x) => x.code === 'unbounded-cache')!;
    expect(d.range.start).toEqual({ line: 9, character: 59 });
    const heap = d.relatedInformation!.filter((r) => r.message.startsWith('heap:'));
    expect(heap.map((r) => [r.location.uri, r.location.range.start, r.message])).toEqual([[
      uri, { line: 7, character: 12 },
      'heap: +1,000 entries in $service->cache->items between the dumps, 288.1 KB retained (+144.5 KB)',
    ]]);
    const hover = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 9, character: 62 } });
    expect((hover.contents as { value: string }).value).toContain('*Heap dump:* +1,000 entries in $service->cache->items between the dumps, 288.1 KB retained (+144.5 KB)');

  });

  // The new dump is seen by the poll while an analysis of the document may be in flight (the
  // workspace scan asks for one when it indexes the file): that request must still lead to one
  // more analysis, with the new dump, and its publish.
  it('talk-cache: the evidence follows a new "after" dump without a restart', async () => {
    const root = workspace('talk-cache', ['talk-cache-1000.json', 'talk-cache-2000.json']);
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/talk-cache.php');
    await c.open(uri, readFileSync(join(root, 'src', 'talk-cache.php'), 'utf8'));
    await latest(c, uri, (d) => d.some((x) => (x.relatedInformation ?? []).some((r) => r.message.startsWith('heap:'))), 'a finding with heap evidence');
    // A new "after" dump (the same worker, no growth since): the evidence follows without a restart.
    const tmp = join(root, 'var', 'after.json.tmp');
    copyFileSync(join(DUMPS!, 'talk-cache-1000.json'), tmp);
    renameSync(tmp, join(root, 'var', 'after.json'));
    const again = await latest(c, uri, (x) => x.some((y) => (y.relatedInformation ?? []).some((r) => r.message.includes('did not grow'))), 'evidence from the new dump');
    expect(again.find((x) => x.code === 'unbounded-cache')!.relatedInformation!.filter((r) => r.message.startsWith('heap:')).map((r) => r.message))
      .toEqual(['heap: $service->cache->items did not grow between the dumps (1,000 entries, 143.5 KB retained)']);
  });

  it('static-registry: both static registries are findings, each carries its growth; no heap-growth', async () => {
    const root = workspace('static-registry', ['static-registry-1000.json', 'static-registry-2000.json']);
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/static-registry.php');
    await c.open(uri, readFileSync(join(root, 'src', 'static-registry.php'), 'utf8'));
    const ds = await latest(c, uri, (d) => d.some((x) => (x.relatedInformation ?? []).some((r) => r.message.startsWith('heap:'))), 'a finding with heap evidence');
    expect(ds.filter((x) => x.code === 'unbounded-cache').map((x) => [x.range.start, x.relatedInformation!.filter((r) => r.message.startsWith('heap:')).map((r) => r.message)])).toEqual([
      [{ line: 5, character: 57 }, ['heap: +1,000 entries in EventRecorder::$events between the dumps, 237.3 KB retained (+119.1 KB)']],
      [{ line: 12, character: 15 }, ['heap: +1,000 entries in Slugger::$memo between the dumps, 65.4 KB retained (+33.2 KB)']],
    ]);
    expect(ds.filter((x) => x.code === 'heap-growth')).toEqual([]);
  });

  it('listeners: growth no rule flags is an information diagnostic at the declaration', async () => {
    const root = workspace('listeners', ['listeners-1000.json', 'listeners-2000.json']);
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/listeners.php');
    await c.open(uri, readFileSync(join(root, 'src', 'listeners.php'), 'utf8'));
    const ds = await latest(c, uri, (d) => d.some((x) => x.code === 'heap-growth'), 'a heap-growth diagnostic');
    expect(ds.filter((x) => x.code === 'heap-growth').map((x) => [x.range.start, x.severity, x.message])).toEqual([[
      { line: 4, character: 12 }, DiagnosticSeverity.Information,
      'Dispatcher::$listeners grew between the heap dumps and no rule flags it (the static analysis missed it): +1,000 entries in $events->listeners[\'terminate\'] between the dumps, 1.5 MB retained (+757.8 KB)',
    ]]);
    // Evidence, not a rule: no "Ignore heap-growth" comment (it would be an unknown rule id).
    const growth = ds.find((x) => x.code === 'heap-growth')!;
    const actions = await c.request<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri }, range: growth.range, context: { diagnostics: [growth] } });
    expect(actions.map((a) => a.title).filter((t) => t.includes('heap-growth'))).toEqual([]);
  });

  it('a heapDumps entry that is not a dump: one warning, the diagnostics stay', async () => {
    const root = workspace('talk-cache', ['talk-cache-1000.json', 'talk-cache-2000.json']);
    writeFileSync(join(root, 'var', 'after.json'), '<html>not a dump</html>');
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/talk-cache.php');
    await c.open(uri, readFileSync(join(root, 'src', 'talk-cache.php'), 'utf8'));
    await c.waitFor(() => c.messages.find((m) => m.message.includes('heapDumps')), 'a warning', 30_000);
    expect(c.messages.map((m) => m.message)).toEqual([`phpleak: heapDumps: ${join(root, 'var', 'after.json')}: not a php-meminfo dump: not JSON (unexpected "<" at byte 0). No heap evidence until it is fixed.`]);
    const ds = await latest(c, uri, (d) => d.some((x) => x.code === 'unbounded-cache'), 'the unbounded-cache diagnostic');
    expect(ds.find((x) => x.code === 'unbounded-cache')!.relatedInformation!.some((r) => r.message.startsWith('heap:'))).toBe(false);
  });
});
