import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A closed document of many megabytes leaves its text, the JSON it came in and their copies as
// garbage in V8's large-object space, but V8 collects it only under allocation pressure: an idle
// server kept ~80 MB more RSS after a 20 MB document was closed. A full collection a moment
// after such a close gives the pages back to the system. `gc` is not exposed by default; this is
// the documented way to get it at run time, once.

const BIG_CHARS = 1024 * 1024;
let gc: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** Call when a document of `chars` characters was dropped. */
export function releaseAfterClose(chars: number): void {
  if (chars < BIG_CHARS) return;
  setTimeout(() => collector()?.(), 500).unref();
}
