import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DumpError } from '../engine/heap/dump-reader.js';
import { DeclarationIndex } from '../engine/heap/join.js';
import { RefPathError, refPaths } from '../engine/heap/ref-path.js';
import { buildReport, type HeapReport } from '../engine/heap/report.js';
import { loadSnapshot, release, type Snapshot } from '../engine/heap/snapshot.js';
import type { AnyRule } from '../engine/rule.js';
import type { CliOptions } from './args.js';
import { applyCrossFile } from './cross-file.js';
import { formatHeap, formatRefPaths } from './heap-format.js';
import { lintFiles } from './lint-files.js';
import type { Io } from './run.js';
import { loadSettings } from './settings.js';
import { collectTargets } from './targets.js';

// `phpleak heap DUMP.json [--compare LATER.json] [--iterations N] [--ref-path CLASS|0xADDR] [paths...]`:
// reads php-meminfo dumps (engine/heap/), lints the project (paths, else the config's include)
// to join containers with their declarations and findings, and prints the ranked report.
// Exit codes: 0 report printed (nothing grew), 1 something grew between the two dumps,
// 2 a dump or the configuration could not be used.

export async function heapCommand(o: CliOptions, io: Io, registry: readonly AnyRule[]): Promise<number> {
  const [dumpPath, ...projectPaths] = o.paths as [string, ...string[]];
  let before: Snapshot, after: Snapshot | null = null;
  try {
    before = await loadSnapshot(resolve(io.cwd, dumpPath));
    before.file = dumpPath;
    if (o.compare !== undefined) {
      // A comparison needs rows only; ref paths are traced in the later dump.
      if (o.refPath === undefined) release(before);
      after = await loadSnapshot(resolve(io.cwd, o.compare));
      after.file = o.compare;
    }
  } catch (e) {
    if (e instanceof DumpError) {
      io.stderr.write(`phpleak: ${e.message.replace(resolve(io.cwd, dumpPath), dumpPath).replace(resolve(io.cwd, o.compare ?? dumpPath), o.compare ?? dumpPath)}\n`);
      return 2;
    }
    throw e;
  }
  const notes: string[] = [];
  for (const s of [before, after]) for (const line of s?.skipped ?? []) notes.push(`phpleak: ${s!.file}: ${line}`);

  if (o.refPath !== undefined) {
    const s = after ?? before;
    try {
      const r = refPaths(s, o.refPath);
      return emit(o, io, formatRefPaths(r, s.file, o.format), notes, 0);
    } catch (e) {
      if (e instanceof RefPathError) { io.stderr.write(`phpleak: ${e.message}\n`); return 2; }
      throw e;
    }
  }

  // The project: lint it once for its declarations and findings.
  const settings = loadSettings(io.cwd, o.config, o.ruleOverrides, registry);
  const set = await collectTargets({ ...o, paths: projectPaths, stdin: false, staged: false }, settings, io.cwd, io.readStdin);
  const outcomes = await lintFiles(set.targets, { settings, jobs: o.jobs ?? Math.max(1, availableParallelism()) });
  applyCrossFile(outcomes, settings);
  const byPath = new Map(outcomes.map((x) => [x.target.display, x]));
  const summaries = outcomes.flatMap((x) => (x.summary ? [{ ...x.summary, path: x.target.display }] : [])).sort((a, b) => (a.path < b.path ? -1 : 1));
  const report: HeapReport = buildReport(before, after, {
    ...(o.iterations ? { iterations: o.iterations } : {}),
    declarations: new DeclarationIndex(summaries),
    findingsOf: (p) => {
      const x = byPath.get(p);
      return x ? { findings: x.findings, ...(x.text !== undefined ? { text: x.text } : {}) } : undefined;
    },
  });
  if (set.targets.length === 0) notes.push('phpleak: no PHP files to join with: give the project\'s paths after the dump (phpleak heap DUMP.json src/)');
  const code = after && report.entries.length > 0 ? 1 : 0;
  return emit(o, io, formatHeap(report, o.format, { color: colorOf(o, io) }), notes, code);
}

function emit(o: CliOptions, io: Io, text: string, notes: string[], code: number): number {
  if (o.output !== undefined) {
    const out = resolve(io.cwd, o.output);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  } else {
    io.stdout.write(text);
  }
  if (notes.length > 0 && !o.quiet) io.stderr.write(notes.join('\n') + '\n');
  return code;
}

function colorOf(o: CliOptions, io: Io): boolean {
  if (o.color !== undefined) return o.color;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0' && !io.env.NO_COLOR) return true;
  return o.output === undefined && !!io.stdout.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}
