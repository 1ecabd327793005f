import { editDistance } from '../engine/suggest.js';
import { SEVERITIES, type Severity } from '../engine/types.js';
import type { RuleLevel } from '../engine/config.js';

// Command-line parsing (DESIGN §5). Table-driven, strict: an unknown flag or a bad value is a
// UsageError (exit 2) with a one-line reason, never silently ignored.

export const FORMATS = ['stylish', 'json', 'sarif', 'checkstyle', 'junit', 'github', 'gitlab'] as const;
export type FormatName = (typeof FORMATS)[number];

export type Command = 'lint' | 'rules' | 'explain' | 'init' | 'heap' | 'help' | 'version';

export interface Shard { index: number; total: number }

/** One `--format name[:file]`: a report in that format, to the file or (without one) stdout/-o. */
export interface ReportTarget { format: FormatName; file?: string }

export interface CliOptions {
  command: Command;
  paths: string[];
  /** The first --format (stylish by default). */
  format: FormatName;
  /** Every --format given, in order; empty when none was (stylish, plus github under Actions). */
  reports: ReportTarget[];
  output?: string;
  config?: string;
  ruleOverrides: Record<string, RuleLevel>;
  failOn: Severity;
  /** --max-warnings: exit 1 when there are more warnings than this (ESLint's option). */
  maxWarnings?: number;
  /** --min-severity / --include-info: findings below it are left out of every report. */
  minSeverity?: Severity;
  fix: boolean;
  fixDryRun: boolean;
  fixUnsafe: boolean;
  staged: boolean;
  stdin: boolean;
  stdinFilename?: string;
  /** true: the default file; a string: that file. */
  generateBaseline?: string | true;
  baseline?: string;
  noBaseline: boolean;
  cache: boolean;
  cacheLocation?: string;
  jobs?: number;
  shard?: Shard;
  progress: boolean;
  quiet: boolean;
  /** The human format also shows each finding's details (why, measured cost) and related locations. */
  verbose: boolean;
  /** undefined: colours on a TTY unless NO_COLOR; true/false: --color/--no-color. */
  color?: boolean;
  /** `init`: overwrite an existing phpleak.json. */
  force: boolean;
  /** `heap`: the later dump, the iterations between the dumps, the class or address to trace. */
  compare?: string;
  iterations?: number;
  refPath?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Handler = (o: CliOptions, value: string | undefined, flag: string) => void;
interface Spec { takes: 'none' | 'value' | 'optional'; set: Handler }

const oneOf = <T extends string>(list: readonly T[], v: string, flag: string): T => {
  if (!(list as readonly string[]).includes(v)) throw new UsageError(`${flag} expects one of ${list.join(', ')}, got "${v}"`);
  return v as T;
};

const SPECS: Record<string, Spec> = {
  '--format': { takes: 'value', set: (o, v, f) => {
    // name or name:file (PHP_CodeSniffer's --report-FORMAT=FILE); only a known name before the
    // colon splits, so a format name alone is still checked with the list of names.
    const colon = v!.indexOf(':');
    const name = colon > 0 && (FORMATS as readonly string[]).includes(v!.slice(0, colon)) ? v!.slice(0, colon) : v!;
    const file = name === v ? undefined : v!.slice(colon + 1);
    if (file === '') throw new UsageError(`${f} ${name}: expects a file name after the colon`);
    const format = oneOf(FORMATS, name, f);
    if (o.reports.length === 0) o.format = format;
    o.reports.push({ format, ...(file !== undefined ? { file } : {}) });
  } },
  '--output': { takes: 'value', set: (o, v) => { o.output = v; } },
  '--config': { takes: 'value', set: (o, v) => { o.config = v; } },
  '--rule': { takes: 'value', set: (o, v, f) => {
    const m = /^([A-Za-z0-9_-]+)\s*[=:]\s*([a-z]+)$/.exec(v!);
    if (!m) throw new UsageError(`${f} expects <rule-id>=<severity|off>, got "${v}"`);
    o.ruleOverrides[m[1]!] = oneOf([...SEVERITIES, 'off'] as const, m[2]!, `${f} ${m[1]}`);
  } },
  '--fail-on': { takes: 'value', set: (o, v, f) => { o.failOn = oneOf(SEVERITIES, v!, f); } },
  '--max-warnings': { takes: 'value', set: (o, v, f) => {
    if (!/^(0|[1-9][0-9]*)$/.test(v!)) throw new UsageError(`${f} expects a number of warnings (0 or more), got "${v}"`);
    o.maxWarnings = Number(v);
  } },
  '--min-severity': { takes: 'value', set: (o, v, f) => { o.minSeverity = oneOf(SEVERITIES, v!, f); } },
  '--include-info': { takes: 'none', set: (o) => { o.minSeverity = 'hint'; } },
  '--fix': { takes: 'none', set: (o) => { o.fix = true; } },
  '--fix-dry-run': { takes: 'none', set: (o) => { o.fixDryRun = true; } },
  '--fix-unsafe': { takes: 'none', set: (o) => { o.fixUnsafe = true; } },
  '--staged': { takes: 'none', set: (o) => { o.staged = true; } },
  '--stdin': { takes: 'none', set: (o) => { o.stdin = true; } },
  '--stdin-filename': { takes: 'value', set: (o, v) => { o.stdinFilename = v; } },
  '--generate-baseline': { takes: 'optional', set: (o, v) => { o.generateBaseline = v ?? true; } },
  '--baseline': { takes: 'value', set: (o, v) => { o.baseline = v; } },
  '--no-baseline': { takes: 'none', set: (o) => { o.noBaseline = true; } },
  '--cache': { takes: 'none', set: (o) => { o.cache = true; } },
  '--no-cache': { takes: 'none', set: (o) => { o.cache = false; } },
  '--cache-location': { takes: 'value', set: (o, v) => { o.cacheLocation = v; } },
  '--jobs': { takes: 'value', set: (o, v, f) => {
    if (!/^[1-9][0-9]*$/.test(v!)) throw new UsageError(`${f} expects a positive number of worker threads, got "${v}"`);
    o.jobs = Math.min(Number(v), 64);
  } },
  '--shard': { takes: 'value', set: (o, v, f) => {
    const m = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(v!);
    if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`${f} expects I/N with 1 <= I <= N (e.g. 2/4), got "${v}"`);
    o.shard = { index: Number(m[1]), total: Number(m[2]) };
  } },
  '--progress': { takes: 'none', set: (o) => { o.progress = true; } },
  '--no-progress': { takes: 'none', set: (o) => { o.progress = false; } },
  '--quiet': { takes: 'none', set: (o) => { o.quiet = true; } },
  '--verbose': { takes: 'none', set: (o) => { o.verbose = true; } },
  '--color': { takes: 'none', set: (o) => { o.color = true; } },
  '--no-color': { takes: 'none', set: (o) => { o.color = false; } },
  '--force': { takes: 'none', set: (o) => { o.force = true; } },
  '--compare': { takes: 'value', set: (o, v) => { o.compare = v; } },
  '--iterations': { takes: 'value', set: (o, v, f) => {
    if (!/^[1-9][0-9]*$/.test(v!)) throw new UsageError(`${f} expects a positive number of iterations (jobs, requests) between the dumps, got "${v}"`);
    o.iterations = Number(v);
  } },
  '--ref-path': { takes: 'value', set: (o, v) => { o.refPath = v; } },
  '--help': { takes: 'none', set: (o) => { o.command = 'help'; } },
  '--version': { takes: 'none', set: (o) => { o.command = 'version'; } },
};

const SHORT: Record<string, string> = { '-f': '--format', '-o': '--output', '-c': '--config', '-j': '--jobs', '-q': '--quiet', '-h': '--help', '-v': '--version' };

const SUBCOMMANDS = new Set(['rules', 'explain', 'init', 'heap']);

export function defaultOptions(): CliOptions {
  return {
    command: 'lint', paths: [], format: 'stylish', reports: [], ruleOverrides: {}, failOn: 'warning', fix: false, fixDryRun: false,
    fixUnsafe: false, staged: false, stdin: false, noBaseline: false, cache: false, progress: true, quiet: false,
    verbose: false, force: false,
  };
}

/** Parses argv (without node and script). Throws UsageError. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o = defaultOptions();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    let flag = arg;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { flag = arg.slice(0, eq); inline = arg.slice(eq + 1); }
    else if (!arg.startsWith('--') && arg.length > 2) { flag = arg.slice(0, 2); inline = arg.slice(2).replace(/^=/, ''); }
    const name = SHORT[flag] ?? flag;
    const spec = SPECS[name];
    if (!spec) throw new UsageError(`unknown option ${flag}${suggestFlag(flag)} (see phpleak --help)`);
    let value: string | undefined;
    if (spec.takes === 'none') {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    } else if (spec.takes === 'value') {
      value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('-') && value !== '-')) {
        throw new UsageError(`${flag} expects a value`);
      }
    } else {
      // An optional value is taken only as --flag=value or when the next word names a .json file,
      // so `--generate-baseline src` still lints src.
      if (inline !== undefined) value = inline;
      else if (argv[i + 1] !== undefined && /\.json$/i.test(argv[i + 1]!)) value = argv[++i];
    }
    spec.set(o, value, flag);
  }
  if (o.command === 'lint' && positional.length > 0 && SUBCOMMANDS.has(positional[0]!)) {
    o.command = positional.shift() as Command;
  }
  o.paths = positional;
  validate(o);
  return o;
}

function validate(o: CliOptions): void {
  if (o.command === 'heap') {
    if (o.paths.length === 0) throw new UsageError('heap expects a dump file, e.g. phpleak heap dump.json --compare later.json');
    if (!['stylish', 'json', 'sarif'].includes(o.format)) throw new UsageError(`heap supports --format stylish, json or sarif, got "${o.format}"`);
    if (o.refPath !== undefined && o.format === 'sarif') throw new UsageError('--ref-path prints chains of references: use --format stylish or json');
    if (o.iterations !== undefined && o.compare === undefined) throw new UsageError('--iterations needs --compare (the number of iterations between the two dumps)');
    return;
  }
  if (o.compare !== undefined || o.iterations !== undefined || o.refPath !== undefined) throw new UsageError('--compare, --iterations and --ref-path are options of phpleak heap');
  if (o.command === 'explain') {
    if (o.paths.length !== 1) throw new UsageError('explain expects one rule id, e.g. phpleak explain unbounded-cache');
    return;
  }
  if (o.command === 'rules' || o.command === 'init') {
    if (o.paths.length > 0) throw new UsageError(`${o.command} takes no arguments, got "${o.paths.join(' ')}"`);
    if (o.command === 'rules' && ((o.format !== 'stylish' && o.format !== 'json') || o.reports.length > 1 || o.reports.some((r) => r.file))) throw new UsageError('rules supports --format json only');
    return;
  }
  if (o.command !== 'lint') return;
  if (o.fix && o.fixDryRun) throw new UsageError('--fix and --fix-dry-run cannot be combined');
  if (o.fixUnsafe && !o.fix && !o.fixDryRun) throw new UsageError('--fix-unsafe needs --fix or --fix-dry-run');
  if (o.stdin && o.staged) throw new UsageError('--stdin and --staged cannot be combined');
  if (o.stdin && o.paths.length > 0) throw new UsageError('--stdin lints standard input: give the file name with --stdin-filename, not as a path');
  if (o.stdinFilename !== undefined && !o.stdin) throw new UsageError('--stdin-filename needs --stdin');
  if (o.staged && o.fix) throw new UsageError('--staged lints the git index and --fix writes the working tree: run phpleak --fix on the files, then git add them');
  if (o.baseline !== undefined && o.noBaseline) throw new UsageError('--baseline and --no-baseline cannot be combined');
  if (o.generateBaseline !== undefined && (o.fix || o.fixDryRun)) throw new UsageError('--generate-baseline cannot be combined with --fix or --fix-dry-run');
  if (o.shard && (o.stdin || o.staged)) throw new UsageError('--shard splits a file list: it cannot be combined with --stdin or --staged');
}

function suggestFlag(flag: string): string {
  const names = [...Object.keys(SPECS), ...Object.keys(SHORT)];
  const close = names.find((n) => n.startsWith(flag) || flag.startsWith(n + '-') || editDistance(n, flag) <= 2);
  return close ? ` (did you mean ${close}?)` : '';
}

export const HELP = `Usage: phpleak [options] [paths...]     lint PHP files and folders
       phpleak rules [--format json]    list the rules
       phpleak explain <rule-id>        print a rule's documentation
       phpleak init [--force]           write a starter phpleak.json
       phpleak heap DUMP.json [--compare LATER.json] [--iterations N] [--ref-path CLASS|0xADDR] [paths...]
                                        rank a php-meminfo heap dump and join it with the code (phpleak explain heap)

Options:
  -f, --format <name>[:<file>]   stylish (default) | json | sarif | checkstyle | junit | github | gitlab;
                                 repeatable, each to its own file: -f sarif:phpleak.sarif -f stylish
                                 (under GitHub Actions, no -f: stylish plus github annotations)
  -o, --output <file>            write the report (the format given without a file) to a file
  -c, --config <file>            default: nearest phpleak.json upward from the working directory
      --rule <id>=<severity|off> override a rule's severity (repeatable)
      --fail-on <severity>       lowest severity that makes the exit code 1 (default: warning)
      --max-warnings <n>         also exit 1 when there are more than n warnings
      --min-severity <severity>  leave findings below it out of every report; github, gitlab and
      --include-info             junit leave out info and hint unless given (= --min-severity hint)
      --fix                      apply safe fixes to the files
      --fix-dry-run              print the fixes as a unified diff, change nothing
      --fix-unsafe               with --fix/--fix-dry-run: also apply fixes marked unsafe
      --force                    write -o/--generate-baseline even onto a .php or linted file
      --staged                   lint the staged content (git index) of staged files
      --stdin                    lint standard input; --stdin-filename <path> names it
      --generate-baseline [file] accept today's findings into phpleak-baseline.json
      --baseline <file>          baseline to use (default: phpleak-baseline.json when present)
      --no-baseline              ignore the baseline
      --cache, --no-cache        result cache (off by default); --cache-location <dir>
  -j, --jobs <n>                 worker threads (default: number of cores)
      --shard <i>/<n>            lint only the i-th of n stable slices of the files
      --verbose                  stylish: also why each finding matters and its related locations
      --no-progress, -q/--quiet, --no-color (NO_COLOR is respected)
  -h, --help, -v, --version

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, configuration or internal error,
or a fix that --fix could not write.
`;
