import { relative, resolve, sep } from 'node:path';
import { discoverFiles, isCandidate, toRelative } from '../engine/discover.js';
import { UsageError, type CliOptions } from './args.js';
import type { Target } from './lint-files.js';
import type { RunSettings } from './settings.js';
import { inShard } from './shard.js';
import { stagedFiles } from './staged.js';

// Which files a run lints: standard input, the staged blobs of the git index, or files found
// on disk (given paths, else the config's include, else the working directory), sharded.

export interface TargetSet {
  targets: Target[];
  /** Folder the report's paths are relative to: cwd, or the repository root for --staged. */
  base: string;
  /** Every file of the project was considered (no path, shard, stdin or staged subset). */
  whole: boolean;
  notices: string[];
  /** --stdin: the text read, also when it was not linted (--fix then prints it unchanged). */
  stdin?: Buffer;
}

export async function collectTargets(o: CliOptions, settings: RunSettings, cwd: string, readStdin: () => Promise<Buffer>): Promise<TargetSet> {
  const cfg = settings.cfg;
  const notices: string[] = [];
  if (o.stdin) {
    const content = await readStdin();
    const abs = resolve(cwd, o.stdinFilename ?? 'stdin.php');
    if (o.stdinFilename !== undefined && !isCandidate(abs, cfg, { includeDependencies: true }) && hasExtension(abs, cfg.extensions)) {
      notices.push(`${o.stdinFilename} is excluded by ${cfg.file ?? 'the configuration'}; not linted`);
      return { targets: [], base: cwd, whole: false, notices, stdin: content };
    }
    return { targets: [{ abs, display: o.stdinFilename !== undefined ? toRelative(cwd, abs) || o.stdinFilename : '<stdin>', content }], base: cwd, whole: false, notices, stdin: content };
  }
  if (o.staged) {
    const given = o.paths.map((p) => resolve(cwd, p));
    const under = (abs: string) => given.length === 0 || given.some((g) => abs === g || abs.startsWith(g.endsWith(sep) ? g : g + sep));
    const { root, files } = stagedFiles(cwd, (abs) => isCandidate(abs, cfg) && under(abs));
    return { targets: files.map((f) => ({ abs: f.abs, display: f.rel, content: f.content })), base: root, whole: false, notices };
  }
  const found = discoverFiles({ paths: o.paths, cwd, config: cfg });
  if (found.missing.length > 0) {
    throw new UsageError(`no such file or folder: ${found.missing.map((m) => relative(cwd, m) || m).join(', ')}`);
  }
  notices.push(...found.warnings);
  let files = found.files;
  if (o.shard) {
    const shard = o.shard;
    files = files.filter((f) => inShard(toRelative(cfg.root, f), shard));
  }
  return {
    targets: files.map((abs) => ({ abs, display: toRelative(cwd, abs) })),
    base: cwd, whole: o.paths.length === 0 && !o.shard, notices,
  };
}

function hasExtension(abs: string, extensions: readonly string[]): boolean {
  const dot = abs.lastIndexOf('.');
  return dot > 0 && extensions.map((e) => e.toLowerCase()).includes(abs.slice(dot + 1).toLowerCase());
}
