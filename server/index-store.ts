import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { isSummary } from '../cli/cache-entry.js';
import type { FileSummary } from '../engine/project-index.js';
import { MAX_CACHE_BYTES } from '../engine/read-file.js';

// The language server's workspace index on disk, so a restart re-reads only the files that
// changed. Like the CLI's result cache (cli/cache.ts): entries keyed by content hash, a file
// named by a hash of what it depends on, written to a temporary file renamed into place, and a
// file that cannot be read, is corrupt, or comes from another phpleak version or build is
// ignored (the workspace is indexed again), never fatal.
//
// Unlike the CLI's cache it is JSON lines (a header, then one file per line), read and written
// a chunk at a time: 30,000 files make a file of tens of MB, and one JSON.parse or stringify of
// it would hold the editor connection for a second. A line that is not a valid entry is a miss.
// And it lives in the user's cache folder, not the workspace: an editor must not create
// node_modules/ in a PHP project (it would show in `git status`).

/** One indexed file: content hash, the stat that lets a restart skip reading it, the job's key, its summary. */
export interface StoredFile { h: string; m: number; z: number; j: string; s: FileSummary }

/** What a cache file must have been written by to be used. */
export interface StoreStamp { version: string; build: string; roots: readonly string[] }

const FORMAT = 1;
interface Header { phpleakIndex: number; version: string; build: string; roots: string[] }
const NAME_RE = /^index-[0-9a-f]{16}\.jsonl$/;
/** Index files of other workspaces kept side by side. */
const KEEP_FILES = 16;
/** Entries per write: each chunk is one await, so the connection is served between chunks. */
const CHUNK = 500;

/** The user's cache folder for phpleak (XDG on Linux, the platform's conventions elsewhere). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'phpleak', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'phpleak');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'phpleak');
}

/** The index file of a workspace (its folders, in order) inside `dir`. */
export function indexFile(dir: string, roots: readonly string[]): string {
  return join(dir, `index-${createHash('sha256').update(roots.join('\0')).digest('hex').slice(0, 16)}.jsonl`);
}

export interface Loaded { entries: Map<string, StoredFile>; warning?: string; bad: number }

/** The entries of `file` by absolute path; empty when it is missing, unreadable, corrupt or foreign. */
export async function loadIndex(file: string, stamp: StoreStamp): Promise<Loaded> {
  const entries = new Map<string, StoredFile>();
  let fh;
  try {
    // O_NONBLOCK: a FIFO put in its place cannot hang the server (as engine/read-file.ts).
    fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { entries, bad: 0 } : { entries, bad: 0, warning: `the workspace index ${file} cannot be read (${code}); the workspace is indexed again` };
  }
  let bad = 0;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_CACHE_BYTES) return { entries, bad, warning: `the workspace index ${file} is not a regular file of a sane size; the workspace is indexed again` };
    const lines = createInterface({ input: fh.createReadStream({ encoding: 'utf8', autoClose: false }), crlfDelay: Infinity });
    let header: Header | null = null;
    for await (const line of lines) {
      if (header === null) {
        try { header = JSON.parse(line) as Header; } catch { return { entries: new Map(), bad, warning: `the workspace index ${file} is corrupt; the workspace is indexed again` }; }
        if (!isCurrent(header, stamp)) return { entries, bad }; // another version, build or workspace: not ours to use
        continue;
      }
      const e = parseEntry(line);
      if (e) entries.set(e[0], e[1]); else bad++;
    }
    return { entries, bad };
  } catch (e) {
    return { entries: new Map(), bad, warning: `the workspace index ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); the workspace is indexed again` };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function isCurrent(h: unknown, stamp: StoreStamp): boolean {
  if (typeof h !== 'object' || h === null) return false;
  const x = h as Partial<Header>;
  return x.phpleakIndex === FORMAT && x.version === stamp.version && x.build === stamp.build
    && Array.isArray(x.roots) && x.roots.length === stamp.roots.length && x.roots.every((r, i) => r === stamp.roots[i]);
}

function parseEntry(line: string): [string, StoredFile] | null {
  let x: unknown;
  try { x = JSON.parse(line); } catch { return null; }
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  const ok = typeof o.p === 'string' && typeof o.h === 'string' && typeof o.j === 'string'
    && typeof o.m === 'number' && typeof o.z === 'number' && isSummary(o.s);
  return ok ? [o.p as string, { h: o.h as string, m: o.m as number, z: o.z as number, j: o.j as string, s: o.s as FileSummary }] : null;
}

/** Writes the entries to `file` atomically (a temporary file renamed into place), a chunk at a time. */
export async function saveIndex(file: string, stamp: StoreStamp, entries: Iterable<[string, StoredFile]>): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${file.slice(dir.length + 1)}.phpleak-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  let renamed = false;
  try {
    const header: Header = { phpleakIndex: FORMAT, version: stamp.version, build: stamp.build, roots: [...stamp.roots] };
    let chunk = [JSON.stringify(header)];
    for (const [p, e] of entries) {
      chunk.push(JSON.stringify({ p, h: e.h, m: e.m, z: e.z, j: e.j, s: e.s }));
      if (chunk.length >= CHUNK) { await fh.write(chunk.join('\n') + '\n'); chunk = []; }
    }
    if (chunk.length > 0) await fh.write(chunk.join('\n') + '\n');
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
    renamed = true;
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
  await prune(dir);
}

/** Keeps the most recent index files (other workspaces); only our own file names are touched. */
async function prune(dir: string): Promise<void> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => NAME_RE.test(n));
  if (names.length <= KEEP_FILES) return;
  const files = await Promise.all(names.map(async (n) => ({ p: join(dir, n), t: (await stat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  files.sort((a, b) => b.t - a.t);
  for (const f of files.slice(KEEP_FILES)) await unlink(f.p).catch(() => undefined);
}
