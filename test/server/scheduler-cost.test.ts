import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { OpenDocument } from '../../server/documents.js';
import { Scheduler } from '../../server/scheduler.js';

// The scheduler's wait after a quiet moment depends on what the document's analyses cost: a
// cheap one starts at once (the wait would be most of the latency), an expensive one waits the
// debounce so that the changes of one paste or multi-cursor edit make one analysis, not one
// each (tcpdf.php: burst p95 793 → 137 ms in `npm run bench:lsp`). Real timers, the real
// Scheduler; only the analysis is a timed stand-in for the lint pool.

const DEBOUNCE = 15;

function setUp(cost: number): { d: OpenDocument; scheduler: Scheduler; texts: string[] } {
  const texts: string[] = [];
  const d = new OpenDocument(TextDocument.create('file:///x.php', 'php', 1, '<?php 0;'));
  const scheduler = new Scheduler({
    analyse: async (_doc, text) => { texts.push(text); await new Promise((r) => setTimeout(r, cost)); return []; },
    gen: () => 1,
    debounceMs: () => DEBOUNCE,
    diagnostics: () => [],
    publish: () => {},
    log: () => {},
    refresh: () => {},
  });
  return { d, scheduler, texts };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function burst(d: OpenDocument, scheduler: Scheduler, first: number): Promise<void> {
  for (let i = 0; i < 5; i++) {
    d.doc = TextDocument.update(d.doc, [{ text: `<?php ${first + i};` }], d.doc.version + 1);
    scheduler.changed(d);
  }
}

describe('scheduler: the wait after a quiet moment follows the cost of the analyses', () => {
  it('analyses a cheap document at once, then the burst\'s newest text once', async () => {
    const { d, scheduler, texts } = setUp(1);
    scheduler.now(d);
    await sleep(50);
    await burst(d, scheduler, 1);
    expect(texts).toEqual(['<?php 0;', '<?php 1;']);
    await sleep(150);
    expect(texts).toEqual(['<?php 0;', '<?php 1;', '<?php 5;']);
  });

  it('lets an expensive document wait the debounce, so a burst is one analysis of its newest text', async () => {
    const { d, scheduler, texts } = setUp(4 * DEBOUNCE + 40);
    scheduler.now(d);
    await sleep(250);
    await burst(d, scheduler, 1);
    expect(texts).toEqual(['<?php 0;']);
    await sleep(400);
    expect(texts).toEqual(['<?php 0;', '<?php 5;']);
  });
});
