import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../engine/atomic-write.js';
import { join } from 'node:path';
import type { FileSummary } from '../engine/project-index.js';
import { MAX_CACHE_BYTES, readErrorCode, readRegularFile } from '../engine/read-file.js';
import type { Finding } from '../engine/types.js';
import { isCacheEntry, type CacheEntry } from './cache-entry.js';

// The result cache (--cache): findings per file, keyed by the file's content hash, inside a file
// named by the run's settings hash (config + overrides + phpleak version + build). A cache that
// cannot be read or parsed is ignored and rebuilt; everything is written inside its folder
// only, through a temporary file renamed into place (a killed run never leaves half a file).

// 2: entries also hold the file's summary for the cross-file index (engine/project-index.ts).
const FORMAT = 2;
const NAME_RE = /^results-[0-9a-f]{16}\.json$/;
/** Result files of other settings kept side by side (e.g. with and without --rule overrides). */
const KEEP_FILES = 4;

type Entry = CacheEntry;
interface CacheFile { format: number; settings: string; entries: Record<string, Entry> }

export function contentHash(bytes: Buffer | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export class ResultCache {
  private entries: Map<string, Entry>;
  private readonly touched = new Set<string>();
  private dirty = false;
  readonly file: string;

  private constructor(readonly dir: string, private readonly settings: string, entries: Map<string, Entry>, readonly warning?: string) {
    this.file = join(dir, `results-${settings.slice(0, 16)}.json`);
    this.entries = entries;
  }

  static open(dir: string, settingsHash: string): ResultCache {
    const file = join(dir, `results-${settingsHash.slice(0, 16)}.json`);
    let entries = new Map<string, Entry>();
    let warning: string | undefined;
    if (existsSync(file)) {
      let text: string | undefined;
      try {
        text = readRegularFile(file, MAX_CACHE_BYTES).toString('utf8');
      } catch (e) {
        warning = `the cache ${file} cannot be read (${readErrorCode(e)}); it is rebuilt`;
      }
      try {
        const raw = text === undefined ? null : JSON.parse(text) as CacheFile;
        if (raw && raw.format === FORMAT && raw.settings === settingsHash && raw.entries && typeof raw.entries === 'object') {
          // Entries of the wrong shape are misses: linted again and rewritten (cli/cache-entry.ts).
          entries = new Map(Object.entries(raw.entries as Record<string, unknown>).filter((kv): kv is [string, Entry] => isCacheEntry(kv[1])));
        }
      } catch {
        warning = `the cache ${file} is corrupt; it is rebuilt`;
        entries = new Map();
      }
    }
    return new ResultCache(dir, settingsHash, entries, warning);
  }

  get(path: string, hash: string): Finding[] | undefined {
    const e = this.entries.get(path);
    if (!e || e.h !== hash) return undefined;
    this.touched.add(path);
    return e.f;
  }

  /** The file's summary stored with its findings (its `path` is the one it was linted under). */
  getSummary(path: string, hash: string): FileSummary | undefined {
    const e = this.entries.get(path);
    return e && e.h === hash ? e.s : undefined;
  }

  set(path: string, hash: string, findings: Finding[], summary?: FileSummary): void {
    this.entries.set(path, { h: hash, f: findings, ...(summary ? { s: summary } : {}) });
    this.touched.add(path);
    this.dirty = true;
  }

  /** Writes the cache; entries of files that no longer exist are dropped. Returns a warning on failure. */
  save(): string | undefined {
    let pruned = false;
    for (const p of this.entries.keys()) {
      if (!this.touched.has(p) && !existsSync(p)) { this.entries.delete(p); pruned = true; }
    }
    if (!this.dirty && !pruned) return undefined;
    try {
      mkdirSync(this.dir, { recursive: true });
      const body: CacheFile = { format: FORMAT, settings: this.settings, entries: Object.fromEntries(this.entries) };
      writeFileAtomic(this.file, JSON.stringify(body));
      this.prune();
      return undefined;
    } catch (e) {
      return `could not write the cache in ${this.dir} (${(e as { code?: string }).code ?? String(e)})`;
    }
  }

  /** Keeps the most recent result files of other settings; only our own file names are touched. */
  private prune(): void {
    const files = readdirSync(this.dir).filter((n) => NAME_RE.test(n)).map((n) => {
      const p = join(this.dir, n);
      try { return { p, t: statSync(p).mtimeMs }; } catch { return { p, t: 0 }; }
    });
    files.sort((a, b) => b.t - a.t);
    for (const f of files.slice(KEEP_FILES)) {
      try { unlinkSync(f.p); } catch { /* another run removed it */ }
    }
  }
}
