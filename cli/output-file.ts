import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { WriteError, writeFileAtomic } from '../engine/atomic-write.js';
import { UsageError } from './args.js';

// Files the CLI writes besides fixed sources: the report (-o) and the baseline
// (--generate-baseline=<file>). Both are written atomically and never onto source code: a
// mistyped `-o src/A.php` must not replace a class with a report. --force writes anyway.

export interface OutputGuard {
  /** Absolute paths of the files linted in this run. */
  linted: readonly string[];
  /** Source extensions of the configuration (without dot). */
  extensions: readonly string[];
  force: boolean;
}

/** Throws UsageError when `file` is source code and not forced. */
export function refuseSourceTarget(file: string, what: string, flag: string, guard: OutputGuard): void {
  if (guard.force) return;
  const ext = extname(file).slice(1).toLowerCase();
  const real = realOrSelf(file);
  const linted = guard.linted.some((l) => l === file || realOrSelf(l) === real);
  const source = ext !== '' && (ext === 'php' || guard.extensions.some((e) => e.toLowerCase() === ext));
  if (linted || source) {
    throw new UsageError(`${flag} ${file}: ${linted ? 'that file is being linted' : `a .${ext} file is source code`}; not writing the ${what} there (add --force to write it anyway)`);
  }
}

/** Creates the folder if needed and writes atomically; every failure is a one-line UsageError. */
export function writeOutputFile(file: string, text: string, what: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a parent of it is a file, not a folder' : `its folder cannot be created (${code})`;
    throw new UsageError(`cannot write the ${what} to ${file}: ${why}`);
  }
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    const reason = e instanceof WriteError ? e.reason : String(e);
    throw new UsageError(`cannot write the ${what} to ${file}: ${reason.replace(/^cannot be written \((.*)\)$/, '$1')}`);
  }
}

function realOrSelf(p: string): string {
  try { return realpathSync(p); } catch { return p; }
}
