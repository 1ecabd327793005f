import { basename } from 'node:path';
import { getAsset } from 'node:sea';
import { setWorkerSource } from '../engine/pool.js';
import rules from '../rules/index.js';
import { run } from '../cli/run.js';

// Entry of the single executable (scripts/build-sea.mjs): `phpleak [args]` is the CLI,
// `phpleak lsp --stdio` (or the executable under the name phpleak-lsp) the language server.
// The CLI wiring is cli/main.ts's, which cannot be bundled as it is (top-level await has no
// CommonJS form): keep the two in step; test/packaging/sea.test.ts compares their output.

setWorkerSource(getAsset('worker.js', 'utf8'));

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

async function main(): Promise<void> {
  const lsp = process.argv[2] === 'lsp';
  if (lsp || basename(process.argv0).startsWith('phpleak-lsp')) {
    if (lsp) process.argv.splice(2, 1);
    await import('../server/main.js');
    return;
  }
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  process.exitCode = await run(process.argv.slice(2), {
    cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, readStdin,
  }, rules).catch((e: unknown) => {
    process.stderr.write(`phpleak: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  });
}

void main();
