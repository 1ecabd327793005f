import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parsePhp } from '../engine/parse.js';

// Parse-only timing for the bench: parses each file (read untimed) and reports the time per
// file, so the bench can stop a file that hangs the parser and go on with the next one.

const { files, from } = workerData as { files: string[]; from: number };
for (let i = from; i < files.length; i++) {
  let text: string;
  try { text = readFileSync(files[i]!, 'utf8'); } catch { parentPort!.postMessage({ i, ms: 0 }); continue; }
  parentPort!.postMessage({ i, start: true });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  parsePhp(text, files[i]!);
  const c = process.cpuUsage(c0);
  parentPort!.postMessage({ i, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
}
parentPort!.postMessage({ done: true });
