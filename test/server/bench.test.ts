import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './lsp-client.js';

// `npm run bench:lsp -- <file>` keeps working: a short run on a small file (the numbers that
// matter come from Laravel's Query/Builder.php and TCPDF's tcpdf.php, which `npm run bench:lsp`
// fetches from Debian when given no file; run by hand).
describe('bench:lsp', () => {
  it('prints serial, typing and burst percentiles, their ratio and the server RSS', () => {
    const out = execFileSync(process.execPath, [join(repoRoot, 'dist', 'bench', 'lsp-bench.js'), join(repoRoot, 'fixtures', 'lsp', 'Worker.php'), '--edits', '10', '--typing', '10', '--bursts', '3'], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/serial: didChange → publishDiagnostics over 10 edits: p50 [\d.]+ ms, p95 [\d.]+ ms/);
    expect(out).toMatch(/typing: an edit every 50 ms, 10 edits, lag until diagnostics of that version or newer: p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms; \d+ publishes while typing \(versions increasing\)/);
    expect(out).toMatch(/burst: 10 edits at once, ×3, last edit → its diagnostics: p50 [\d.]+ ms, p95 [\d.]+ ms/);
    expect(out).toMatch(/typing p95 \/ serial p95: [\d.]+×/);
    expect(out).toMatch(/server RSS after the edits: [\d.]+ MB \(high-water [\d.]+ MB\)/);
  });
});
