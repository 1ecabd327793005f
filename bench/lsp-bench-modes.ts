import { pct, sleep, type BenchSession } from './lsp-bench-session.js';

// The three ways the editor bench edits a document (bench/lsp-bench.ts):
// - serial: one edit, then wait for its diagnostics, then the next (the latency of one change);
// - typing: an edit every `interval` ms whatever the server does (a typist's pace); the lag of
//   an edit is the time until diagnostics of its version or a newer one are published, so it
//   counts how long the squiggles are stale;
// - burst: `size` edits at once (a paste, a multi-cursor edit, a formatter), then the time from
//   the last one to its diagnostics.

export interface Percentiles { n: number; p50: number; p95: number; max: number }

function percentiles(xs: number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), max: s.at(-1) ?? NaN };
}

/** Spreads edits over the file: each line gets a space at its end, then loses it again. */
class Toggler {
  private readonly spaced = new Set<number>();
  private i = 0;
  constructor(private readonly s: BenchSession) {}
  next(): { version: number; at: number } {
    const line = ((this.i++ >> 1) * 7919) % this.s.lineCount;
    const end = this.s.lineLength(line);
    if (this.spaced.delete(line)) return this.s.edit(line, end - 1, '', 1);
    this.spaced.add(line);
    return this.s.edit(line, end, ' ');
  }
}

export async function serial(s: BenchSession, edits: number, warmup: number): Promise<Percentiles & { cpuPerEdit: number }> {
  const t = new Toggler(s);
  const lat: number[] = [];
  let cpu0 = s.cpuMs();
  for (let i = 0; i < warmup + edits; i++) {
    if (i === warmup) cpu0 = s.cpuMs();
    const e = t.next();
    const p = await s.published(e.version);
    if (i >= warmup) lat.push(p.at - e.at);
  }
  return { ...percentiles(lat), cpuPerEdit: (s.cpuMs() - cpu0) / Math.max(1, edits) };
}

const SENTENCE = ' // the next job reuses this buffer, so it is emptied at the end of every iteration;';

/** A line in the middle of the file that ends a simple statement: typing a comment after it keeps the file valid. */
function typingLine(s: BenchSession): number {
  const mid = Math.floor(s.lineCount / 2);
  for (let k = 0; k < s.lineCount; k++) {
    const line = (mid + k) % s.lineCount;
    if (/^\s+(\$\w+|return\b)[^'"`/#]*;$/.test(s.lineText(line))) return line;
  }
  return mid;
}

export interface TypingResult extends Percentiles {
  /** Publishes that arrived between the first and the last edit. */
  duringTyping: number;
  /** Their versions only ever increased. */
  increasing: boolean;
  /** Last edit → diagnostics of the final text. */
  settleMs: number;
}

export async function typing(s: BenchSession, edits: number, interval: number): Promise<TypingResult> {
  const line = typingLine(s);
  const sent: { version: number; at: number }[] = [];
  const first = s.publishes.length;
  const t0 = performance.now();
  for (let i = 0; i < edits; i++) {
    // Absolute schedule: a slow event loop must not stretch the typist's pace.
    const wait = t0 + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    sent.push(s.edit(line, s.lineLength(line), SENTENCE[i % SENTENCE.length]!));
  }
  const last = sent.at(-1)!;
  const final = await s.published(last.version);
  const during = s.publishes.slice(first).filter((p) => p.at <= last.at);
  const lag = sent.map((e) => s.publishes.slice(first).find((p) => p.version >= e.version)!.at - e.at);
  return {
    ...percentiles(lag), duringTyping: during.length,
    increasing: during.every((p, i) => i === 0 || p.version > during[i - 1]!.version),
    settleMs: final.at - last.at,
  };
}

export async function burst(s: BenchSession, bursts: number, size: number): Promise<Percentiles> {
  const t = new Toggler(s);
  const lat: number[] = [];
  for (let b = 0; b < bursts; b++) {
    let e = t.next();
    for (let i = 1; i < size; i++) e = t.next();
    const p = await s.published(e.version);
    lat.push(p.at - e.at);
    await sleep(50);
  }
  return percentiles(lat);
}
