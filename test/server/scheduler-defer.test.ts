import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { OpenDocument } from '../../server/documents.js';
import { Scheduler, type Deferred } from '../../server/scheduler.js';

// A change whose member no longer parses is answered "deferred" by the worker when the
// scheduler allows it (test/server/typing.test.ts shows it over stdio with the real pool). Here,
// with real timers and the real Scheduler, what the scheduler does with that answer: nothing is
// published, the text is analysed in full only after a pause as long as the last full analysis
// took, unless a newer change comes first; a request that needs the result (pull diagnostics,
// code actions: `current()`) or `now()` (open, configuration) never gets a deferred analysis.
// The analysis is a stand-in for the lint pool that defers texts containing `broken`.

const DEBOUNCE = 15;
const FULL_MS = 400;

interface Run { text: string; mayDefer: boolean }

function setUp(): { d: OpenDocument; scheduler: Scheduler; runs: Run[]; published: number[]; refreshes: number[] } {
  const runs: Run[] = [];
  const published: number[] = [];
  const refreshes: number[] = [];
  const d = new OpenDocument(TextDocument.create('file:///x.php', 'php', 1, '<?php 0;'));
  const scheduler = new Scheduler({
    analyse: async (_doc, text, mayDefer): Promise<[] | Deferred> => {
      runs.push({ text, mayDefer });
      await sleep(2);
      return mayDefer && text.includes('broken') ? { deferred: { fullMs: FULL_MS } } : [];
    },
    gen: () => 1,
    debounceMs: () => DEBOUNCE,
    diagnostics: () => [],
    publish: (doc, r) => { published.push(r.version); },
    log: () => {},
    refresh: () => { refreshes.push(d.doc.version); },
  });
  return { d, scheduler, runs, published, refreshes };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function edit(d: OpenDocument, scheduler: Scheduler, text: string): void {
  d.doc = TextDocument.update(d.doc, [{ text }], d.doc.version + 1);
  scheduler.changed(d);
}

async function opened(): Promise<ReturnType<typeof setUp>> {
  const s = setUp();
  s.scheduler.now(s.d);
  await sleep(50);
  return s;
}

describe('scheduler: a deferred analysis', () => {
  it('publishes nothing, then analyses the text in full after a pause as long as the last full analysis', async () => {
    const { d, scheduler, runs, published } = await opened();
    edit(d, scheduler, '<?php broken');
    await sleep(FULL_MS / 2);
    expect(runs).toEqual([{ text: '<?php 0;', mayDefer: false }, { text: '<?php broken', mayDefer: true }]);
    expect(published).toEqual([1]);
    expect(scheduler.deferred).toBe(1);
    await sleep(FULL_MS);
    expect(runs.at(-1)).toEqual({ text: '<?php broken', mayDefer: false });
    expect(published).toEqual([1, 2]);
    expect(scheduler.isCurrent(d)).toBe(true);
  });

  it('is never analysed in full when a newer change comes within the pause', async () => {
    const { d, scheduler, runs, published } = await opened();
    edit(d, scheduler, '<?php broken');
    await sleep(FULL_MS / 3);
    edit(d, scheduler, '<?php 1;');
    await sleep(FULL_MS * 1.5);
    expect(runs.slice(1)).toEqual([{ text: '<?php broken', mayDefer: true }, { text: '<?php 1;', mayDefer: true }]);
    expect(published).toEqual([1, 3]);
  });

  it('is analysed in full at once when a request needs the current result', async () => {
    const { d, scheduler, runs } = await opened();
    edit(d, scheduler, '<?php broken');
    await sleep(30);
    const t = performance.now();
    const r = await scheduler.current(d);
    expect(performance.now() - t).toBeLessThan(FULL_MS / 2);
    expect(r?.version).toBe(2);
    expect(runs.slice(1)).toEqual([{ text: '<?php broken', mayDefer: true }, { text: '<?php broken', mayDefer: false }]);
    await sleep(FULL_MS * 1.5);
    expect(runs).toHaveLength(3);
  });

  it('is followed at once by a full analysis when a request arrives while it runs', async () => {
    const { d, scheduler, runs } = await opened();
    edit(d, scheduler, '<?php broken');
    const t = performance.now();
    const r = await scheduler.current(d);
    expect(performance.now() - t).toBeLessThan(FULL_MS / 2);
    expect(r?.version).toBe(2);
    expect(runs.slice(1)).toEqual([{ text: '<?php broken', mayDefer: true }, { text: '<?php broken', mayDefer: false }]);
    expect(scheduler.deferred).toBe(1);
  });

  it('is not allowed for now() (open, configuration, the workspace index)', async () => {
    const { d, scheduler, runs } = await opened();
    d.doc = TextDocument.update(d.doc, [{ text: '<?php broken' }], 2);
    scheduler.now(d);
    await sleep(30);
    expect(runs.slice(1)).toEqual([{ text: '<?php broken', mayDefer: false }]);
    expect(scheduler.deferred).toBe(0);
  });

  it('answers a pull that takes a refresh with the last result, and asks it to pull again once the text is analysed', async () => {
    const { d, scheduler, runs, published, refreshes } = await opened();
    edit(d, scheduler, '<?php broken');
    // Pulled right after the change, before the worker answered: waits for that answer only.
    const t = performance.now();
    const first = await scheduler.current(d, undefined, { staleWhileDeferred: true });
    expect(first!.version).toBe(1);
    expect(performance.now() - t).toBeLessThan(FULL_MS / 2);
    // Pulled again during the pause: the last result at once; the pause is not cut short.
    const second = await scheduler.current(d, undefined, { staleWhileDeferred: true });
    expect(second!.version).toBe(1);
    expect(runs.slice(1)).toEqual([{ text: '<?php broken', mayDefer: true }]);
    expect(refreshes).toEqual([]);
    await sleep(FULL_MS * 1.5);
    expect(runs.at(-1)).toEqual({ text: '<?php broken', mayDefer: false });
    expect(published).toEqual([1, 2]);
    expect(refreshes).toEqual([2]);
    // Now current: the pull gets version 2, and no refresh follows.
    expect((await scheduler.current(d, undefined, { staleWhileDeferred: true }))!.version).toBe(2);
    expect(refreshes).toEqual([2]);
  });

  it('a pull that cannot take a refresh, or a document never analysed, still forces the full analysis', async () => {
    const { d, scheduler, runs, refreshes } = await opened();
    edit(d, scheduler, '<?php broken');
    const r = await scheduler.current(d);
    expect(r!.version).toBe(2);
    // The change started a deferrable run at once; the waiter then makes the next one full.
    expect(runs.slice(1).map((x) => x.mayDefer)).toEqual([true, false]);
    const fresh = setUp();
    fresh.d.doc = TextDocument.update(fresh.d.doc, [{ text: '<?php broken' }], 2);
    expect((await fresh.scheduler.current(fresh.d, undefined, { staleWhileDeferred: true }))!.version).toBe(2);
    expect(fresh.runs).toEqual([{ text: '<?php broken', mayDefer: false }]);
    expect([...refreshes, ...fresh.refreshes]).toEqual([]);
  });
});
