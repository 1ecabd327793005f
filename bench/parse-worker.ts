import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { parsePhp } from '../engine/parse.js';

// Parse-only timing for the bench: parses each file (read untimed) and reports the time per
// file, so the bench can stop a file that hangs the parser and go on with the next one.
// `php-parser` times php-parser alone (a fresh Engine with phpleak's options and none of its
// patches or repairs: the floor issue 14 measures against); `parsePhp` times phpleak's parse.

const { files, from, mode } = workerData as { files: string[]; from: number; mode: 'php-parser' | 'parsePhp' };
type RawEngine = { parseCode(text: string, name: string): unknown };
const { Engine } = createRequire(import.meta.url)('php-parser') as { Engine: new (opts: object) => RawEngine };
const raw = new Engine({ parser: { version: '8.5', extractDoc: true, suppressErrors: true }, ast: { withPositions: true } });
const parse = mode === 'php-parser' ? (text: string, path: string) => { try { raw.parseCode(text, path); } catch { /* a syntax error php-parser throws on */ } } : parsePhp;
for (let i = from; i < files.length; i++) {
  let text: string;
  try { text = readFileSync(files[i]!, 'utf8'); } catch { parentPort!.postMessage({ i, ms: 0 }); continue; }
  parentPort!.postMessage({ i, start: true });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  parse(text, files[i]!);
  const c = process.cpuUsage(c0);
  parentPort!.postMessage({ i, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
}
parentPort!.postMessage({ done: true });
