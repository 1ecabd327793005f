import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// After a very large document is closed, its text (and the bytes it arrived in) are garbage,
// but an idle server allocates nothing, so V8 has no reason to collect: measured with a 20 MB
// document, RSS stayed ~60 MB above the baseline for 12 s and more after the close, until V8's
// memory reducer happened to run. One full collection right after the close gives it back.
//
// `gc` is not exposed to the server (its command line is the editor's), so it is taken the way
// jest's leak detector does: the flag is set for one fresh context, `gc` is read from it, and
// the flag is unset again. If that fails, nothing is collected early; nothing else changes.

/** Texts at least this long (UTF-16 code units) are collected right after their document closes. */
export const LARGE_TEXT = 2 * 1024 * 1024;

let gc: (() => void) | null | undefined;

function fullGc(): (() => void) | null {
  if (gc === undefined) {
    gc = (globalThis as { gc?: () => void }).gc ?? null;
    if (!gc) {
      try {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      } catch {
        gc = null;
      } finally {
        setFlagsFromString('--no-expose-gc');
      }
    }
  }
  return gc;
}

/** A large text just became garbage: collect once the current handler has let go of it. */
export function releaseLargeText(length: number): void {
  if (length < LARGE_TEXT) return;
  setTimeout(() => fullGc()?.(), 100).unref();
}
