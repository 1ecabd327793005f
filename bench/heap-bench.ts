import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDump } from './heap-dump-gen.js';

// `npm run bench:heap [-- <MB>]`: `phpleak heap` against PHP's own json_decode() of the same
// dump (what php-meminfo's analyzer does first), side by side: wall time and peak RSS of each
// process, measured by /usr/bin/time -v. The dump is generated in a temporary folder (default
// 256 MB) and deleted afterwards. `-- 2048` checks a 2 GB dump (phpleak only, unless --php).
// Targets (issue 15): phpleak no slower than json_decode, with at most half its peak memory.

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const args = process.argv.slice(2);
const mb = Number(args.find((a) => /^\d+$/.test(a)) ?? 256);
const withPhp = mb <= 1024 || args.includes('--php');

interface Measured { wallS: number; maxRssMb: number; code: number | null; stderr: string }

function measure(cmd: string[], cwd: string): Measured {
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const field = (name: string) => new RegExp(`${name}: (.*)`).exec(r.stderr)?.[1]?.trim() ?? '';
  const wall = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').map(Number);
  const wallS = wall.reduce((acc, x) => acc * 60 + x, 0);
  return { wallS, maxRssMb: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024, code: r.status, stderr: r.stderr.split('\n\tCommand being timed')[0]! };
}

const dir = mkdtempSync(join(tmpdir(), 'phpleak-heap-bench-'));
try {
  const file = join(dir, 'dump.json');
  let t = performance.now();
  const gen = generateDump(file, mb * 1024 * 1024);
  console.log(`generated ${file}: ${(gen.bytes / 1024 / 1024).toFixed(0)} MB, ${gen.items.toLocaleString('en-US')} items (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  t = performance.now();
  const leak = measure([process.execPath, CLI, 'heap', file, '-f', 'json', '-o', join(dir, 'report.json')], dir);
  if (leak.code !== 0) console.log(`phpleak heap exited ${leak.code}: ${leak.stderr}`);
  const row = (name: string, m: Measured) => console.log(`${name.padEnd(34)} ${m.wallS.toFixed(2).padStart(8)} s ${m.maxRssMb.toFixed(0).padStart(8)} MB`);
  console.log(`${''.padEnd(34)} ${'wall'.padStart(10)} ${'peak RSS'.padStart(11)}`);
  row('phpleak heap', leak);
  if (withPhp) {
    const php = measure(['php', '-d', 'memory_limit=-1', '-r', '$d = json_decode(file_get_contents($argv[1]), true); if (!is_array($d)) { fwrite(STDERR, json_last_error_msg()); exit(1); } echo count($d["items"]), "\\n";', file], dir);
    if (php.code !== 0) console.log(`php exited ${php.code}: ${php.stderr}`);
    row('php json_decode(file_get_contents())', php);
    console.log(`phpleak / php: time ${(leak.wallS / php.wallS).toFixed(2)}× (target ≤ 1), peak memory ${(leak.maxRssMb / php.maxRssMb).toFixed(2)}× (target ≤ 0.5)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
