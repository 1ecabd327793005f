import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, type PublishDiagnosticsParams } from 'vscode-languageserver/node.js';
import type { ServerStats } from '../server/debug-stats.js';
import { phpFiles } from '../server/workspace-files.js';
import { pct, sleep } from './lsp-bench-session.js';

// `npm run bench:lsp-index -- <folder>... [--file F] [--pause MS] [--keep-cache DIR]`: the
// language server's background index on a large workspace (the folders are its workspace
// folders). Three servers in one run, each editing the same file the same way:
// 1. no background index: didChange → publishDiagnostics latency, the reference;
// 2. cold: the whole workspace indexed from nothing while the file is edited; time to index,
//    RSS peak while indexing and after, latency while indexing and its ratio to (1);
// 3. warm: restarted on the index persisted by (2); time to index and RSS.
// Latency is serial: one edit, wait for its diagnostics, pause, the next edit.

const serverMain = join(import.meta.dirname, '..', 'server', 'main.js');

interface Options { roots: string[]; file: string | null; pauseMs: number; cacheDir: string | null }

function parseArgs(argv: string[]): Options {
  const o: Options = { roots: [], file: null, pauseMs: 30, cacheDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--file') o.file = resolve(argv[++i]!);
    else if (a === '--pause') o.pauseMs = Number(argv[++i]);
    else if (a === '--keep-cache') o.cacheDir = resolve(argv[++i]!);
    else o.roots.push(resolve(a));
  }
  if (o.roots.length === 0) throw new Error('usage: lsp-index-bench <workspace folder>... [--file F] [--pause MS] [--keep-cache DIR]');
  return o;
}

/** A file of the first folder of 40-200 KB: big enough that its analysis is measurable. */
async function pickFile(root: string): Promise<string> {
  for await (const f of phpFiles([root])) if (f.size >= 40_000 && f.size <= 200_000) return f.path;
  throw new Error(`no PHP file of 40-200 KB in ${root}: pass --file`);
}

class Session {
  private listeners: (() => void)[] = [];
  private readonly published = new Map<number, number>();
  private lines: string[];
  version = 1;
  peakRss = 0;

  private constructor(readonly proc: ChildProcess, readonly conn: MessageConnection, readonly uri: string, text: string) {
    this.lines = text.split('\n');
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      if (p.uri !== uri || p.version === undefined) return;
      if (!this.published.has(p.version)) this.published.set(p.version, performance.now());
      for (const l of this.listeners.splice(0)) l();
    });
  }

  static async start(o: Options, file: string, index: boolean, cacheDir: string): Promise<Session> {
    const proc = spawn(process.execPath, [serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const s = new Session(proc, conn, pathToFileURL(file).href, readFileSync(file, 'utf8'));
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.listen();
    await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(o.roots[0]!).href,
      workspaceFolders: o.roots.map((r) => ({ uri: pathToFileURL(r).href, name: basename(r) })),
      initializationOptions: { workspaceIndex: index, indexCacheDir: cacheDir },
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: s.uri, languageId: 'php', version: 1, text: s.lines.join('\n') } });
    await s.waitPublished(1);
    return s;
  }

  waitPublished(version: number): Promise<number> {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no diagnostics for version ${version}`)), 120_000);
      const check = (): void => {
        const at = [...this.published].find(([v]) => v >= version)?.[1];
        if (at !== undefined) { clearTimeout(timer); res(at); } else this.listeners.push(check);
      };
      check();
    });
  }

  /** One edit (a space added at the end of the first line, or taken away), timed to its diagnostics. */
  async edit(): Promise<number> {
    const add = this.version % 2 === 1;
    const line = this.lines[0]!;
    const col = add ? line.length : line.length - 1;
    this.lines[0] = add ? `${line} ` : line.slice(0, -1);
    const version = ++this.version;
    const t = performance.now();
    await this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: this.uri, version },
      contentChanges: [{ range: { start: { line: 0, character: col }, end: { line: 0, character: add ? col : col + 1 } }, text: add ? ' ' : '' }],
    });
    return (await this.waitPublished(version)) - t;
  }

  stats(): Promise<ServerStats> { return this.conn.sendRequest('phpleak/stats') as Promise<ServerStats>; }

  /** Resident and high-water memory of the server (all its threads), MB. */
  memory(): { rss: number; hwm: number } {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const mb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
    const m = { rss: mb('VmRSS'), hwm: mb('VmHWM') };
    this.peakRss = Math.max(this.peakRss, m.hwm);
    return m;
  }

  async stop(): Promise<void> {
    await this.conn.sendRequest('shutdown').catch(() => undefined);
    await this.conn.sendNotification('exit').catch(() => undefined);
    await new Promise<void>((r) => { if (this.proc.exitCode !== null) r(); else this.proc.once('exit', () => r()); setTimeout(r, 60_000); });
    this.conn.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/** Edits while `more()` holds (at least `min` times); the latencies, ms. */
async function editWhile(s: Session, pauseMs: number, min: number, more: () => boolean): Promise<number[]> {
  const out: number[] = [];
  while (out.length < min || more()) {
    out.push(await s.edit());
    await sleep(pauseMs);
  }
  return out;
}

/** Polls the index until the scan is done; the stats of the end. */
async function untilIndexed(s: Session, onDone: () => void): Promise<ServerStats> {
  for (;;) {
    const st = await s.stats();
    s.memory();
    if (st.index.done) { onDone(); return st; }
    await sleep(500);
  }
}

const fmt = (xs: number[]): string => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `p50 ${pct(sorted, 50).toFixed(1)} ms, p95 ${pct(sorted, 95).toFixed(1)} ms (${xs.length} edits)`;
};
const p = (xs: number[], q: number): number => pct([...xs].sort((a, b) => a - b), q);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const file = o.file ?? await pickFile(o.roots[0]!);
  const cacheDir = o.cacheDir ?? mkdtempSync(join(tmpdir(), 'phpleak-index-bench-'));
  console.log(`workspace: ${o.roots.join(' ')}\nedited file: ${file}\nindex cache: ${cacheDir}\nload average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // Cold: the latency while indexing runs, and the time to index.
  const cold = await Session.start(o, file, true, cacheDir);
  const t0 = performance.now();
  let indexed = false;
  const coldStats = untilIndexed(cold, () => { indexed = true; });
  const during = await editWhile(cold, o.pauseMs, 20, () => !indexed);
  const cs = await coldStats;
  const coldWall = performance.now() - t0;
  await sleep(5_000);
  const coldAfter = cold.memory().rss;
  await cold.stop();
  console.log(`cold: ${cs.index.files} files indexed in ${(cs.index.ms / 1000).toFixed(1)} s (server clock; ${(coldWall / 1000).toFixed(1)} s from the first diagnostics), ${cs.index.linted} analysed, ${cs.index.failed} not indexable`);
  console.log(`cold: RSS peak ${cold.peakRss.toFixed(0)} MB, 5 s after indexing ${coldAfter.toFixed(0)} MB`);

  // Reference: no background index, as many edits (at most 500: enough for a p95).
  const ref = await Session.start(o, file, false, cacheDir);
  const without = await editWhile(ref, o.pauseMs, Math.min(during.length, 500), () => false);
  ref.memory();
  await ref.stop();

  // Warm: the persisted index.
  const warm = await Session.start(o, file, true, cacheDir);
  const w0 = performance.now();
  const ws = await untilIndexed(warm, () => undefined);
  const warmWall = performance.now() - w0;
  await sleep(5_000);
  const warmAfter = warm.memory().rss;
  await warm.stop();
  console.log(`warm: ${ws.index.files} files in ${(ws.index.ms / 1000).toFixed(1)} s (server clock; ${(warmWall / 1000).toFixed(1)} s from the first diagnostics), ${ws.index.fromCache} from the saved index, ${ws.index.read} read, ${ws.index.linted} analysed`);
  console.log(`warm: RSS peak ${warm.peakRss.toFixed(0)} MB, 5 s after indexing ${warmAfter.toFixed(0)} MB`);

  console.log(`didChange -> diagnostics without the index: ${fmt(without)}`);
  console.log(`didChange -> diagnostics while indexing:    ${fmt(during)}`);
  console.log(`ratio while indexing / without: p50 ${(p(during, 50) / p(without, 50)).toFixed(2)}, p95 ${(p(during, 95) / p(without, 95)).toFixed(2)}`);
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (!o.cacheDir) rmSync(cacheDir, { recursive: true, force: true });
}

await main();
