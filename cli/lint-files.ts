import { isPoolFailure, LintPool } from '../engine/pool.js';
import type { FixLoopResult } from '../engine/fixes.js';
import { readErrorCode, ReadRefused, readRegularFile } from '../engine/read-file.js';
import type { FileSummary } from '../engine/project-index.js';
import type { Finding, Severity } from '../engine/types.js';
import { contentHash, type ResultCache } from './cache.js';
import { REGISTRY_URL } from './meta.js';
import type { RunSettings } from './settings.js';

// Lints a list of files in worker threads (engine/pool.ts), with the result cache in front.
// Results come back in the order of the list whatever the number of workers. Files are read
// here with a bounded number in flight, so a large tree never sits in memory at once.

export interface Target {
  abs: string;
  /** Path shown in reports (`/`-separated, relative to cwd, or to the repo root for --staged). */
  display: string;
  /** Content given in memory (--stdin, --staged); otherwise the file is read from disk. */
  content?: Buffer;
}

export interface FileOutcome {
  target: Target;
  /** The analysed text; kept only when there are findings or fixes (code frames, diffs). */
  text?: string;
  findings: Finding[];
  /**
   * --fix/--fix-dry-run: the fix loop's result when it changed the text, with the text it
   * started from, the hash of its bytes (checked again just before writing) and the findings
   * of that text (the report's, should the fixed text not be written).
   */
  fixed?: FixLoopResult & { original: string; originalHash: string; before: { findings: Finding[]; summary?: FileSummary } };
  /** Text whose bytes do not survive a UTF-8 round trip: never rewritten by --fix. */
  notUtf8?: boolean;
  /** For the cross-file index (cli/cross-file.ts); absent when the file was not analysed. */
  summary?: FileSummary;
}

export interface LintFilesOptions {
  settings: RunSettings;
  jobs: number;
  cache?: ResultCache;
  fix?: { allowUnsafe: boolean };
  onProgress?: (done: number, total: number) => void;
}

/**
 * Each worker holds one file's AST at a time, but V8 lets an idle heap grow toward its (large)
 * default limit. Measured on laravel/framework with --jobs 2: peak RSS 220 MB by default,
 * 158 MB with these bounds, at the same CPU time. 512 MB still holds the AST of a file at the
 * 4 MB maxFileSize default (about 30 bytes of heap per source byte). A larger young generation
 * does not pay for its memory: on symfony/symfony (--jobs 1) 64 MB instead of 16 cut the
 * scavenges from 1,905 to 536 but their total time by a quarter only (each copies more: the
 * engine's facts keep much of a file alive), CPU -4 %, peak RSS 178 -> 262 MB.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 16 };

/**
 * Files per message to a worker (engine/pool.ts `batch`) in a large run. A small run gets
 * smaller batches (down to one file), so its few files still spread over the workers and are
 * not all read ahead of the first results.
 */
const WORKER_BATCH = 8;

export async function lintFiles(targets: readonly Target[], opts: LintFilesOptions): Promise<FileOutcome[]> {
  const results: FileOutcome[] = new Array(targets.length);
  let pool: LintPool | null = null;
  const batch = Math.max(1, Math.min(WORKER_BATCH, Math.floor(targets.length / (opts.jobs * 8))));
  const getPool = (): LintPool => (pool ??= new LintPool({ registry: REGISTRY_URL, size: opts.jobs, heap: WORKER_HEAP, batch }));
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      results[i] = await lintOne(targets[i]!, opts, getPool);
      done++;
      opts.onProgress?.(done, targets.length);
    }
  };
  // Enough files in flight that every worker has a batch running, the next one waiting and
  // another being read.
  const inFlight = Math.max(1, Math.min(targets.length, opts.jobs * batch * 3));
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    if (pool) await (pool as LintPool).close();
  }
  return results;
}

async function lintOne(target: Target, opts: LintFilesOptions, getPool: () => LintPool): Promise<FileOutcome> {
  const { settings } = opts;
  const skipSeverity = (fallback: Severity): Severity | null => {
    const s = settings.forFile(target.abs).engineSeverities['file-skipped'];
    return s === 'off' ? null : s ?? fallback;
  };
  let bytes: Buffer;
  if (target.content) {
    bytes = target.content;
  } else {
    try {
      // Regular files only, opened without blocking, never more than maxFileSize bytes: the
      // path may have been replaced (by a FIFO, a device) since it was discovered.
      bytes = readRegularFile(target.abs, settings.cfg.maxFileSize);
    } catch (e) {
      if (e instanceof ReadRefused && e.code === 'ETOOBIG') {
        const sev = skipSeverity('info');
        return { target, findings: sev ? [skipped(sev, `skipped: larger than ${formatMb(settings.cfg.maxFileSize)} MB (set "maxFileSize" in phpleak.json to analyse it)`)] : [] };
      }
      // An unreadable file is visible (a warning), never the end of the run.
      const sev = skipSeverity('warning');
      return { target, findings: sev ? [skipped(sev, `could not be read (${readErrorCode(e)}); it was not analysed`)] : [] };
    }
  }
  const text = bytes.toString('utf8');
  // Only --fix writes text back: only then does a lossy decoding (Latin-1 files) matter.
  const notUtf8 = opts.fix !== undefined && !Buffer.from(text, 'utf8').equals(bytes);
  const hash = opts.cache ? contentHash(bytes) : '';
  const key = target.content ? `${target.abs}\0memory` : target.abs;
  let findings = opts.cache?.get(key, hash);
  let summary = findings ? opts.cache?.getSummary(key, hash) : undefined;
  if (!findings) {
    ({ findings, summary } = await getPool().lintWithSummary(settings.jobFor(target.abs, text)));
    // Timeouts and crashed workers depend on the machine's load: never cached.
    if (!findings.some(isPoolFailure)) opts.cache?.set(key, hash, findings, summary);
  }
  const out: FileOutcome = { target, findings, ...(notUtf8 ? { notUtf8 } : {}), ...(summary ? { summary } : {}) };
  if (opts.fix && !notUtf8 && findings.some((f) => f.fixes.some((x) => x.safety === 'safe' || opts.fix!.allowUnsafe))) {
    const fixed = await getPool().fix(settings.jobFor(target.abs, text), { allowUnsafe: opts.fix.allowUnsafe, maxPasses: 10 });
    if (fixed && fixed.text !== text && fixed.applied.length > 0) {
      out.fixed = { ...fixed, original: text, originalHash: contentHash(bytes), before: { findings: out.findings, ...(out.summary ? { summary: out.summary } : {}) } };
      const relinted = await getPool().lintWithSummary(settings.jobFor(target.abs, fixed.text));
      out.findings = relinted.findings;
      if (relinted.summary) out.summary = relinted.summary; else delete out.summary;
      out.text = fixed.text;
      return out;
    }
  }
  if (out.findings.length > 0) out.text = text;
  return out;
}

function skipped(severity: Severity, message: string): Finding {
  const at = { line: 1, column: 0, offset: 0 };
  return { ruleId: 'file-skipped', severity, message, range: { start: at, end: at }, related: [], fixes: [] };
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}
