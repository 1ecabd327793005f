import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver/node.js';
import { pullCapabilities, repoRoot, clientStarter } from './lsp-client.js';
import { brief, expected, Mirror } from './oracle.js';

// Diagnostics over real stdio: what is published, for which version, and when.

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');

const start = clientStarter();

/** Position of the first occurrence of `needle` (0-based line and UTF-16 character). */
function at(text: string, needle: string): { line: number; character: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

describe('phpleak-lsp diagnostics', () => {
  it('publishes diagnostics on open, with the version, rule id, docs link, severity, related locations, and message with tip', async () => {
    const c = await start();
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 7);
    const ds = await c.diagnosticsFor(uri, 7);
    expect(brief(ds)).toEqual(expected(demo));
    const codes = ds.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['memory-limit-disabled', 'gc-disabled', 'eval-in-loop']));
    for (const d of ds) {
      expect(d.source).toBe('phpleak');
      expect(d.codeDescription?.href).toBe(`https://github.com/phpleak/phpleak/blob/main/rules/${String(d.code)}.md`);
    }
    const evalDiag = ds.find((d) => d.code === 'eval-in-loop')!;
    expect(evalDiag.range.start).toEqual(at(demo, 'eval('));
    // The details (why, measured cost) first, at the finding itself; then the related locations.
    expect(evalDiag.relatedInformation?.[0]).toMatchObject({ location: { uri, range: evalDiag.range }, message: expect.stringMatching(/^eval\(\) runs in a loop, so its code is compiled again on every run \(100,000 evals/) });
    expect(evalDiag.relatedInformation?.[1]).toMatchObject({ location: { uri, range: { start: at(demo, 'foreach') } } });
    // one line: what and where; then what to write instead on its own line
    expect(evalDiag.message.split('\n')).toEqual(['eval() runs in a loop: its code is compiled again on every run', expect.stringMatching(/^Move the eval\(\) out of the loop/)]);
  });

  it('follows incremental edits, and undoing them restores the first result', async () => {
    const c = await start({ settings: { debounceMs: 5 } });
    const uri = c.write('src/Importer.php', demo);
    const m = new Mirror(uri, demo);
    await c.open(uri, demo, 1);
    const first = await c.diagnosticsFor(uri, 1);
    // Each edit: at the first occurrence of `at`, replace `replace` characters by `text`.
    const edits = [
      // a new line above everything moves every finding down
      { at: 'namespace', replace: 0, text: '// header\n' },
      // gc_disable() → gc_enable(): the gc-disabled finding goes
      { at: 'gc_disable', replace: 'gc_disable'.length, text: 'gc_enable' },
      // a second eval in the loop body: a second eval-in-loop finding
      { at: 'eval(', replace: 0, text: 'eval($row[\'x\']);\n            ' },
      // typing in the middle of a word, one character at a time
      { at: 'Importer', replace: 0, text: 'X' },
      { at: 'XImporter', replace: 0, text: 'Y' },
    ];
    const undo: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[] = [];
    for (const e of edits) {
      const p = at(m.text, e.at);
      const range = { start: p, end: { line: p.line, character: p.character + e.replace } };
      const removed = m.doc.getText(range);
      const startOffset = m.doc.offsetAt(range.start);
      const v = m.apply([{ range, text: e.text }]);
      undo.unshift({ range: { start: m.doc.positionAt(startOffset), end: m.doc.positionAt(startOffset + e.text.length) }, text: removed });
      await c.change(uri, v, [{ range, text: e.text }]);
      const ds = await c.diagnosticsFor(uri, v);
      expect(brief(ds), `after edit to v${v}`).toEqual(expected(m.text));
      const codes = ds.map((d) => d.code);
      if (v >= 3) expect(codes).not.toContain('gc-disabled');
      if (v >= 4) expect(codes.filter((x) => x === 'eval-in-loop')).toHaveLength(2);
    }
    expect(m.text).not.toBe(demo);
    for (const u of undo) {
      const v = m.apply([u]);
      await c.change(uri, v, [u]);
      await c.diagnosticsFor(uri, v);
    }
    expect(m.text).toBe(demo);
    expect(c.publishesFor(uri).at(-1)!.diagnostics).toEqual(first);
  });

  it('publishes in version order, each for its own text, while edits arrive faster than analyses', async () => {
    const c = await start({ settings: { debounceMs: 0 } });
    const uri = c.write('src/Importer.php', demo);
    const m = new Mirror(uri, demo);
    await c.open(uri, demo, 1);
    await c.diagnosticsFor(uri, 1);
    const texts = new Map<number, string>();
    for (let i = 0; i < 40; i++) {
      const line = at(m.text, 'foreach').line;
      const change = i % 2 === 0
        ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `        eval('$a${i}');\n` }
        : { range: { start: { line: line - 1, character: 0 }, end: { line, character: 0 } }, text: '' };
      const v = m.apply([change]);
      texts.set(v, m.text);
      void c.change(uri, v, [change]);
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    const last = m.version;
    await c.diagnosticsFor(uri, last);
    await new Promise((r) => setTimeout(r, 300));
    const versions = c.publishesFor(uri).map((p) => p.version!);
    // strictly increasing: nothing older is published after something newer (an analysis
    // overtaken by edits is published with its own version: server/scheduler.ts)
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.at(-1)).toBe(last);
    // every published version's diagnostics are those of that version's text
    for (const p of c.publishesFor(uri).slice(1)) expect(brief(p.diagnostics), `v${p.version}`).toEqual(expected(texts.get(p.version!)!));
  });

  it('clears the diagnostics of a closed document, and drops an analysis in flight', async () => {
    // Version 2 is a long file (hundreds of ms to analyse) and the debounce is 0, so its analysis
    // starts at once and is still running when the close arrives 40 ms later. With a short text
    // the analysis could finish before the close is read (then a publish of version 2 is right).
    const c = await start({ settings: { debounceMs: 0 } });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    await c.diagnosticsFor(uri, 1);
    const filler = Array.from({ length: 1500 }, (_, i) => `function f${i}(array $a) { $y = []; foreach ($a as $x) { $y[] = $x + ${i}; } return $y; }`);
    const long = [demo.replace('gc_disable', 'gc_enable'), ...filler].join('\n');
    await c.change(uri, 2, [{ text: long }]);
    await new Promise((r) => setTimeout(r, 40)); // the analysis has started (a close read first would only clear a timer)
    await c.close(uri);
    await c.waitFor(() => c.publishesFor(uri).some((p) => p.diagnostics.length === 0), 'an empty publish');
    await new Promise((r) => setTimeout(r, 1500)); // the dropped analysis has ended (~200 ms here)
    const after = c.publishesFor(uri);
    expect(after.at(-1)!.diagnostics).toEqual([]);
    expect(after.some((p) => p.version === 2)).toBe(false);
  });

  it('answers pull requests (textDocument/diagnostic) with full and unchanged reports, and stops pushing to a client that pulls', async () => {
    const c = await start({ capabilities: pullCapabilities, settings: { debounceMs: 5 } });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    type Report = { kind: 'full' | 'unchanged'; resultId?: string; items?: Diagnostic[] };
    const r1 = await c.request<Report>('textDocument/diagnostic', { textDocument: { uri } });
    expect(r1.kind).toBe('full');
    expect(brief(r1.items!)).toEqual(expected(demo));
    const r2 = await c.request<Report>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: r1.resultId });
    expect(r2).toEqual({ kind: 'unchanged', resultId: r1.resultId });
    const changed = demo.replace('gc_disable();', 'gc_enable();');
    await c.change(uri, 2, [{ text: changed }]);
    // asked right after the change: answered for the new text, not the old
    const r3 = await c.request<Report>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: r1.resultId });
    expect(r3.kind).toBe('full');
    expect(brief(r3.items!)).toEqual(expected(changed));
    await new Promise((r) => setTimeout(r, 200));
    // nothing pushed for a document the client pulls (or, had a push come first, it was cleared)
    const pushed = c.publishesFor(uri);
    if (pushed.length > 0) expect(pushed.at(-1)!.diagnostics).toEqual([]);
    expect(pushed.filter((p) => p.version === 2)).toEqual([]);
  });

  it('pushes to a client that can pull until it pulls, then clears the pushed set', async () => {
    const c = await start({ capabilities: pullCapabilities, settings: { debounceMs: 5 } });
    expect(c.initializeResult!.capabilities.diagnosticProvider).toBeDefined();
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    const pushed = await c.diagnosticsFor(uri, 1);
    expect(brief(pushed)).toEqual(expected(demo));
    const n = c.publishes.length;
    const pulled = await c.request<{ items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
    expect(pulled.items).toEqual(pushed);
    await c.waitFor(() => c.publishes.slice(n).find((p) => p.uri === uri && p.diagnostics.length === 0), 'the pushed set cleared');
    await c.change(uri, 2, [{ text: `${demo}\n` }]);
    await c.request('textDocument/diagnostic', { textDocument: { uri } });
    expect(c.publishesFor(uri).filter((p) => p.version === 2)).toEqual([]);
  });

  it('pushes and answers pulls when asked for both (initializationOptions.diagnosticMode)', async () => {
    const c = await start({ capabilities: pullCapabilities, initializationOptions: { diagnosticMode: 'both' } });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    const pushed = await c.diagnosticsFor(uri, 1);
    const pulled = await c.request<{ items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
    expect(pulled.items).toEqual(pushed);
  });

  it('honours cancellation of a pull request', async () => {
    const c = await start({ capabilities: pullCapabilities, settings: { debounceMs: 400 } });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    await c.request('textDocument/diagnostic', { textDocument: { uri } });
    // A change after a quiet moment is analysed at once; the one right after it waits the 400 ms.
    await c.change(uri, 2, [{ text: `${demo}\n` }]);
    await c.change(uri, 3, [{ text: `${demo}\n\n` }]);
    const { CancellationTokenSource } = await import('vscode-languageserver/node.js');
    const cts = new CancellationTokenSource();
    const p = c.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } }, cts.token);
    setTimeout(() => cts.cancel(), 20);
    const stuck = new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer; logs: ${JSON.stringify(c.logs)}; stderr: ${c.stderr}`)), 15_000));
    await expect(Promise.race([p, stuck])).rejects.toMatchObject({ code: -32800 });
  });
});
