import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDump } from './heap-dump-gen.js';

// `npm run bench:heap [-- <MB>] [--rounds N]` (or `npm run bench -- --heap ...`): `phpleak heap`
// against PHP's own json_decode() of the same dump (what php-meminfo's analyzer does first),
// side by side: wall time, CPU time and peak RSS of each process, measured by /usr/bin/time -v.
// The dump is generated in a temporary folder (default 256 MB) and deleted afterwards. The two
// run in turns, N rounds (default 3): on a shared machine the load changes from one second to
// the next, so each round's ratio compares runs made side by side, and the median is the
// verdict. `-- 2048` checks a 2 GB dump (phpleak only, unless --php).
// Targets (issue 15): phpleak no slower than json_decode, with at most half its peak memory.

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const args = process.argv.slice(2);
const mb = Number(args.find((a) => /^\d+$/.test(a)) ?? 256);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Math.max(1, Number(args[roundsAt + 1]) || 1) : 3;
const withPhp = mb <= 1024 || args.includes('--php');

interface Measured { wallS: number; cpuS: number; maxRssMb: number; code: number | null; stderr: string }

function measure(cmd: string[], cwd: string): Measured {
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const field = (name: string) => new RegExp(`${name}: (.*)`).exec(r.stderr)?.[1]?.trim() ?? '';
  const wall = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').map(Number);
  const wallS = wall.reduce((acc, x) => acc * 60 + x, 0);
  const cpuS = Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)'));
  return { wallS, cpuS, maxRssMb: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024, code: r.status, stderr: r.stderr.split('\n\tCommand being timed')[0]! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'phpleak-heap-bench-'));
try {
  const file = join(dir, 'dump.json');
  const t = performance.now();
  const gen = generateDump(file, mb * 1024 * 1024);
  console.log(`generated ${file}: ${(gen.bytes / 1024 / 1024).toFixed(0)} MB, ${gen.items.toLocaleString('en-US')} items (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  console.log(`${'round'.padEnd(6)}${''.padEnd(36)} ${'wall'.padStart(9)} ${'cpu'.padStart(9)} ${'peak RSS'.padStart(10)}`);
  const row = (round: number, name: string, m: Measured) => console.log(`${String(round).padEnd(6)}${name.padEnd(36)} ${m.wallS.toFixed(2).padStart(7)} s ${m.cpuS.toFixed(2).padStart(7)} s ${m.maxRssMb.toFixed(0).padStart(7)} MB`);
  const time: number[] = [], cpu: number[] = [], memory: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const leak = measure([process.execPath, CLI, 'heap', file, '-f', 'json', '-o', join(dir, 'report.json')], dir);
    if (leak.code !== 0) console.log(`phpleak heap exited ${leak.code}: ${leak.stderr}`);
    row(round, 'phpleak heap', leak);
    if (!withPhp) continue;
    const php = measure(['php', '-d', 'memory_limit=-1', '-r', '$d = json_decode(file_get_contents($argv[1]), true); if (!is_array($d)) { fwrite(STDERR, json_last_error_msg()); exit(1); } echo count($d["items"]), "\\n";', file], dir);
    if (php.code !== 0) console.log(`php exited ${php.code}: ${php.stderr}`);
    row(round, 'php json_decode(file_get_contents())', php);
    time.push(leak.wallS / php.wallS);
    cpu.push(leak.cpuS / php.cpuS);
    memory.push(leak.maxRssMb / php.maxRssMb);
    console.log(`${''.padEnd(6)}phpleak / php: time ${time.at(-1)!.toFixed(2)}×, cpu ${cpu.at(-1)!.toFixed(2)}×, peak memory ${memory.at(-1)!.toFixed(2)}×`);
  }
  if (withPhp) {
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(`phpleak / php, median of ${rounds}: time ${median(time).toFixed(2)}× (target ≤ 1; rounds ${list(time)}), peak memory ${median(memory).toFixed(2)}× (target ≤ 0.5; rounds ${list(memory)}); cpu ${median(cpu).toFixed(2)}× (phpleak reads a large dump on two threads)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
