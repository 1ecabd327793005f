import { MAX_BASELINE_BYTES, readErrorCode, readRegularFile } from './read-file.js';
import type { Finding } from './types.js';

// The baseline (DESIGN §7): accepted findings listed by file, rule, message and count, so an
// entry survives lines moving (as PHPStan's baseline does). Shared by the CLI and the server.
// Files are `/`-separated paths relative to the baseline file's folder, so the baseline works
// from any working directory.

export const BASELINE_FILE_NAME = 'phpleak-baseline.json';
export const BASELINE_VERSION = 1;

export interface BaselineEntry { file: string; rule: string; message: string; count: number }
export interface Baseline { entries: BaselineEntry[] }

export class BaselineError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'BaselineError';
  }
}

export function parseBaseline(text: string, file: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new BaselineError(file, `is not valid JSON (${e instanceof Error ? e.message : String(e)}); regenerate it with --generate-baseline`);
  }
  const obj = raw as { version?: unknown; entries?: unknown };
  if (typeof raw !== 'object' || raw === null || !Array.isArray(obj.entries)) {
    throw new BaselineError(file, 'expected an object with an "entries" array; regenerate it with --generate-baseline');
  }
  if (obj.version !== undefined && obj.version !== BASELINE_VERSION) {
    throw new BaselineError(file, `version ${String(obj.version)} is not supported (expected ${BASELINE_VERSION})`);
  }
  const entries = (obj.entries as unknown[]).map((e, i): BaselineEntry => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      throw new BaselineError(file, `entries[${i}]: expected an object { "file", "rule", "message", "count" }, got ${e === null ? 'null' : Array.isArray(e) ? 'an array' : typeof e}`);
    }
    const x = e as Partial<BaselineEntry>;
    const count = x.count ?? 1;
    if (typeof x.file !== 'string' || typeof x.rule !== 'string' || typeof x.message !== 'string' || typeof count !== 'number' || !(count >= 1)) {
      throw new BaselineError(file, `entries[${i}]: expected { "file", "rule", "message", "count" >= 1 }`);
    }
    return { file: x.file, rule: x.rule, message: x.message, count: Math.floor(count) };
  });
  return { entries };
}

export function loadBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readRegularFile(file, MAX_BASELINE_BYTES).toString('utf8');
  } catch (e) {
    throw new BaselineError(file, `cannot be read (${readErrorCode(e)})`);
  }
  return parseBaseline(text, file);
}

/** Builds a baseline from findings; `files` maps each file's baseline-relative path to its findings. */
export function createBaseline(files: Iterable<{ file: string; findings: readonly Finding[] }>): Baseline {
  const counts = new Map<string, BaselineEntry>();
  for (const { file, findings } of files) {
    for (const f of findings) {
      const key = entryKey(file, f.ruleId, f.message);
      const e = counts.get(key);
      if (e) e.count++;
      else counts.set(key, { file, rule: f.ruleId, message: f.message, count: 1 });
    }
  }
  const entries = [...counts.values()].sort((a, b) => cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.message, b.message));
  return { entries };
}

/** Stable text: sorted entries, one per line group, ending with a newline (diffs stay small). */
export function serializeBaseline(b: Baseline): string {
  return JSON.stringify({ version: BASELINE_VERSION, entries: b.entries }, null, 2) + '\n';
}

/**
 * Matches one file's findings against the baseline. Up to `count` findings with the entry's rule
 * and message are accepted (the first ones by position: a new one is most often added after);
 * the rest are kept. `unmatched` is how many accepted slots found no finding (fixed findings).
 */
export class BaselineMatcher {
  private readonly byFile = new Map<string, Map<string, BaselineEntry>>();
  private readonly used = new Map<BaselineEntry, number>();

  constructor(readonly baseline: Baseline) {
    for (const e of baseline.entries) {
      let m = this.byFile.get(e.file);
      if (!m) this.byFile.set(e.file, (m = new Map()));
      const k = entryKey('', e.rule, e.message);
      const prev = m.get(k);
      // Two entries for the same finding (hand-edited): add them up.
      m.set(k, prev ? { ...prev, count: prev.count + e.count } : e);
    }
  }

  hasFile(file: string): boolean { return this.byFile.has(file); }

  /** Keeps the findings the baseline does not accept; counts what it accepted. */
  filter(file: string, findings: readonly Finding[]): { kept: Finding[]; suppressed: number } {
    const entries = this.byFile.get(file);
    if (!entries) return { kept: [...findings], suppressed: 0 };
    const kept: Finding[] = [];
    let suppressed = 0;
    for (const f of findings) {
      const e = entries.get(entryKey('', f.ruleId, f.message));
      const n = e ? this.used.get(e) ?? 0 : 0;
      if (e && n < e.count) {
        this.used.set(e, n + 1);
        suppressed++;
      } else {
        kept.push(f);
      }
    }
    return { kept, suppressed };
  }

  /**
   * Entries (with the count that went unmatched) for findings that are gone, among the files
   * `checked` says were analysed in this run (other files' entries cannot be judged).
   */
  stale(checked: (file: string) => boolean): BaselineEntry[] {
    const out: BaselineEntry[] = [];
    for (const [file, m] of this.byFile) {
      if (!checked(file)) continue;
      for (const e of m.values()) {
        const left = e.count - (this.used.get(e) ?? 0);
        if (left > 0) out.push({ file, rule: e.rule, message: e.message, count: left });
      }
    }
    return out.sort((a, b) => cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.message, b.message));
  }
}

function entryKey(file: string, rule: string, message: string): string {
  return `${file}\0${rule}\0${message}`;
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }
