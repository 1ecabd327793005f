import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { WriteError } from '../engine/atomic-write.js';
import { BaselineError } from '../engine/baseline.js';
import { ConfigError } from '../engine/config.js';
import { toRelative } from '../engine/discover.js';
import type { AnyRule } from '../engine/rule.js';
import { HELP, parseArgs, UsageError, type CliOptions } from './args.js';
import { applyBaseline, baselinePath, staleNotice, writeBaseline } from './baseline-step.js';
import { ResultCache } from './cache.js';
import { applyCrossFile } from './cross-file.js';
import { explainCommand, initCommand, rulesCommand } from './commands.js';
import { applyFixes, fixDiff, summaryLine } from './fix.js';
import { heapCommand } from './heap.js';
import { lintFiles } from './lint-files.js';
import { refuseSourceTarget, writeOutputFile } from './output-file.js';
import { ruleInfos, VERSION } from './meta.js';
import { planReports, writeReports } from './outputs.js';
import { createProgress } from './progress.js';
import { projectRoot } from './project-root.js';
import { atLeast, type Report } from './report.js';
import { loadSettings } from './settings.js';
import { GitError } from './staged.js';
import { collectTargets } from './targets.js';

// One CLI run: arguments → settings → files → lint (workers, cache) → fixes → baseline →
// report → exit code (0 clean, 1 findings at or above --fail-on, 2 usage/config/internal).

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  readStdin: () => Promise<Buffer>;
}

export async function run(argv: readonly string[], io: Io, registry: readonly AnyRule[]): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    return fail(io, e);
  }
  try {
    switch (o.command) {
      case 'help': io.stdout.write(HELP); return 0;
      case 'version': io.stdout.write(`${VERSION}\n`); return 0;
      case 'rules': io.stdout.write(rulesCommand(registry, o.format === 'json' ? 'json' : 'text')); return 0;
      case 'explain': io.stdout.write(explainCommand(registry, o.paths[0]!)); return 0;
      case 'init': io.stdout.write(initCommand(io.cwd, o.force)); return 0;
      case 'lint': return await lint(o, io, registry);
      case 'heap': return await heapCommand(o, io, registry);
    }
  } catch (e) {
    return fail(io, e);
  }
}

function fail(io: Io, e: unknown): number {
  const known = e instanceof UsageError || e instanceof ConfigError || e instanceof BaselineError || e instanceof GitError || e instanceof WriteError;
  const msg = e instanceof Error ? e.message : String(e);
  io.stderr.write(`phpleak: ${known ? '' : 'internal error: '}${msg.split('\n')[0]}\n`);
  if (!known && io.env.PHPLEAK_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`);
  return 2;
}

async function lint(o: CliOptions, io: Io, registry: readonly AnyRule[]): Promise<number> {
  const cwd = io.cwd;
  const plan = planReports(o, io.env, cwd);
  const settings = loadSettings(cwd, o.config, o.ruleOverrides, registry);
  const notices: string[] = [];
  const note = (s: string) => { if (!o.quiet) notices.push(s); };

  const set = await collectTargets(o, settings, cwd, io.readStdin);
  set.notices.forEach((n) => note(`phpleak: ${n}`));
  if (set.targets.length === 0 && !o.staged && !o.stdin && !o.shard) note('phpleak: no files to lint');
  // Before anything is linted or fixed: a report or baseline never replaces source code.
  const guard = { linted: set.targets.map((t) => t.abs), extensions: settings.cfg.extensions, force: o.force };
  for (const r of plan) if (r.file !== undefined) refuseSourceTarget(resolve(cwd, r.file), 'report', r.file === o.output ? '-o' : `--format ${r.format}:`, guard);
  if (typeof o.generateBaseline === 'string') refuseSourceTarget(resolve(cwd, o.generateBaseline), 'baseline', '--generate-baseline', guard);

  let cache: ResultCache | undefined;
  if (o.cache) {
    const dir = o.cacheLocation !== undefined ? resolve(cwd, o.cacheLocation) : join(settings.cfg.root, 'node_modules', '.cache', 'phpleak');
    cache = ResultCache.open(dir, settings.hash);
    if (cache.warning) note(`phpleak: ${cache.warning}`);
  }

  const progress = createProgress(io.stderr, o.progress && !o.quiet, io.env);
  const jobs = o.jobs ?? Math.max(1, availableParallelism());
  const fixing = o.fix || o.fixDryRun;
  let outcomes;
  try {
    outcomes = await lintFiles(set.targets, {
      settings, jobs, ...(cache ? { cache } : {}), ...(fixing ? { fix: { allowUnsafe: o.fixUnsafe } } : {}),
      onProgress: (d, t) => progress.update(d, t),
    });
  } finally {
    progress.done();
  }
  const cacheWarning = cache?.save();
  if (cacheWarning) note(`phpleak: ${cacheWarning}`);
  // After the cache is written: it holds each file's own findings, never cross-file ones.
  applyCrossFile(outcomes, settings);

  const bFile = baselinePath(o, settings, cwd);
  if (o.generateBaseline !== undefined) {
    io.stderr.write(writeBaseline(bFile, outcomes) + '\n');
    flush(io, notices);
    return 0;
  }

  // stdout carries the report, except where it carries text: the fixed source (--stdin --fix)
  // or the diff (--fix-dry-run); the report then goes only to --output.
  let stdoutTaken = false;
  let unwritten = 0;
  if (o.fixDryRun) {
    io.stdout.write(fixDiff(outcomes));
    note(summaryLine(applyFixes(outcomes, false), true));
    stdoutTaken = true;
  } else if (o.fix && o.stdin) {
    // Editors replace the buffer with this: never print less than what came in.
    const only = outcomes[0];
    io.stdout.write(only?.fixed?.text ?? set.stdin ?? '');
    stdoutTaken = true;
  } else if (o.fix) {
    const s = applyFixes(outcomes, { within: fixTrees(o, settings.cfg.root, cwd), maxBytes: settings.cfg.maxFileSize });
    note(summaryLine(s, false));
    // Said even with --quiet: the run fails because of them.
    s.failed.forEach((x) => notices.push(`phpleak: ${x.display}: fixes not written: the file ${x.reason}`));
    unwritten = s.failed.length;
    const notUtf8 = outcomes.filter((x) => x.notUtf8 && x.findings.some((f) => f.fixes.length > 0)).map((x) => x.target.display);
    if (notUtf8.length > 0) note(`phpleak: not fixed (not UTF-8, would be corrupted): ${notUtf8.join(', ')}`);
  }

  const baseline = applyBaseline(o, bFile, outcomes, set.whole);
  if (baseline) staleNotice(baseline, cwd).forEach(note);

  const files = outcomes.map((x) => ({
    abs: x.target.abs, path: x.target.display,
    ...(x.text !== undefined ? { text: x.text } : {}),
    findings: o.quiet ? x.findings.filter((f) => atLeast(f.severity, o.failOn)) : x.findings,
  }));
  const report: Report = {
    files, base: set.base, version: VERSION, rules: ruleInfos(registry),
    root: projectRoot({ configFile: settings.cfg.file, ...(o.baseline !== undefined ? { baseline: o.baseline } : {}), paths: o.paths, cwd }),
    ...(o.shard ? { shard: o.shard } : {}),
    ...(baseline ? { baseline: { file: toRelative(set.base, baseline.file) || baseline.file, suppressed: baseline.suppressed, stale: baseline.stale } } : {}),
  };
  const toFile = plan.every((r) => r.file !== undefined);
  const color = o.color ?? (!toFile && !!io.stdout.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  writeReports(plan, report, o, cwd, io.stdout, o.color ?? (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0' && !io.env.NO_COLOR ? true : color), stdoutTaken);
  flush(io, notices);
  // A fix that could not be written fails the run whatever --fail-on says (docs/ci.md).
  if (unwritten > 0) return 2;
  const failing = outcomes.some((x) => x.findings.some((f) => atLeast(f.severity, o.failOn)));
  const warnings = outcomes.reduce((n, x) => n + x.findings.filter((f) => f.severity === 'warning').length, 0);
  // ESLint's --max-warnings: more warnings than allowed fails the run whatever --fail-on says.
  const tooMany = o.maxWarnings !== undefined && warnings > o.maxWarnings;
  if (tooMany) io.stderr.write(`phpleak: ${warnings} warnings, more than --max-warnings ${o.maxWarnings}\n`);
  return failing || tooMany ? 1 : 0;
}

/**
 * The linted tree, for symlinked files --fix may write through: the folders given on the
 * command line (a file's folder for a file), else the project root (the config's folder).
 */
function fixTrees(o: CliOptions, root: string, cwd: string): string[] {
  if (o.paths.length === 0) return [root];
  return o.paths.map((p) => {
    const abs = resolve(cwd, p);
    try { return statSync(abs).isDirectory() ? abs : dirname(abs); } catch { return dirname(abs); }
  });
}

function flush(io: Io, notices: readonly string[]): void {
  if (notices.length > 0) io.stderr.write(notices.join('\n') + '\n');
}
