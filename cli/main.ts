#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import rules from '../rules/index.js';
import { run } from './run.js';

// The `phpleak` executable. Exit codes: 0 clean, 1 findings, 2 usage/config/internal failure.

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

// A closed pipe (`phpleak | head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });

process.exitCode = await run(process.argv.slice(2), {
  cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, readStdin,
}, rules).catch((e: unknown) => {
  process.stderr.write(`phpleak: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  return 2;
});

// For the bench: the process's peak RSS and CPU time (worker threads included).
if (process.env.PHPLEAK_STATS) {
  const u = process.resourceUsage();
  writeFileSync(process.env.PHPLEAK_STATS, JSON.stringify({ maxRSS: u.maxRSS, userCPU: u.userCPUTime, systemCPU: u.systemCPUTime }));
}
