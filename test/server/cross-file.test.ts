import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node.js';
import { CACHE, SERVICE, WORKER } from '../helpers/talk.js';
import { LspClient, tempRoot } from './lsp-client.js';

// Cross-file in the language server, over stdio: the workspace is indexed in the background,
// so ArrayBasedCache.php, opened alone, names the worker that keeps it alive; editing the
// holder in the editor updates the index and the cache's diagnostics.

const clients: LspClient[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.stop())); });

function workspace(files: Record<string, string>): string {
  const root = tempRoot();
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  return root;
}

const cacheDiag = (c: LspClient, uri: string, pred: (d: Diagnostic) => boolean): Promise<Diagnostic> => c.waitFor(() => {
  const last = c.publishesFor(uri).at(-1);
  return last?.diagnostics.find((d) => d.code === 'unbounded-cache' && pred(d));
}, 'an unbounded-cache diagnostic', 20_000);

describe('phpleak-lsp cross-file', () => {
  it('names the long-running holders of a cache class opened alone, and follows edits of the holder', async () => {
    const root = workspace({ 'src/Cache/ArrayBasedCache.php': CACHE, 'src/UserService.php': SERVICE, 'bin/worker.php': WORKER, 'vendor/x/Ignored.php': '<?php\n' });
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/Cache/ArrayBasedCache.php');
    await c.open(uri, CACHE);
    const d = await cacheDiag(c, uri, (x) => x.severity === DiagnosticSeverity.Error);
    expect(d.message.split('\n')[0]).toBe('`$this->cache` grows per key, never evicted: keyed by `$key` of the public `ArrayBasedCache::set()`, a cache of its callers\' keys');
    // The details, first in the related information, say why it is an error.
    expect(d.relatedInformation?.[0]?.location.uri).toBe(uri);
    expect(d.relatedInformation?.[0]?.message).toContain('`ArrayBasedCache` is kept alive by `UserService` (src/UserService.php:8), held by bin/worker.php, a worker loop around `pop()` (line 5)');
    const related = (d.relatedInformation ?? []).filter((r) => r.location.uri !== uri);
    expect(related.map((r) => [r.location.uri, r.location.range.start.line])).toEqual([
      [pathToFileURL(join(root, 'src/UserService.php')).href, 7],
      [pathToFileURL(join(root, 'bin/worker.php')).href, 3],
      // The caller that hands set() its key (engine/project-callers.ts).
      [pathToFileURL(join(root, 'src/UserService.php')).href, 18],
    ]);
    expect(related[0]!.message).toBe('kept alive by `UserService`, which holds `ArrayBasedCache` here');
    expect(related[2]!.message).toBe('called here with `$id` of the public `UserService::getUser()`');

    // The holder is edited in the editor and no longer holds the cache: back to the default.
    const service = c.uri('src/UserService.php');
    const plain = SERVICE.replace(/ArrayBasedCache/g, 'OtherStore');
    await c.open(service, plain);
    const w = await cacheDiag(c, uri, (x) => x.severity === DiagnosticSeverity.Warning);
    expect(w.message).not.toMatch(/kept alive/);
    expect(w.relatedInformation?.[0]?.message).not.toMatch(/kept alive/);
    expect((w.relatedInformation ?? []).filter((r) => r.location.uri !== uri).map((r) => r.message)).toEqual(['called here with `$id` of the public `UserService::getUser()`']);
    // And it holds it again.
    await c.change(service, 2, [{ text: SERVICE }]);
    await cacheDiag(c, uri, (x) => x.severity === DiagnosticSeverity.Error);
  });

  it('drops the cache of a class every caller makes per call, and brings it back when an edit keeps one', async () => {
    const enricher = '<?php\nnamespace App;\n\nfinal class LinkEnricher\n{\n    private array $previews = [];\n\n    public function previewOf(string $url): array\n    {\n        return $this->previews[$url] ??= [\'url\' => $url];\n    }\n}\n';
    const perCall = '<?php\nnamespace App;\n\nfinal class PostController\n{\n    public function show(array $post): array\n    {\n        $e = new LinkEnricher();\n        return $e->previewOf($post[\'link\']);\n    }\n}\n';
    const kept = perCall.replace('$e = new LinkEnricher();', '$e = $this->e ??= new LinkEnricher();');
    const root = workspace({ 'src/LinkEnricher.php': enricher, 'src/PostController.php': perCall });
    const c = await LspClient.start({ root });
    clients.push(c);
    const uri = c.uri('src/LinkEnricher.php');
    const controller = c.uri('src/PostController.php');
    await c.open(uri, enricher);
    // Once the workspace is indexed, the only caller makes it per call: no diagnostic.
    await c.waitFor(() => { const last = c.publishesFor(uri).at(-1); return last && last.diagnostics.length === 0 ? last : undefined; }, 'no diagnostics', 20_000);
    await c.open(controller, kept);
    const d = await cacheDiag(c, uri, (x) => x.severity === DiagnosticSeverity.Warning);
    expect(d.range.start).toEqual({ line: 9, character: 15 });
    await c.change(controller, 2, [{ text: perCall }]);
    await c.waitFor(() => { const last = c.publishesFor(uri).at(-1); return last && last.diagnostics.length === 0 ? last : undefined; }, 'no diagnostics again', 20_000);
  });
});
