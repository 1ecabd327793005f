import { mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, FileChangeType, MessageType, type Diagnostic } from 'vscode-languageserver/node.js';
import type { ServerStats } from '../../server/debug-stats.js';
import { CACHE, SERVICE, WORKER } from '../helpers/talk.js';
import { LspClient, tempRoot } from './lsp-client.js';

// The background workspace index over stdio: every file (the index once stopped at 2,000),
// persisted in the index cache folder so a restart reads only what changed, a corrupt or
// foreign cache file ignored, and files changed on disk or saved indexed again, in memory
// and on disk.

const clients: LspClient[] = [];
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.stop())); });

/** Generated classes before the holders: the holders are past the 2,000th file of the walk. */
const GENERATED = 2_100;
const FILES = GENERATED + 3;

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

function workspace(): string {
  const root = tempRoot();
  for (let i = 0; i < GENERATED; i++) {
    const n = String(i).padStart(4, '0');
    write(root, `a/Gen${n.slice(0, 2)}/Part${n}.php`, `<?php\nnamespace App\\Gen;\n\nfinal class Part${n}\n{\n    private array $items = [];\n\n    public function add(string $v): void { $this->items[] = $v; }\n}\n`);
  }
  write(root, 'src/Cache/ArrayBasedCache.php', CACHE);
  write(root, 'zz/UserService.php', SERVICE);
  write(root, 'zz/worker.php', WORKER);
  return root;
}

/** The talk's three files: a cache, the service that holds it, a worker that holds the service. */
function smallProject(): string {
  const root = tempRoot();
  write(root, 'src/Cache/ArrayBasedCache.php', CACHE);
  write(root, 'src/UserService.php', SERVICE);
  write(root, 'bin/worker.php', WORKER);
  return root;
}

async function start(root: string, cacheDir: string): Promise<LspClient> {
  const c = await LspClient.start({ root, initializationOptions: { indexCacheDir: cacheDir } });
  clients.push(c);
  return c;
}

async function indexed(c: LspClient, ms = 180_000): Promise<ServerStats['index']> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await c.request<ServerStats>('phpleak/stats', null);
    if (s.index.done) return s.index;
    if (Date.now() > until) throw new Error(`not indexed after ${ms} ms: ${JSON.stringify(s.index)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const cacheDiag = (c: LspClient, uri: string, severity: DiagnosticSeverity): Promise<Diagnostic> => c.waitFor(() => {
  const last = c.publishesFor(uri).at(-1);
  return last?.diagnostics.find((d) => d.code === 'unbounded-cache' && d.severity === severity);
}, `an unbounded-cache diagnostic of severity ${severity}`, 180_000);

const KEPT = '`ArrayBasedCache` is kept alive by `UserService` (zz/UserService.php:8), held by zz/worker.php, a worker loop around `pop()` (line 5)';

function indexLines(cacheDir: string): { file: string; lines: string[] } {
  const names = readdirSync(cacheDir).filter((n) => /^index-[0-9a-f]{16}\.jsonl$/.test(n));
  expect(names).toHaveLength(1);
  const file = join(cacheDir, names[0]!);
  return { file, lines: readFileSync(file, 'utf8').trim().split('\n') };
}

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

describe('phpleak-lsp workspace index', () => {
  it('indexes every file, persists the index, and re-reads only changed files after a restart', { timeout: 600_000 }, async () => {
    const root = workspace();
    const cacheDir = tempRoot();
    const c = await start(root, cacheDir);
    const uri = c.uri('src/Cache/ArrayBasedCache.php');
    await c.open(uri, CACHE);
    const first = await indexed(c);
    expect(first).toMatchObject({ done: true, files: FILES, fromCache: 0, read: FILES - 1, linted: FILES - 1, failed: 0 });
    const d = await cacheDiag(c, uri, DiagnosticSeverity.Error);
    expect(d.relatedInformation?.[0]?.message).toContain(KEPT);
    await c.stop();

    // On disk: a header, then one line per file indexed from disk (the open document is not).
    const { lines } = indexLines(cacheDir);
    expect(JSON.parse(lines[0]!)).toMatchObject({ phpleakIndex: 1, roots: [root] });
    expect(lines).toHaveLength(FILES);
    const service = lines.map((l) => JSON.parse(l) as { p?: string; h?: string; s?: { holds: { held: string }[] } }).find((e) => e.p === join(root, 'zz/UserService.php'));
    expect(service?.h).toBe(sha1(SERVICE));
    expect(service?.s?.holds.map((h) => h.held)).toEqual(['App\\Cache\\ArrayBasedCache', 'PDO', 'App\\Cache\\ArrayBasedCache']);

    // One file changed while the server was down: only it (and the file open before, never
    // persisted) is read again.
    write(root, 'a/Gen00/Part0007.php', '<?php\nfinal class Part0007 {}\n');
    const again = await start(root, cacheDir);
    const second = await indexed(again);
    expect(second).toMatchObject({ done: true, files: FILES, fromCache: FILES - 2, read: 2, linted: 2, failed: 0 });
    await again.open(uri, CACHE);
    expect((await cacheDiag(again, uri, DiagnosticSeverity.Error)).relatedInformation?.[0]?.message).toContain(KEPT);
  });

  it('ignores a corrupt or foreign index file and indexes the workspace again', { timeout: 600_000 }, async () => {
    const root = smallProject();
    const cacheDir = tempRoot();
    const c = await start(root, cacheDir);
    expect(await indexed(c)).toMatchObject({ files: 3, linted: 3 });
    await c.stop();
    const { file, lines } = indexLines(cacheDir);
    expect(lines).toHaveLength(4);

    writeFileSync(file, '{"phpleakIndex":1,"vers\u0000ion');
    const corrupt = await start(root, cacheDir);
    expect(await indexed(corrupt)).toMatchObject({ files: 3, fromCache: 0, linted: 3, failed: 0 });
    expect(corrupt.logs.map((l) => l.message)).toContain(`phpleak: the workspace index ${file} is corrupt; the workspace is indexed again`);
    await corrupt.stop();
    expect(indexLines(cacheDir).lines).toHaveLength(4);

    // Another phpleak version wrote it: not used, no warning; a bad entry line is one miss.
    const [header, ...entries] = indexLines(cacheDir).lines;
    writeFileSync(file, [header, entries[0], '{"p":1}', entries[2]].join('\n'));
    const partial = await start(root, cacheDir);
    expect(await indexed(partial)).toMatchObject({ files: 3, fromCache: 2, linted: 1 });
    await partial.stop();
    writeFileSync(file, [JSON.stringify({ ...JSON.parse(header!), version: '0.0.0-other' }), ...entries].join('\n'));
    const foreign = await start(root, cacheDir);
    expect(await indexed(foreign)).toMatchObject({ files: 3, fromCache: 0, linted: 3 });
    expect(foreign.logs.filter((l) => l.type === MessageType.Warning)).toEqual([]);
  });

  it('follows files changed on disk and saved documents, in memory and on disk', { timeout: 600_000 }, async () => {
    const root = smallProject();
    const cacheDir = tempRoot();
    const c = await start(root, cacheDir);
    const uri = c.uri('src/Cache/ArrayBasedCache.php');
    await c.open(uri, CACHE);
    await indexed(c);
    await cacheDiag(c, uri, DiagnosticSeverity.Error);

    // A checkout changes the holder on disk: the watcher's event re-indexes it.
    const plain = SERVICE.replace(/ArrayBasedCache/g, 'OtherStore');
    write(root, 'src/UserService.php', plain);
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: c.uri('src/UserService.php'), type: FileChangeType.Changed }] });
    await cacheDiag(c, uri, DiagnosticSeverity.Warning);
    const entry = (): { h: string } | undefined => indexLines(cacheDir).lines.map((l) => JSON.parse(l) as { p?: string; h: string }).find((e) => e.p === join(root, 'src/UserService.php'));
    await expect.poll(() => entry()?.h, { timeout: 20_000 }).toBe(sha1(plain));

    // The holder is edited in the editor and saved: the index on disk takes the saved file.
    const service = c.uri('src/UserService.php');
    await c.open(service, plain);
    await c.change(service, 2, [{ text: SERVICE }]);
    await cacheDiag(c, uri, DiagnosticSeverity.Error);
    write(root, 'src/UserService.php', SERVICE);
    await c.notify('textDocument/didSave', { textDocument: { uri: service } });
    await expect.poll(() => entry()?.h, { timeout: 20_000 }).toBe(sha1(SERVICE));

    // Deleted: gone from the index, and the cache is no longer kept alive.
    await c.close(service);
    unlinkSync(join(root, 'src/UserService.php'));
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: service, type: FileChangeType.Deleted }] });
    await cacheDiag(c, uri, DiagnosticSeverity.Warning);
    await expect.poll(() => entry(), { timeout: 20_000 }).toBeUndefined();
  });

  it('follows symbolic links to folders once, and never loops on a link to a parent', { timeout: 600_000 }, async () => {
    const project = smallProject();
    const root = tempRoot();
    symlinkSync(project, join(root, 'app'));
    symlinkSync(project, join(root, 'app-again'));
    symlinkSync(root, join(project, 'src', 'up'));
    const c = await start(root, tempRoot());
    const uri = pathToFileURL(join(root, 'app/src/Cache/ArrayBasedCache.php')).href;
    await c.open(uri, CACHE);
    expect(await indexed(c)).toMatchObject({ files: 3, failed: 0 });
    const d = await cacheDiag(c, uri, DiagnosticSeverity.Error);
    expect(d.relatedInformation?.[0]?.message).toContain('`ArrayBasedCache` is kept alive by `UserService` (app/src/UserService.php:8), held by app/bin/worker.php');
  });
});
