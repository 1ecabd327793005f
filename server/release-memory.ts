// After a very large document is closed, its text (and the bytes it arrived in) are garbage,
// but an idle server allocates nothing, so V8 has no reason to collect: measured with a 20 MB
// document, RSS stayed ~60 MB above the baseline for 12 s and more after the close, until V8's
// memory reducer happened to run. One full collection right after the close gives it back
// (~100 MB 0.5 s after the close, baseline ~82).
//
// Only when the server runs with `node --expose-gc`: getting `gc` otherwise takes evaluating
// code in a vm context, which this project does not do (test/security).

/** Texts at least this long (UTF-16 code units) are collected right after their document closes. */
export const LARGE_TEXT = 2 * 1024 * 1024;

/** A large text just became garbage: collect once the current handler has let go of it. */
export function releaseLargeText(length: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (length < LARGE_TEXT || !gc) return;
  setTimeout(() => gc(), 100).unref();
}
