import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { defaultConfig, findConfigFile, loadConfigFile } from '../engine/config.js';
import { discoverFiles } from '../engine/discover.js';
import rules from '../rules/index.js';

// `npm run bench -- <corpus dir> [--cli <main.js>]... [--no-cache-runs]`: what a user of that
// code base would see. Parse-only time (one thread: php-parser alone, the floor any analysis
// pays, and phpleak's patched parse), full lint with --jobs 1 and --jobs 2 (no cache), a cold
// and a warm run with --cache, files/s, MB/s and peak RSS of the CLI process. Each `--cli`
// (default: this build) is measured in turn in the same run, after the same parse-only
// baseline, so two builds compare by their ratios on a shared, noisy machine.

const THIS_CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

interface CliRun { wallMs: number; cpuS: number; maxRssMb: number; code: number; findings: Record<string, number> }

async function parseOnly(files: string[], mode: 'php-parser' | 'parsePhp'): Promise<{ ms: number; cpuMs: number; stalled: number }> {
  let total = 0;
  let cpuMs = 0;
  let stalled = 0;
  let from = 0;
  while (from < files.length) {
    const next = await new Promise<number>((done) => {
      const w = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: { files, from, mode }, resourceLimits: { stackSizeMb: 64 } });
      let current = from;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => { clearTimeout(timer); timer = setTimeout(() => { stalled++; void w.terminate(); done(current + 1); }, 10_000); };
      arm();
      w.on('message', (m: { i?: number; ms?: number; cpuMs?: number; start?: boolean; done?: boolean }) => {
        if (m.done) { clearTimeout(timer); void w.terminate(); done(files.length); return; }
        current = m.i!;
        if (m.start) { arm(); return; }
        total += m.ms!;
        cpuMs += m.cpuMs ?? 0;
      });
      w.on('error', () => { clearTimeout(timer); done(current + 1); });
    });
    from = next;
  }
  return { ms: total, cpuMs, stalled };
}

function runCli(cli: string, args: string[], cwd: string): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'phpleak-bench-'));
  const out = join(dir, 'report.json');
  const stats = join(dir, 'stats.json');
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args, '--no-progress', '--no-baseline', '-f', 'json', '-o', out], {
      cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PHPLEAK_STATS: stats },
    });
    child.on('error', fail);
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      let maxRssMb = NaN;
      let cpuS = NaN;
      try {
        const s = JSON.parse(readFileSync(stats, 'utf8')) as { maxRSS: number; userCPU: number; systemCPU: number };
        maxRssMb = s.maxRSS / 1024;
        cpuS = (s.userCPU + s.systemCPU) / 1e6;
      } catch { /* no stats */ }
      const findings: Record<string, number> = {};
      try {
        const r = JSON.parse(readFileSync(out, 'utf8')) as { files: { findings: { ruleId: string }[] }[] };
        for (const f of r.files) for (const x of f.findings) findings[x.ruleId] = (findings[x.ruleId] ?? 0) + 1;
      } catch { /* no report */ }
      rmSync(dir, { recursive: true, force: true });
      done({ wallMs, cpuS, maxRssMb, code: code ?? -1, findings });
    });
  });
}

async function main(): Promise<void> {
  // `npm run bench -- --heap [MB] [--rounds N]`: phpleak heap against PHP's json_decode() (bench/heap-bench.ts).
  if (process.argv.includes('--heap')) { await import('./heap-bench.js'); return; }
  const argv = process.argv.slice(2);
  const clis: string[] = [];
  let dir: string | undefined;
  let cacheRuns = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cli' && argv[i + 1]) clis.push(resolve(argv[++i]!));
    else if (argv[i] === '--no-cache-runs') cacheRuns = false;
    else dir ??= argv[i];
  }
  if (!dir) {
    process.stderr.write('usage: npm run bench -- <corpus dir> [--cli <dist/cli/main.js>]... [--no-cache-runs]\n       npm run bench -- --heap [MB] [--rounds N]\n');
    process.exit(2);
  }
  if (clis.length === 0) clis.push(THIS_CLI);
  const root = resolve(dir);
  const cfgFile = findConfigFile(root);
  const config = cfgFile ? loadConfigFile(cfgFile, rules) : defaultConfig(root);
  const files = discoverFiles({ paths: [root], cwd: root, config }).files;
  const bytes = files.reduce((s, f) => { try { return s + statSync(f).size; } catch { return s; } }, 0);
  const mb = bytes / (1024 * 1024);
  const line = (label: string, ms: number, extra = '') =>
    process.stdout.write(`${label.padEnd(28)} ${(ms / 1000).toFixed(2).padStart(8)} s  ${(files.length / (ms / 1000)).toFixed(0).padStart(6)} files/s  ${(mb / (ms / 1000)).toFixed(2).padStart(6)} MB/s${extra}\n`);
  process.stdout.write(`corpus ${root}: ${files.length} files, ${mb.toFixed(1)} MB, ${rules.length} rules\n`);

  const cpuOf = (p: { cpuMs: number; stalled: number }) => `  cpu ${(p.cpuMs / 1000).toFixed(1)} s${p.stalled ? `  (${p.stalled} files stopped after 10 s)` : ''}`;
  const parse = await parseOnly(files, 'php-parser');
  line('parse only, php-parser', parse.ms, cpuOf(parse));
  const patched = await parseOnly(files, 'parsePhp');
  line('parse only, parsePhp', patched.ms, `${cpuOf(patched)}  ratio to php-parser ${(patched.ms / parse.ms).toFixed(2)}`);
  // On a shared machine wall time depends on the neighbours: CPU time (all threads) is shown too.
  const rss = (r: CliRun) => `  cpu ${r.cpuS.toFixed(1)} s  peak RSS ${r.maxRssMb.toFixed(0)} MB  exit ${r.code}`;
  for (const cli of clis) {
    if (clis.length > 1) process.stdout.write(`-- ${cli}\n`);
    const j1 = await runCli(cli, [root, '--jobs', '1', '--no-cache'], root);
    line('lint --jobs 1', j1.wallMs, `${rss(j1)}  ratio to parse ${(j1.wallMs / parse.ms).toFixed(2)}`);
    const j2 = await runCli(cli, [root, '--jobs', '2', '--no-cache'], root);
    line('lint --jobs 2', j2.wallMs, `${rss(j2)}  ratio to parse ${(j2.wallMs / parse.ms).toFixed(2)}`);
    let peak = Math.max(j1.maxRssMb, j2.maxRssMb);
    let warmRatio = '';
    if (cacheRuns) {
      const cacheDir = mkdtempSync(join(tmpdir(), 'phpleak-bench-cache-'));
      const cold = await runCli(cli, [root, '--jobs', '2', '--cache', '--cache-location', cacheDir], root);
      line('cold cache --jobs 2', cold.wallMs, `${rss(cold)}  ratio to parse ${(cold.wallMs / parse.ms).toFixed(2)}`);
      const warm = await runCli(cli, [root, '--jobs', '2', '--cache', '--cache-location', cacheDir], root);
      line('warm cache --jobs 2', warm.wallMs, `${rss(warm)}  ratio to cold ${(warm.wallMs / cold.wallMs).toFixed(3)}`);
      rmSync(cacheDir, { recursive: true, force: true });
      peak = Math.max(peak, cold.maxRssMb, warm.maxRssMb);
      warmRatio = `, warm / cold = ${(warm.wallMs / cold.wallMs).toFixed(3)} (≤ 0.05)`;
    }
    const counts = Object.entries(j2.findings).sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id} ${n}`).join(', ');
    process.stdout.write(`findings (--jobs 2): ${Object.values(j2.findings).reduce((s, n) => s + n, 0)}${counts ? ` — ${counts}` : ''}\n`);
    process.stdout.write(`targets: lint --jobs 2 / parse-only = ${(j2.wallMs / parse.ms).toFixed(2)} (≤ 0.75, then ≤ 0.6), lint --jobs 1 / parse-only = ${(j1.wallMs / parse.ms).toFixed(2)} (≤ 1.4)${warmRatio}, peak RSS ${peak.toFixed(0)} MB (≤ 300)\n`);
    process.stdout.write(`cpu: lint --jobs 1 / parse-only = ${(j1.cpuS * 1000 / parse.cpuMs).toFixed(2)}, lint --jobs 2 / parse-only = ${(j2.cpuS * 1000 / parse.cpuMs).toFixed(2)} (wall of --jobs 2 on 2 idle cores is at best half of its cpu)\n`);
  }
}

await main();
