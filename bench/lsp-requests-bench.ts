import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver/node.js';

// npm run bench:lsp-requests -- <file.php> [--edits 500] [--every 10] [--server <dist/server/main.js>]
// Opens the file, waits for its diagnostics, then types fast: `--edits` didChange notifications
// (a space added at the end of a line, never awaited), and every `--every` edits a hover and a
// code action request at the first diagnostic's position. Prints p50/p95 latency of each and how
// many failed (ContentModified or other errors). Also prints the server's RSS before opening a
// large generated document (`--big <MB>`), with it open, and 0.5 s, 3 s and 15 s after it is
// closed (issue 10 point 9: `--edits 0 --big 20`).

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const serverMain = opt('--server') ?? join(here, '..', 'server', 'main.js');
const file = argv.find((a, i) => !a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--'));
if (!file) { process.stderr.write('usage: npm run bench:lsp-requests -- <file.php> [--edits 500] [--every 10] [--big 20]\n'); process.exit(2); }
const edits = Number(opt('--edits') ?? 500);
const every = Number(opt('--every') ?? 10);
const bigMb = Number(opt('--big') ?? 0);

const text0 = readFileSync(file, 'utf8');
const uri = pathToFileURL(resolve(file)).href;
const lines = text0.split(/\r?\n/);
const proc = spawn(process.execPath, [serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const published = new Map<string, PublishDiagnosticsParams>();
const waiters: (() => void)[] = [];
conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { published.set(`${p.uri}@${p.version}`, p); waiters.splice(0).forEach((w) => w()); });
conn.onNotification('window/showMessage', (p: { message: string }) => { process.stdout.write(`showMessage: ${p.message}\n`); });
conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
conn.listen();
const diagnosticsOf = async (u: string, v: number): Promise<Diagnostic[]> => {
  for (;;) {
    const p = published.get(`${u}@${v}`);
    if (p) return p.diagnostics;
    await new Promise<void>((r) => waiters.push(r));
  }
};
const rssMb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

await conn.sendRequest('initialize', {
  processId: process.pid, rootUri: pathToFileURL(dirname(resolve(file))).href,
  capabilities: {
    textDocument: {
      publishDiagnostics: { versionSupport: true },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
      hover: { contentFormat: ['markdown'] },
    },
    workspace: { configuration: true },
  },
});
await conn.sendNotification('initialized', {});
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'php', version: 1, text: text0 } });
const first = await diagnosticsOf(uri, 1);
if (first.length === 0) { process.stderr.write('the file has no diagnostics: pick one with findings\n'); process.exit(2); }
const at = first[0]!.range;
const hover: number[] = [], actions: number[] = [];
let hoverFailed = 0, actionsFailed = 0, hoverEmpty = 0, actionsEmpty = 0;
const pending: Promise<void>[] = [];
const t0 = Date.now();
for (let i = 1; i <= edits; i++) {
  // Edits after the finding's line, so its position stays valid in every version.
  const line = at.end.line + 1 + ((i * 7919) % Math.max(1, lines.length - at.end.line - 2));
  const col = lines[line]!.length;
  void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 1 }, contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col } }, text: ' ' }] });
  lines[line] += ' ';
  if (i % every === 0) {
    const h0 = Date.now();
    pending.push(conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: at.start }).then(
      (r) => { hover.push(Date.now() - h0); if (!r) hoverEmpty++; }, () => { hover.push(Date.now() - h0); hoverFailed++; }));
    const a0 = Date.now();
    pending.push(conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: at, context: { diagnostics: [first[0]], triggerKind: 2 } }).then(
      (r) => { actions.push(Date.now() - a0); if (!Array.isArray(r) || r.length === 0) actionsEmpty++; }, () => { actions.push(Date.now() - a0); actionsFailed++; }));
  }
  await sleep(2); // a fast typist's keystrokes arrive a few ms apart, not all in one buffer
}
await Promise.all(pending);
const typed = Date.now() - t0;
process.stdout.write(`${edits} edits in ${typed} ms; hover ×${hover.length}: p50 ${pct(hover, 50)} ms, p95 ${pct(hover, 95)} ms, ${hoverFailed} failed, ${hoverEmpty} empty\n`);
process.stdout.write(`code actions ×${actions.length}: p50 ${pct(actions, 50)} ms, p95 ${pct(actions, 95)} ms, ${actionsFailed} failed (content modified), ${actionsEmpty} empty\n`);

if (bigMb > 0) {
  const bigUri = pathToFileURL(resolve(dirname(resolve(file)), 'phpleak-bench-Big.php')).href;
  const big = `<?php\n${'$rows[] = strtoupper($line) . " " . trim($other);\n'.repeat(Math.ceil((bigMb * 1024 * 1024) / 50))}`;
  await sleep(1000);
  const before = rssMb();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: bigUri, languageId: 'php', version: 1, text: big } });
  const ds = await diagnosticsOf(bigUri, 1);
  await sleep(1000);
  const open = rssMb();
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri: bigUri } });
  await sleep(500);
  const closedHalf = rssMb();
  await sleep(2500);
  const closed3 = rssMb();
  await sleep(12_000);
  process.stdout.write(`${bigMb} MB document: ${ds.map((d) => `${d.code}: ${d.message}`).join('; ')}\nRSS: ${before.toFixed(0)} MB before, ${open.toFixed(0)} MB open, ${closedHalf.toFixed(0)} MB 0.5 s after close, ${closed3.toFixed(0)} MB 3 s after close, ${rssMb().toFixed(0)} MB 15 s after close\n`);
}
await conn.sendRequest('shutdown', null).catch(() => undefined);
await conn.sendNotification('exit', null).catch(() => undefined);
conn.dispose();
proc.kill();
