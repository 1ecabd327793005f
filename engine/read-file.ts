import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

// Every file phpleak reads (sources, phpleak.json, baselines, cache files, and the re-read
// before a fix is written) goes through here: only a regular file, never more than `max` bytes,
// and an open that cannot block. A path swapped for a FIFO after discovery would otherwise hang
// the run on open(); a link to /dev/zero would fill memory. The type is checked on the opened
// descriptor (fstat), so a swap between a stat and the open cannot get through either.

/** Why a read was refused; `code` is an errno name or one of our own two. */
export class ReadRefused extends Error {
  constructor(readonly code: 'ENOTREG' | 'ETOOBIG', message: string) {
    super(message);
    this.name = 'ReadRefused';
  }
}

// O_NONBLOCK makes open() of a FIFO without writer return at once (then fstat refuses it);
// on a regular file it changes nothing. O_NOCTTY: a terminal device never becomes ours.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * The bytes of a regular file of at most `max` bytes. Throws ReadRefused (ENOTREG, ETOOBIG) or
 * the system error (ENOENT, EACCES, EIO…) with its `code`.
 */
export function readRegularFile(path: string, max: number): Buffer {
  const fd = openSync(path, FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReadRefused('ENOTREG', `${path} is not a regular file`);
    if (st.size > max) throw new ReadRefused('ETOOBIG', `${path} is larger than ${formatSize(max)}`);
    // Read to the end, not to st.size: the file may grow or shrink meanwhile; the bound holds.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 0) + 1, max - total + 1, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw new ReadRefused('ETOOBIG', `${path} is larger than ${formatSize(max)}`);
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The errno-like code of a read failure, for messages ("cannot be read (ENOENT)"). */
export function readErrorCode(e: unknown): string {
  if (e instanceof ReadRefused) return e.code === 'ENOTREG' ? 'not a regular file' : e.message.replace(/^.* is /, '');
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const mb = bytes / (1024 * 1024);
    return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  }
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

/** Bounds for phpleak's own files: far above any real one, far below a memory problem. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_BASELINE_BYTES = 256 * 1024 * 1024;
export const MAX_CACHE_BYTES = 256 * 1024 * 1024;
