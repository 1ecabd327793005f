import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchBenchFiles, type BenchFile } from './lsp-bench-files.js';
import { burst, serial, typing, type Percentiles } from './lsp-bench-modes.js';
import { BenchSession } from './lsp-bench-session.js';

// npm run bench:lsp [-- <file.php>...] [--edits 100] [--typing 100] [--interval 50] [--bursts 20] [--burst-size 10] [--debounce <ms>] [--timeout 30000]
// For each file (by default Laravel's Query/Builder.php and TCPDF's tcpdf.php, fetched from
// Debian with apt-get download: bench/lsp-bench-files.ts), starts phpleak-lsp over stdio, opens
// the file and edits it three ways (bench/lsp-bench-modes.ts): serial, typing (an edit every
// 50 ms) and burst. Prints p50/p95 of each, typing p95 over serial p95 (issue 14: at most 2),
// and the server's resident memory (worker threads included) at the end and at its highest.

const here = dirname(fileURLToPath(import.meta.url));
const serverMain = join(here, '..', 'server', 'main.js');
const argv = process.argv.slice(2);
const num = (name: string, dflt: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const edits = num('--edits', 100);
/** At least this many typed edits (more for a file whose analysis is slow). */
const typingEdits = num('--typing', 100);
const interval = num('--interval', 50);
const bursts = num('--bursts', 20);
const burstSize = num('--burst-size', 10);
const debounce = argv.includes('--debounce') ? num('--debounce', 15) : undefined;
// The server gives up on an analysis after 2 s by default; on a loaded machine tcpdf.php takes
// longer than that, and a bench that times out measures nothing.
const timeoutMs = num('--timeout', 30_000);
const named = argv.filter((a, i) => !a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--'));

let files: BenchFile[];
try {
  files = named.length > 0 ? named.map((path) => ({ name: basename(path), path })) : fetchBenchFiles((m) => process.stderr.write(`${m}\n`));
} catch (e) {
  process.stderr.write(`bench:lsp: ${(e as Error).message}\nusage: npm run bench:lsp [-- <file.php>...] [--edits 100] [--typing 100] [--bursts 20]\n`);
  process.exit(2);
}

const fmt = (n: number): string => n.toFixed(1);
const line = (p: Percentiles): string => `p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms, max ${fmt(p.max)} ms`;
const out = (s: string): boolean => process.stdout.write(`${s}\n`);

out(`debounce: ${debounce ?? 'server default'} ms; analysis time bound ${timeoutMs} ms; machine load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
for (const f of files) {
  const text = readFileSync(f.path, 'utf8');
  const { s, openMs } = await BenchSession.open(serverMain, f.path, { debounce, timeoutMs });
  out(`\n${f.name}: ${f.path} (${s.lineCount} lines, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB, ${s.publishes[0]!.count} diagnostics); open → first diagnostics ${fmt(openMs)} ms`);
  const se = await serial(s, edits, Math.min(20, Math.max(2, edits >> 2)));
  out(`  serial: didChange → publishDiagnostics over ${se.n} edits: ${line(se)}; server CPU per edit ${fmt(se.cpuPerEdit)} ms`);
  // Typing lasts for several analyses at least, or a slow file is never published mid-typing.
  const ty = await typing(s, Math.max(typingEdits, Math.ceil((6 * se.p50) / interval)), interval);
  out(`  typing: an edit every ${interval} ms, ${ty.n} edits, lag until diagnostics of that version or newer: ${line(ty)}; ${ty.duringTyping} publishes while typing (versions ${ty.increasing ? 'increasing' : 'NOT increasing'}), last edit → final diagnostics ${fmt(ty.settleMs)} ms`);
  const bu = await burst(s, bursts, burstSize);
  out(`  burst: ${burstSize} edits at once, ×${bu.n}, last edit → its diagnostics: ${line(bu)}`);
  out(`  typing p95 / serial p95: ${(ty.p95 / se.p95).toFixed(2)}× (issue 14 target: ≤ 2)`);
  const m = s.memory();
  out(`  server RSS after the edits: ${fmt(m.rss)} MB (high-water ${fmt(m.hwm)} MB)`);
  await s.stop();
}
