import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver/node.js';

// npm run bench:lsp -- <file.php> [--edits 200] [--debounce <ms>]
// Starts phpleak-lsp over stdio, opens the file, then types: each edit adds (or removes again) a
// space at the end of a line somewhere in the file and waits for the publishDiagnostics of that
// version. Prints didChange → publishDiagnostics p50/p95 (debounce included) and the server's
// resident memory (worker threads included) after the edits.

const here = dirname(fileURLToPath(import.meta.url));
const serverMain = join(here, '..', 'server', 'main.js');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const file = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
if (!file) {
  process.stderr.write('usage: npm run bench:lsp -- <file.php> [--edits 200] [--debounce <ms>]\n');
  process.exit(2);
}
const edits = arg('--edits', 200);
const debounce = process.argv.includes('--debounce') ? arg('--debounce', 15) : undefined;

const text0 = readFileSync(file, 'utf8');
const uri = pathToFileURL(resolve(file)).href;
const lines = text0.split(/\r?\n/);

const proc = spawn(process.execPath, [serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const waiting = new Map<number, (p: PublishDiagnosticsParams) => void>();
let lastDiagnostics = 0;
conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
  if (p.uri !== uri || p.version === undefined) return;
  lastDiagnostics = p.diagnostics.length;
  waiting.get(p.version)?.(p);
  waiting.delete(p.version);
});
conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => (debounce === undefined ? null : { debounceMs: debounce })));
conn.listen();

const published = (version: number): Promise<PublishDiagnosticsParams> => new Promise((r) => waiting.set(version, r));

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** User + system CPU time of a process (all its threads), in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms (USER_HZ = 100)
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

await conn.sendRequest('initialize', {
  processId: process.pid, rootUri: pathToFileURL(dirname(resolve(file))).href,
  capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
});
await conn.sendNotification('initialized', {});

let version = 1;
let t = performance.now();
let first = published(version);
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'php', version, text: text0 } });
await first;
const openMs = performance.now() - t;

// Warm-up edits (JIT), not counted.
const latencies: number[] = [];
let cpuStart = 0;
const pending = new Map<number, boolean>(); // line → has an added space
for (let i = 0; i < edits + 20; i++) {
  // Spread the edits over the file; each line gets a space, then loses it again.
  const line = Math.floor(((i >> 1) * 7919) % lines.length);
  const added = pending.get(line) === true;
  const col = lines[line]!.length;
  const change = added
    ? { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' }
    : { range: { start: { line, character: col }, end: { line, character: col } }, text: ' ' };
  pending.set(line, !added);
  version++;
  const done = published(version);
  t = performance.now();
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
  await done;
  if (i >= 20) latencies.push(performance.now() - t);
  if (i === 19) cpuStart = cpuMs(proc.pid!);
}
const cpuPerEdit = (cpuMs(proc.pid!) - cpuStart) / edits;

const rss = rssMb(proc.pid!);
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');

latencies.sort((a, b) => a - b);
const fmt = (n: number): string => n.toFixed(1);
process.stdout.write([
  `file: ${file} (${lines.length} lines, ${(Buffer.byteLength(text0) / 1024).toFixed(0)} KB, ${lastDiagnostics} diagnostics)`,
  `debounce: ${debounce ?? 'server default'} ms; open → first diagnostics: ${fmt(openMs)} ms`,
  `didChange → publishDiagnostics over ${latencies.length} edits: p50 ${fmt(pct(latencies, 50))} ms, p95 ${fmt(pct(latencies, 95))} ms, max ${fmt(latencies.at(-1)!)} ms`,
  `server CPU time per edit (all threads; independent of other load on the machine): ${fmt(cpuPerEdit)} ms`,
  `server RSS after the edits: ${fmt(rss)} MB`,
  `machine load average: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`,
  '',
].join('\n'));
