import { stat, unwatchFile, watchFile } from 'node:fs';
import { resolve } from 'node:path';
import type { PhpleakConfig } from '../engine/config.js';
import { DumpError } from '../engine/heap/dump-reader.js';
import { evidenceText } from '../engine/heap/evidence.js';
import { DeclarationIndex } from '../engine/heap/join.js';
import { buildReport, type HeapEntry } from '../engine/heap/report.js';
import { loadSnapshot, release, type Snapshot } from '../engine/heap/snapshot.js';
import type { FileSummary } from '../engine/project-index.js';
import type { Finding } from '../engine/types.js';

// Heap evidence in the editor: phpleak.json `heapDumps: [before, after]` names php-meminfo
// dumps of one worker. A finding at a container's declaration gets the heap's numbers as a
// related location (and in its hover); a declaration that grew where no rule fired gets its own
// information diagnostic (`heap-growth`). Dumps are read once per change: their files are
// watched, and their size and mtime checked before use, so a new dump pair shows without a
// restart. A dump that cannot be read is one warning, and no evidence.

export const HEAP_RULE_ID = 'heap-growth';

/** Heap notes of the findings this module returned (for hover). */
const notes = new WeakMap<Finding, string[]>();
export function heapNotes(f: Finding): string[] { return notes.get(f) ?? []; }

interface Loaded { key: string; stamp: string; before: Snapshot; after: Snapshot | null }

export interface HeapDeps {
  warn(message: string): void;
  /** The dumps changed on disk: analyse the open documents again. */
  changed(): void;
}

export class HeapEvidence {
  private loaded = new Map<string, Promise<Loaded | null>>();
  private readonly watched = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(private readonly deps: HeapDeps) {}

  /**
   * The document's findings with heap evidence, plus `heap-growth` findings for declarations of
   * this document that grew where no rule fired. `docKey`: the document's path as the workspace
   * index names it; `summaries`: the workspace's file summaries (declarations).
   */
  async apply(cfg: PhpleakConfig, docKey: string, text: string, findings: Finding[], summaries: Iterable<FileSummary>): Promise<Finding[]> {
    if (cfg.heapDumps.length === 0) return findings;
    const files = cfg.heapDumps.map((f) => resolve(cfg.root, f));
    const loaded = await this.load(files);
    if (!loaded) return findings;
    const report = buildReport(loaded.before, loaded.after, {
      declarations: new DeclarationIndex(summaries),
      findingsOf: (p) => (p === docKey ? { findings, text } : undefined),
      top: 200,
    });
    const here = [...report.entries, ...report.flat].filter((e) => e.declaration?.path === docKey);
    if (here.length === 0) return findings;
    const byFinding = new Map<string, HeapEntry[]>();
    for (const e of here) {
      for (const f of e.findings) {
        const k = `${f.ruleId}:${f.range.start.offset}:${f.range.end.offset}`;
        byFinding.set(k, [...(byFinding.get(k) ?? []), e]);
      }
    }
    const out = findings.map((f) => {
      const entries = byFinding.get(`${f.ruleId}:${f.range.start.offset}:${f.range.end.offset}`);
      if (!entries) return f;
      const texts = entries.map(evidenceText);
      const next: Finding = { ...f, related: [...f.related, ...entries.map((e, i) => ({ range: e.declaration!.range, message: texts[i]! }))] };
      notes.set(next, texts);
      return next;
    });
    for (const e of here) {
      if (e.verdict !== 'heap-only') continue;
      const text = evidenceText(e);
      const f: Finding = {
        ruleId: HEAP_RULE_ID, severity: 'info',
        message: `${e.ownerText} grew between the heap dumps and no rule flags it (the static analysis missed it): ${text.replace(/^heap: /, '')}`,
        range: e.declaration!.range, related: [], fixes: [],
      };
      notes.set(f, [text]);
      out.push(f);
    }
    out.sort((a, b) => a.range.start.offset - b.range.start.offset);
    return out;
  }

  private async load(files: string[]): Promise<Loaded | null> {
    const key = files.join('\0');
    const stamp = (await Promise.all(files.map(fileStamp))).join('|');
    const current = this.loaded.get(key);
    if (current) {
      const l = await current;
      if (l?.stamp === stamp || (l === null && this.failedStamps.get(key) === stamp)) return l;
    }
    for (const f of files) this.watch(f);
    const p = this.read(key, files, stamp);
    this.loaded.set(key, p);
    return p;
  }

  private readonly failedStamps = new Map<string, string>();

  private async read(key: string, files: string[], stamp: string): Promise<Loaded | null> {
    try {
      const before = await loadSnapshot(files[0]!);
      const after = files[1] ? await loadSnapshot(files[1]) : null;
      // Rows are all the evidence needs.
      release(before);
      if (after) release(after);
      return { key, stamp, before, after };
    } catch (e) {
      this.failedStamps.set(key, stamp);
      const msg = e instanceof DumpError ? e.message : e instanceof Error ? e.message : String(e);
      if (!this.warned.has(msg)) {
        this.warned.add(msg);
        this.deps.warn(`phpleak: heapDumps: ${msg}. No heap evidence until it is fixed.`);
      }
      return null;
    }
  }

  private watch(file: string): void {
    if (this.watched.has(file)) return;
    this.watched.add(file);
    // Polling: works for every client and file system; the stamp check before use is the truth.
    watchFile(file, { interval: 1000, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) this.deps.changed();
    });
  }

  close(): void {
    for (const f of this.watched) unwatchFile(f);
    this.watched.clear();
  }
}

function fileStamp(file: string): Promise<string> {
  return new Promise((done) => stat(file, (err, s) => done(err ? 'missing' : `${s.size}:${s.mtimeMs}`)));
}
