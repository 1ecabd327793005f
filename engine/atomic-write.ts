import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, sep, isAbsolute } from 'node:path';
import { readRegularFile } from './read-file.js';

// Every file phpleak writes for the user (fixed sources, reports, baselines, phpleak.json, the
// cache) is written here: to a new file in the same folder, flushed to disk, then renamed over
// the target. A full disk, a read-only file or a kill leaves the old file whole, never a cut
// one. The new file takes the old one's mode (and owner, when we may set it).
//
// For fixed sources, `expect` is the hash of the bytes the fix was computed from: the file is
// re-read and compared just before the rename, so an editor's save during the run is not
// overwritten (the window left is the rename itself). A hard link to the file keeps the old
// content (a rename replaces the name, not the inode).

export type WriteFailure = 'EISDIR' | 'ENOTREG' | 'ECHANGED' | 'EOUTSIDE';

export class WriteError extends Error {
  constructor(readonly path: string, readonly code: string, readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'WriteError';
  }
}

export interface AtomicWriteOptions {
  /** sha1 (hex) the current content must still have; otherwise nothing is written (ECHANGED). */
  expectHash?: string;
  /** A symlink is followed only to a target inside one of these folders (EOUTSIDE otherwise). */
  within?: readonly string[];
  /** Bound for the re-read behind `expectHash`. */
  maxBytes?: number;
}

export function sha1(bytes: Buffer | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Writes `data` to `path` atomically; returns the path written (a symlink's target). Throws WriteError. */
export function writeFileAtomic(path: string, data: string | Buffer, opts: AtomicWriteOptions = {}): string {
  const target = resolveTarget(path, opts.within);
  let old: Stats | null = null;
  try {
    old = statSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(path, e);
  }
  if (old?.isDirectory()) throw new WriteError(path, 'EISDIR', 'is a directory');
  if (old && !old.isFile()) throw new WriteError(path, 'ENOTREG', 'is not a regular file; not replaced');
  if (opts.expectHash !== undefined && !old) throw new WriteError(path, 'ECHANGED', 'was removed while phpleak ran; not written');

  const tmp = join(dirname(target), `.${basename(target)}.phpleak-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    throw wrap(path, e);
  }
  let renamed = false;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fchmodSync(fd, old ? old.mode & 0o7777 : 0o666 & ~currentUmask());
    if (old && (old.uid !== process.getuid?.() || old.gid !== process.getgid?.())) {
      try { fchownSync(fd, old.uid, old.gid); } catch { /* only root may give a file away: keep ours */ }
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    if (opts.expectHash !== undefined) {
      let now: Buffer;
      try {
        now = readRegularFile(target, opts.maxBytes ?? Number.MAX_SAFE_INTEGER);
      } catch {
        throw new WriteError(path, 'ECHANGED', 'can no longer be read; not written');
      }
      if (sha1(now) !== opts.expectHash) throw new WriteError(path, 'ECHANGED', 'changed while phpleak ran; not written');
    }
    renameSync(tmp, target);
    renamed = true;
    syncDir(dirname(target));
    return target;
  } catch (e) {
    throw e instanceof WriteError ? e : wrap(path, e);
  } finally {
    if (fd! >= 0) try { closeSync(fd!); } catch { /* already failed */ }
    if (!renamed) try { unlinkSync(tmp); } catch { /* never created or already gone */ }
  }
}

/**
 * The file to write: `path` itself, or where it really is when it or a folder above it is a
 * symbolic link; with `within`, that place must be inside one of those folders.
 */
function resolveTarget(path: string, within: readonly string[] | undefined): string {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return path; // does not exist yet: created as a plain file
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw new WriteError(path, 'ENOENT', `is a broken symbolic link (${(e as NodeJS.ErrnoException).code ?? String(e)}); not written`);
  }
  if (within !== undefined && !within.some((w) => inside(realpathSafe(w), real))) {
    const what = st.isSymbolicLink() ? 'is a symbolic link to' : 'is reached through a symbolic link to a folder, at';
    throw new WriteError(path, 'EOUTSIDE', `${what} ${real}, outside the linted folders; not written`);
  }
  return real;
}

function inside(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r !== '' && !r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r);
}

function realpathSafe(p: string): string {
  try { return realpathSync(p); } catch { return p; }
}

/** The rename itself is durable only once the folder is flushed (ext4, xfs). Best effort. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* some file systems refuse fsync on a folder */ }
}

let umaskCache: number | undefined;
function currentUmask(): number {
  // process.umask() without an argument is deprecated; read it the way it must be read.
  if (umaskCache === undefined) {
    try {
      const u = process.umask(0o022);
      process.umask(u);
      umaskCache = u;
    } catch {
      umaskCache = 0o022; // worker threads may not change it
    }
  }
  return umaskCache;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device', EFBIG: 'file too large for this process or file system',
  EDQUOT: 'disk quota exceeded', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EROFS: 'read-only file system', ENOTDIR: 'a parent of it is not a folder', EISDIR: 'is a directory',
  ENOENT: 'its folder does not exist', EIO: 'input/output error',
};

function wrap(path: string, e: unknown): WriteError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  return new WriteError(path, code, `cannot be written (${code}: ${REASONS[code] ?? (e instanceof Error ? e.message : String(e))})`);
}
