import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './lsp-client.js';

// `npm run bench:lsp -- <file>` keeps working: a short run on a small file (the numbers that
// matter come from Laravel's 5,000-line Query/Builder.php, run by hand).
describe('bench:lsp', () => {
  it('prints didChange → publishDiagnostics percentiles and the server RSS', () => {
    const out = execFileSync(process.execPath, [join(repoRoot, 'dist', 'bench', 'lsp-bench.js'), join(repoRoot, 'fixtures', 'lsp', 'Worker.php'), '--edits', '10'], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/didChange → publishDiagnostics over 10 edits: p50 [\d.]+ ms, p95 [\d.]+ ms/);
    expect(out).toMatch(/server RSS after the edits: [\d.]+ MB/);
  });
});
