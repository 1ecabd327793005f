import { MAX_BASELINE_BYTES, readErrorCode, readRegularFile } from './read-file.js';
import { identityOf, identityKey } from './identity.js';
import type { Finding } from './types.js';

// The baseline (DESIGN §7): accepted findings listed by their identity (engine/identity.ts:
// file, rule, line-free message, hash of the normalised code at the finding) and a count, so an
// entry survives lines moving, re-indentation and runs from another folder (as PHPStan's and
// ESLint's suppressions do). Shared by the CLI and the server. Files are `/`-separated paths
// relative to the baseline file's folder, so the baseline works from any working directory.
//
// Version 1 (phpleak ≤ 0.1: long messages that named lines, no code) is still read: its entries
// match findings by file and rule only, up to their count, and the CLI says to regenerate it.

export const BASELINE_FILE_NAME = 'phpleak-baseline.json';
export const BASELINE_VERSION = 2;

/** `code`: codeHash of the code at the finding (absent in version 1 files). */
export interface BaselineEntry { file: string; rule: string; message: string; code?: string; count: number }
/** `version`: of the file read (1 or 2); created baselines are always the current version. */
export interface Baseline { version?: number; entries: BaselineEntry[] }

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
  const version = obj.version === undefined ? 1 : obj.version;
  if (version !== 1 && version !== BASELINE_VERSION) {
    throw new BaselineError(file, `version ${String(obj.version)} is not supported (expected ${BASELINE_VERSION}); regenerate it with --generate-baseline`);
  }
  const entries = (obj.entries as unknown[]).map((e, i): BaselineEntry => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      throw new BaselineError(file, `entries[${i}]: expected an object { "file", "rule", "message", "count" }, got ${e === null ? 'null' : Array.isArray(e) ? 'an array' : typeof e}`);
    }
    const x = e as Partial<BaselineEntry>;
    const count = x.count ?? 1;
    if (typeof x.file !== 'string' || typeof x.rule !== 'string' || typeof x.message !== 'string' || typeof count !== 'number' || !(count >= 1)
      || (x.code !== undefined && typeof x.code !== 'string')) {
      throw new BaselineError(file, `entries[${i}]: expected { "file", "rule", "message", "code", "count" >= 1 }`);
    }
    return { file: x.file, rule: x.rule, message: x.message, ...(version !== 1 && x.code !== undefined ? { code: x.code } : {}), count: Math.floor(count) };
  });
  return { version: version as number, entries };
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

/**
 * Builds a baseline from findings; `files` gives each file's baseline-relative path, its
 * findings and its text (for the code at each finding).
 */
export function createBaseline(files: Iterable<{ file: string; findings: readonly Finding[]; text?: string }>): Baseline {
  const counts = new Map<string, BaselineEntry>();
  for (const { file, findings, text } of files) {
    for (const f of findings) {
      const id = identityOf(file, f, text);
      const key = identityKey(id);
      const e = counts.get(key);
      if (e) e.count++;
      else counts.set(key, { file, rule: id.rule, message: id.message, code: id.code, count: 1 });
    }
  }
  const entries = [...counts.values()].sort(byEntry);
  return { version: BASELINE_VERSION, entries };
}

/** Stable text: sorted entries, one per line group, ending with a newline (diffs stay small). */
export function serializeBaseline(b: Baseline): string {
  return JSON.stringify({ version: b.version ?? BASELINE_VERSION, entries: b.entries }, null, 2) + '\n';
}

/**
 * Matches one file's findings against the baseline, in passes from the most to the least exact:
 * 1. the whole identity (rule, message, code at the finding);
 * 2. rule and message, whatever the code (the line at the finding was edited, e.g. reformatted
 *    beyond whitespace): PHPStan's rule for its baseline;
 * 3. version 1 entries only: rule alone (their messages were the old long ones).
 * Each entry accepts up to `count` findings (the first ones by position in each pass); the rest
 * are kept. The code makes the right finding the new one when a file gains one more.
 */
export class BaselineMatcher {
  private readonly byFile = new Map<string, BaselineEntry[]>();
  private readonly used = new Map<BaselineEntry, number>();

  constructor(readonly baseline: Baseline) {
    const merged = new Map<string, BaselineEntry>();
    for (const e of baseline.entries) {
      // Two entries for the same finding (hand-edited): add them up.
      const k = `${e.file}\0${e.rule}\0${e.message}\0${e.code ?? ''}`;
      const prev = merged.get(k);
      if (prev) { prev.count += e.count; continue; }
      const copy = { ...e };
      merged.set(k, copy);
      const list = this.byFile.get(e.file);
      if (list) list.push(copy); else this.byFile.set(e.file, [copy]);
    }
  }

  /** Entries written by phpleak 0.1 (version 1): matched by file and rule only. */
  get legacy(): boolean { return (this.baseline.version ?? BASELINE_VERSION) < BASELINE_VERSION; }

  hasFile(file: string): boolean { return this.byFile.has(file); }

  /** Keeps the findings the baseline does not accept; counts what it accepted. `text`: the file's, for the code at each finding. */
  filter(file: string, findings: readonly Finding[], text?: string): { kept: Finding[]; suppressed: number } {
    const entries = this.byFile.get(file);
    if (!entries) return { kept: [...findings], suppressed: 0 };
    const accepted = new Set<number>();
    const ids = findings.map((f) => identityOf(file, f, text));
    const pass = (fits: (e: BaselineEntry, i: number) => boolean): void => {
      findings.forEach((_, i) => {
        if (accepted.has(i)) return;
        const e = entries.find((x) => (this.used.get(x) ?? 0) < x.count && fits(x, i));
        if (!e) return;
        this.used.set(e, (this.used.get(e) ?? 0) + 1);
        accepted.add(i);
      });
    };
    pass((e, i) => e.code !== undefined && e.rule === ids[i]!.rule && e.message === ids[i]!.message && e.code === ids[i]!.code);
    pass((e, i) => e.code !== undefined && e.rule === ids[i]!.rule && e.message === ids[i]!.message);
    pass((e, i) => e.code === undefined && e.rule === ids[i]!.rule && (this.legacy || e.message === ids[i]!.message));
    return { kept: findings.filter((_, i) => !accepted.has(i)), suppressed: accepted.size };
  }

  /**
   * Entries (with the count that went unmatched) for findings that are gone, among the files
   * `checked` says were analysed in this run (other files' entries cannot be judged).
   */
  stale(checked: (file: string) => boolean): BaselineEntry[] {
    const out: BaselineEntry[] = [];
    for (const [file, list] of this.byFile) {
      if (!checked(file)) continue;
      for (const e of list) {
        const left = e.count - (this.used.get(e) ?? 0);
        if (left > 0) out.push({ ...e, count: left });
      }
    }
    return out.sort(byEntry);
  }
}

function byEntry(a: BaselineEntry, b: BaselineEntry): number {
  return cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.message, b.message) || cmp(a.code ?? '', b.code ?? '');
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }
