import { describe, expect, it } from 'vitest';
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver/node.js';
import type { ServerStats } from '../../server/debug-stats.js';
import { clientStarter, pullCapabilities, type LspClient } from './lsp-client.js';
import { brief, expected, Mirror } from './oracle.js';

// Diagnostics while the user types, over real stdio: an edit every 50 ms into a document whose
// analysis takes longer than that. Each analysis that ends is published with the version it
// analysed although newer edits have arrived, so the squiggles keep following the typing; the
// last publish is for the final text.

const start = clientStarter();

/** A worker class with many small methods: thousands of lines, so one analysis outlasts a keystroke. */
function bigWorker(methods: number): string {
  const body = Array.from({ length: methods }, (_, i) => `
    public function step${i}(array $rows): array
    {
        $out = [];
        foreach ($rows as $key => $row) {
            $out[$key] = strtoupper((string) $row) . '-${i}';
        }
        return $out;
    }
`).join('');
  return `<?php\nnamespace App;\n\nfinal class Worker\n{\n    public function run(array $rows): void\n    {\n        foreach ($rows as $row) {\n            // the body\n        }\n    }\n${body}}\n`;
}

/** Types `typed` at `line`:`column`, a character every 50 ms; returns the text of each version. */
async function typeAt(c: LspClient, uri: string, m: Mirror, line: number, column: number, typed: string, texts: Map<number, string>): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < typed.length; i++) {
    const wait = t0 + i * 50 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const change: TextDocumentContentChangeEvent = { range: { start: { line, character: column + i }, end: { line, character: column + i } }, text: typed[i]! };
    texts.set(m.apply([change]), m.text);
    void c.change(uri, m.version, [change]);
  }
}

/** A client with the 600-method worker open and its first diagnostics published. */
async function openedWorker(): Promise<{ text: string; c: LspClient; uri: string; m: Mirror; texts: Map<number, string> }> {
  const text = bigWorker(600);
  const c = await start();
  const uri = c.write('src/Worker.php', text);
  const m = new Mirror(uri, text);
  await c.open(uri, text, 1);
  await c.diagnosticsFor(uri, 1, 60_000);
  return { text, c, uri, m, texts: new Map<number, string>([[1, text]]) };
}

// Typed one character at a time inside the loop: findings appear as statements complete.
const TYPED = "eval($row['code']); gc_disable(); ini_set('memory_limit', '-1'); // typed by hand, key by key";

describe('phpleak-lsp while the user types', () => {
  it('publishes during typing with increasing versions, each right for its text, and the final text last', async () => {
    const { text, c, uri, m, texts } = await openedWorker();
    /** How many publishes had arrived when each version was sent. */
    const seenAtSend = new Map<number, number>();
    const line = text.split('\n').findIndex((l) => l.includes('// the body'));
    const t0 = performance.now();
    for (let i = 0; i < TYPED.length; i++) {
      const wait = t0 + i * 50 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const change: TextDocumentContentChangeEvent = { range: { start: { line, character: 12 + i }, end: { line, character: 12 + i } }, text: TYPED[i]! };
      const v = m.apply([change]);
      texts.set(v, m.text);
      seenAtSend.set(v, c.publishes.length);
      void c.change(uri, v, [change]);
    }
    const last = m.version;
    const whileTyping = c.publishesFor(uri).filter((p) => p.version! > 1 && c.publishes.indexOf(p) < seenAtSend.get(last)!);
    const final = await c.diagnosticsFor(uri, last, 60_000);
    await new Promise((r) => setTimeout(r, 500));

    // Diagnostics came while the edits kept coming, not only once they stopped.
    expect(whileTyping.length, `publishes while typing: ${whileTyping.map((p) => p.version).join(', ')}`).toBeGreaterThanOrEqual(3);
    // At least one analysis was overtaken by a newer edit and published all the same.
    expect(c.publishesFor(uri).some((p) => p.version! < last && c.publishes.indexOf(p) >= seenAtSend.get(p.version! + 1)!)).toBe(true);
    const versions = c.publishesFor(uri).map((p) => p.version!);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions.at(-1)).toBe(last);
    for (const p of c.publishesFor(uri)) expect(brief(p.diagnostics), `v${p.version}`).toEqual(expected(texts.get(p.version!)!));
    // The typed statements are findings now.
    expect(brief(final).map((d) => d.code)).toEqual(expect.arrayContaining(['eval-in-loop', 'memory-limit-disabled']));
  }, 120_000);

  it('does not parse in full a text broken mid-statement while edits keep coming, and publishes its syntax error once the user pauses', async () => {
    // A full analysis of this text takes far longer than a keystroke: were the broken texts
    // analysed, their parse errors would be published.
    const { text, c, uri, m, texts } = await openedWorker();
    // After `$out = [];` in a method in the middle of the class.
    const line = text.split('\n').findIndex((l) => l.includes('function step300(')) + 2;
    const column = '        $out = [];'.length;
    const stats = (): Promise<ServerStats> => c.request<ServerStats>('phpleak/stats', null);
    const deferredBefore = (await stats()).deferred;

    // Every text but the last is broken inside step300(): `g`, `gc`, … `gc_disable()`.
    await typeAt(c, uri, m, line, column, 'gc_disable();', texts);
    const completed = m.version;
    await c.diagnosticsFor(uri, completed, 60_000);
    expect(c.publishesFor(uri).map((p) => p.version)).toEqual([1, completed]);
    expect((await stats()).deferred).toBeGreaterThan(deferredBefore);

    // ` /`, and the user pauses on the broken text: its syntax error comes, at the `/`.
    await typeAt(c, uri, m, line, column + 'gc_disable();'.length, ' /', texts);
    const paused = m.version;
    const atPause = await c.diagnosticsFor(uri, paused, 60_000);
    const slash = column + 'gc_disable(); '.length;
    expect(brief(atPause).filter((d) => d.code === 'parse-error')).toEqual([{ code: 'parse-error', line, character: slash, endLine: line, endCharacter: slash + 1, severity: 1 }]);

    // The second `/` makes it a comment.
    await typeAt(c, uri, m, line, slash + 1, '/', texts);
    await c.diagnosticsFor(uri, m.version, 60_000);
    const versions = c.publishesFor(uri).map((p) => p.version!);
    expect(versions).toEqual([1, completed, completed + 1, paused, m.version]);
    for (const p of c.publishesFor(uri)) expect(brief(p.diagnostics), `v${p.version}`).toEqual(expected(texts.get(p.version!)!));
    expect(brief(c.publishesFor(uri).at(-1)!.diagnostics).map((d) => d.code)).toEqual(['gc-disabled']);
  }, 120_000);

  it('answers a pull for a text broken mid-statement with the last result, then asks the client to pull again once it is analysed', async () => {
    // VS Code pulls after every change: a pull must not force the full parse of a broken text.
    const text = bigWorker(600);
    const c = await start({ capabilities: pullCapabilities });
    const uri = c.write('src/Worker.php', text);
    const m = new Mirror(uri, text);
    await c.open(uri, text, 1);
    type Report = { kind: string; resultId?: string; items?: { code?: unknown; range: { start: { line: number; character: number } } }[] };
    const pull = (previousResultId?: string): Promise<Report> => c.request<Report>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });
    const first = await pull();
    expect(first.kind).toBe('full');
    const line = text.split('\n').findIndex((l) => l.includes('function step300(')) + 2;
    const column = '        $out = [];'.length;
    const texts = new Map<number, string>([[1, text]]);
    await typeAt(c, uri, m, line, column, 'gc_disable(', texts);
    // The text ends in `gc_disable(`: its member does not parse. The pull gets the last result.
    const during = await pull(first.resultId);
    expect(during).toEqual({ kind: 'unchanged', resultId: first.resultId });
    await c.waitFor(() => c.refreshes > 0 || null, 'a diagnostic refresh', 60_000);
    const after = await pull(first.resultId);
    expect(after.kind).toBe('full');
    // Exactly a full analysis of the newest text: the syntax error at the next line's `foreach`.
    expect(brief(after.items as Diagnostic[])).toEqual(expected(m.text));
    expect(after.items!.filter((d) => d.code === 'parse-error').map((d) => d.range.start)).toEqual([{ line: line + 1, character: 8 }]);
  }, 120_000);
});
