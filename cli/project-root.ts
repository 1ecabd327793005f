import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BASELINE_FILE_NAME } from '../engine/baseline.js';

// The project root of a run: what fingerprints' file paths are relative to (engine/identity.ts),
// so they are the same from any working directory. The config file's folder; else the folder
// of a baseline named on the command line; else the nearest folder, from the first path linted
// (or the working directory) upward, that holds composer.json, a git repository or a baseline;
// else the first path linted (its folder for a file), else the working directory.

const MARKERS = ['composer.json', '.git', BASELINE_FILE_NAME];

export function projectRoot(opts: { configFile: string | null; baseline?: string; paths: readonly string[]; cwd: string }): string {
  if (opts.configFile) return dirname(opts.configFile);
  if (opts.baseline !== undefined) return dirname(resolve(opts.cwd, opts.baseline));
  const first = opts.paths[0] !== undefined ? resolve(opts.cwd, opts.paths[0]) : resolve(opts.cwd);
  const start = isDir(first) ? first : dirname(first);
  for (let d = start; ; d = dirname(d)) {
    if (MARKERS.some((m) => existsSync(join(d, m)))) return d;
    if (dirname(d) === d) return start;
  }
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}
