import { isTestPath, tooLargeMessage } from './config.js';
import { Facts, docblockReads } from './facts/index.js';
import { isOneShotPath } from './facts/one-shot.js';
import type { LongRunningVerdict } from './facts/long-running.js';
import { Fixer } from './fixes.js';
import type { NodeKind, PhpNode } from './nodes.js';
import { parsePhp, type ParseResult } from './parse.js';
import { keepAnalysis, keptAnalysis, noteFullAnalysis, parseDocument } from './incremental-cache.js';
import { reuseAnalysis, type Analysed } from './incremental-reuse.js';
import { withLongRunningNote, type AnyRule, type ReportDescriptor, type RuleContext } from './rule.js';
import { SourceFile, type Span } from './source.js';
import { applyDirectives, bindDeclarations, directiveFindings, readDirectives } from './suppress.js';
import { LineIndex } from './positions.js';
import { summarize, type FileSummary } from './project-index.js';
import { dropRequestOnly } from './request-only.js';
import type { HttpRuntime } from './http-runtime.js';
import { ENGINE_DEFAULTS, lowerOf, type EngineFindingId, type Finding, type Fix, type Related, type Severity } from './types.js';
import { releaseTree, walk, type Dispatch, type Handler } from './walk.js';

/** A rule as configured for one run: severity undefined means "the rule's default for this context". */
export interface RuleSetting { rule: AnyRule; severity?: Severity; options?: unknown }

export interface LintRequest {
  path: string;
  text: string;
  rules: readonly RuleSetting[];
  /**
   * The file is long-running by configuration (the `longRunning` globs: see
   * `longRunningMatcher` in engine/facts/long-running.ts). The effective context is this OR
   * what the engine detects in the code (worker loops, handlers, servers: docs/long-running.md).
   */
  longRunning?: boolean;
  /** Detect long-running code from the file itself (default true). */
  detectLongRunning?: boolean;
  /** The file is a test; defaults to `isTestPath(path)` (pass it when `path` is absolute). */
  isTestFile?: boolean;
  /**
   * The file is in a folder of one-shot scripts (bin/, build/, cli/…); defaults to
   * `isOneShotPath(path)` (pass it when `path` is absolute). Long-running evidence of the file
   * vetoes it: see `oneShot` in engine/rule.ts.
   */
  oneShotPath?: boolean;
  /** Severity (or off) for the engine's own findings. */
  engineSeverities?: Partial<Record<EngineFindingId, Severity | 'off'>>;
  /** Every rule id that exists (for "unknown id" in ignore comments); defaults to the ids in `rules`. */
  knownRuleIds?: ReadonlySet<string>;
  /** Larger files get one `file-skipped` finding instead of analysis. */
  maxFileBytes?: number;
  /** The lowest PHP version the project runs on ("8.1"), when known: fixes write code valid on it. */
  phpVersion?: string | null;
  /** How the project serves HTTP (engine/http-runtime.ts); per-request drops request-only code's findings of rules about what a process keeps. */
  httpRuntime?: HttpRuntime | null;
  /** Also return the file's summary for the project index (engine/project-index.ts). */
  summary?: boolean;
  /**
   * A key for the document this text is a version of (the editor's URI): the parse is kept for
   * the next version, which then re-parses only the member an edit falls in
   * (engine/incremental-parse.ts). Findings are the same as without it.
   */
  incremental?: string;
  /**
   * With `incremental`: when the edit since the kept parse lies in one member that no longer
   * parses alone, answer `deferred` at once instead of parsing the whole text (the language
   * server analyses it in full only when the user pauses: server/scheduler.ts).
   */
  deferBroken?: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;


const DECLARATION_KINDS = new Set<NodeKind>(['class', 'interface', 'trait', 'enum', 'function', 'method', 'propertystatement']);

export interface LintResult {
  findings: Finding[];
  /** Whether rules saw the file as long-running, and why (config, evidence in the code). */
  longRunning: LongRunningVerdict;
  /** When asked for (`summary: true`): classes, holds and long-running reason (engine/project-index.ts). */
  summary?: FileSummary;
  /** Not analysed (`deferBroken`): no findings; a full analysis of the document took `fullMs` last time. */
  deferred?: { fullMs: number };
}

/** Lints one file's text. Never throws: parse failures and rule crashes become findings. */
export function lintText(req: LintRequest): Finding[] {
  return lintTextDetailed(req).findings;
}

/** As lintText, and says whether the file was treated as long-running and why. */
export function lintTextDetailed(req: LintRequest): LintResult {
  const fromConfig = req.longRunning ?? false;
  const noVerdict = (): LongRunningVerdict => ({ longRunning: fromConfig, fromConfig, detected: [] });
  const emptySummary = (): { summary?: FileSummary } => (req.summary ? { summary: { path: req.path, classes: [], holds: [], longRunning: null, creates: [], resolved: [] } } : {});
  const sev = (id: EngineFindingId): Severity | 'off' => req.engineSeverities?.[id] ?? ENGINE_DEFAULTS[id];
  // A test's fixture that does not parse is, nearly always, broken on purpose (a parser's or a
  // tokenizer's test input): a note in the editor, not a CI failure, unless config sets it.
  const brokenFixture = req.engineSeverities?.['parse-error'] === undefined && isFixturePath(req.path, req.isTestFile);
  const engineFinding = (id: EngineFindingId, span: Span, message: string, lines: LineIndex, tip?: string): Finding[] => {
    if (id === 'parse-error' && brokenFixture) return [{ ruleId: id, severity: 'hint', message, range: lines.range(span.start, span.end), related: [], fixes: [], tip: BROKEN_FIXTURE_TIP }];
    const s = sev(id);
    if (s === 'off') return [];
    return [{ ruleId: id, severity: s, message, range: lines.range(span.start, span.end), related: [], fixes: [], ...(tip ? { tip } : {}) }];
  };

  const max = req.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (Buffer.byteLength(req.text, 'utf8') > max) {
    return { findings: engineFinding('file-skipped', { start: 0, end: 0 }, tooLargeMessage(max), new LineIndex(req.text)), longRunning: noVerdict(), ...emptySummary() };
  }

  const doc = req.incremental;
  const key = doc === undefined ? '' : requestKey(req);
  let parsed: ParseResult;
  const started = performance.now();
  /** The analysis of a whole text: its time is what a deferred one would cost (engine/incremental-cache.ts). */
  let whole = false;
  if (doc !== undefined) {
    const p = parseDocument(doc, req.text, req.path, req.deferBroken === true);
    if ('deferred' in p) return { findings: [], longRunning: noVerdict(), deferred: p.deferred };
    parsed = p.parsed;
    whole = p.whole;
    // An edit that changes no tree (blanks, words in a comment) moves the previous analysis
    // instead of redoing it (engine/incremental-reuse.ts); the same text reuses it as it is.
    const same = keptAnalysis(doc, req.text);
    const moved = same?.key === key ? same : p.previous?.analysis && reuseAnalysis(p.previous.analysis, key, p.previous.splice, p.previous.text, req.text);
    if (moved) {
      keepAnalysis(doc, req.text, moved, true);
      return structuredClone(moved.result);
    }
  } else {
    parsed = parsePhp(req.text, req.path);
  }
  if (!parsed.ok) {
    const lines = new LineIndex(req.text);
    if (whole) noteFullAnalysis(doc!, performance.now() - started);
    return { findings: parsed.problems.flatMap((p) => engineFinding('parse-error', p, p.message, lines)), longRunning: noVerdict(), ...emptySummary() };
  }
  const file = new SourceFile(req.path, req.text, parsed.program);
  docblockReads.sink = (c) => {
    if (!c.loc) return;
    const tags = c.value.indexOf('@');
    file.noteDocblockRead({ start: c.loc.start.offset + (tags < 0 ? 0 : tags), end: c.loc.end.offset });
  };
  const findings: Finding[] = parsed.problems.flatMap((p) => engineFinding('parse-error', p, p.message, file.lines));

  const facts = new Facts();
  const fixer = new Fixer(file);
  const dispatch: Dispatch = { enter: new Map(), exit: new Map() };
  const ran = new Set<string>();
  const dead = new Set<string>();
  const detect = req.detectLongRunning ?? true;
  const isTestFile = req.isTestFile ?? isTestPath(req.path);
  const oneShotPath = req.oneShotPath ?? isOneShotPath(req.path);
  // A one-shot script ends; a worker loop in it makes it long-running, and config wins.
  const oneShot = (): boolean => oneShotPath && !longRunning();
  // Detection is complete only after the walk: a finding's default severity is resolved then.
  const longRunning = (): boolean => fromConfig || (detect && facts.longRunning.detected);
  const longRunningReason = (): string | null => {
    if (fromConfig) return 'code configured as long-running ("longRunning" in phpleak.json)';
    const r = detect ? facts.longRunning.primary : null;
    return r ? `${r.label} (line ${file.rangeOf(r.node).start.line})` : null;
  };
  const unresolved: { finding: Finding; rule: AnyRule }[] = [];
  const noted: { finding: Finding; effect: string }[] = [];

  const fail = (rule: AnyRule, e: unknown): void => {
    if (dead.has(rule.meta.id)) return;
    dead.add(rule.meta.id);
    const msg = e instanceof Error ? `${e.message}${whereThrown(e)}` : String(e);
    findings.push(...engineFinding('internal-error', { start: 0, end: 0 }, `rule ${rule.meta.id} failed on this file (${msg}); the other rules ran. Please report this with the file.`, file.lines));
  };

  for (const setting of req.rules) {
    const rule = setting.rule;
    const options = mergeOptions(rule.defaultOptions, setting.options);
    const context: RuleContext<string, unknown> = {
      file, facts, options, isTestFile, phpVersion: req.phpVersion ?? null,
      get longRunning() { return longRunning(); },
      get longRunningReason() { return longRunningReason(); },
      get oneShot() { return oneShot(); },
      report: (d) => {
        const finding = toFinding(rule, setting.severity ?? d.severity ?? rule.meta.severity, d, file, fixer);
        findings.push(finding);
        if (setting.severity === undefined && rule.meta.longRunningSeverity && !d.peak) unresolved.push({ finding, rule });
        if (rule.meta.longRunningEffect) noted.push({ finding, effect: rule.meta.longRunningEffect });
      },
    };
    let visitors: Record<string, Handler | undefined>;
    try {
      visitors = rule.create(context) as Record<string, Handler | undefined>;
    } catch (e) {
      fail(rule, e);
      continue;
    }
    ran.add(rule.meta.id);
    for (const [key, handler] of Object.entries(visitors)) {
      if (!handler) continue;
      const isExit = key.endsWith(':exit');
      const kind = (isExit ? key.slice(0, -5) : key) as NodeKind;
      const guarded: Handler = (node) => {
        if (dead.has(rule.meta.id)) return;
        try { handler(node); } catch (e) { fail(rule, e); }
      };
      const map = isExit ? dispatch.exit : dispatch.enter;
      const list = map.get(kind);
      if (list) list.push(guarded); else map.set(kind, [guarded]);
    }
  }

  const comments = parsed.program.comments ?? [];
  // Nearly no file has an ignore comment: one scan of the text instead of one per comment
  // (docblocks are long). Not a read of the text (SourceFile.text): the comments are the tree's.
  const directives = req.text.includes('phpleak-ignore') ? readDirectives(file, comments) : [];
  const declarations: Span[] = [];
  const wantDecls = directives.some((d) => d.kind === 'declaration');
  dispatch.anyEnter = (n: PhpNode) => {
    facts.enter(n);
    if (wantDecls && DECLARATION_KINDS.has(n.kind)) declarations.push(file.spanOf(n));
  };
  dispatch.anyExit = (n: PhpNode) => facts.exit(n);

  try {
    walk(parsed.program, dispatch);
  } catch (e) {
    // Only the engine's own collectors can get here (rule handlers are guarded).
    findings.push(...engineFinding('internal-error', { start: 0, end: 0 }, `phpleak failed on this file (${e instanceof Error ? e.message : String(e)}). Please report this with the file.`, file.lines));
  }

  if (longRunning()) {
    // A batch command grows with its input and then ends: not "grows until it dies", so its
    // evidence raises a finding to warning at most (docs/long-running.md).
    const batchOnly = !fromConfig && facts.longRunning.reasons.every((r) => r.kind === 'batch-command');
    for (const u of unresolved) {
      const raised = lowerOf(u.rule.meta.longRunningSeverity ?? u.rule.meta.severity, u.finding.raiseTo);
      u.finding.severity = batchOnly && raised === 'error' ? 'warning' : raised;
    }
    const where = `this file is ${longRunningReason() ?? 'long-running code'}`;
    // The evidence as a related location (the message never names it: engine/identity.ts).
    const evidence = !fromConfig && detect ? facts.longRunning.primary : null;
    const at = evidence ? file.rangeOf(evidence.node) : null;
    for (const n of noted) {
      n.finding.details = withLongRunningNote(n.finding.details, where, n.effect);
      if (evidence && at) n.finding.related.push({ range: at, message: `long-running: ${evidence.label}, which does not end after one request, so ${n.effect}` });
    }
  }

  // What a one-shot script keeps between calls is given back when it exits: findings of rules
  // about state kept across requests or jobs are dropped before ignore comments are matched, so
  // an ignore written for them is reported unused.
  const silent = (): Set<string> => new Set(req.rules.filter((r) => r.rule.meta.silentInOneShot).map((r) => r.rule.meta.id));
  if (oneShot()) {
    const ids = silent();
    for (let i = findings.length - 1; i >= 0; i--) if (ids.has(findings[i]!.ruleId)) findings.splice(i, 1);
  } else if (req.httpRuntime === 'per-request' && !longRunning()) {
    // The same for a controller's or a middleware's code when each HTTP request is a PHP request.
    dropRequestOnly(findings, silent(), facts, file);
  }

  bindDeclarations(file, directives, declarations);
  const { kept } = applyDirectives(findings, directives);
  const known = req.knownRuleIds ?? new Set(req.rules.map((r) => r.rule.meta.id));
  const allKnown = new Set([...known, ...Object.keys(ENGINE_DEFAULTS)]);
  kept.push(...directiveFindings(file, directives, allKnown, ran, { invalid: sev('invalid-ignore'), unused: sev('unused-ignore') }));
  const verdict: LongRunningVerdict = {
    longRunning: longRunning(), fromConfig,
    detected: detect ? facts.longRunning.reasons.map((r) => ({ kind: r.kind, label: r.label, line: file.rangeOf(r.node).start.line })) : [],
  };
  let summary: FileSummary | undefined;
  if (req.summary) {
    try {
      summary = summarize(file, facts, longRunning() ? longRunningReason() : null, isTestFile);
      // A test that creates a service or runs a command does not keep it alive in production:
      // its classes can be found, but it holds nothing and runs no worker; its `new X` says
      // nothing of how production code keeps an X, and its call of a reset (a `tearDown()`
      // clearing a registry) resets nothing there.
      if (isTestFile) summary = { ...summary, holds: [], longRunning: null, creates: [], resolved: [], calls: [], arguments: [] };
    } catch { summary = emptySummary().summary; }
  }
  docblockReads.sink = null;
  const result: LintResult = { findings: sortFindings(kept), longRunning: verdict, ...(summary ? { summary } : {}) };
  if (doc !== undefined && parsed.problems.length === 0) {
    const analysed: Analysed = { key, result: structuredClone(result), reads: file.reads, docReads: file.docReads, wholeTextRead: file.wholeTextRead };
    keepAnalysis(doc, req.text, analysed, false);
  }
  if (whole) noteFullAnalysis(doc!, performance.now() - started);
  // A kept tree (the editor's, for the next version) is walked again; any other is garbage now.
  if (doc === undefined) releaseTree(parsed.program);
  return result;
}

const BROKEN_FIXTURE_TIP = 'A test fixture that does not parse is usually broken on purpose: phpleak cannot analyse it. Set "parse-error" in phpleak.json to report it at another severity.';

/** A file in a fixtures folder of the tests (`tests/Fixtures/…`, `tests/…/stubs/…`). */
function isFixturePath(path: string, isTestFile: boolean | undefined): boolean {
  return (isTestFile ?? isTestPath(path)) && /(^|[\\/])(fixtures?|stubs?|_files|data|classes|samples?)[\\/]/i.test(path);
}

/** Everything a request's result depends on but its text (engine/incremental-reuse.ts). */
function requestKey(req: LintRequest): string {
  return JSON.stringify([
    req.path, req.rules.map((r) => [r.rule.meta.id, r.severity ?? null, r.options ?? null]), req.longRunning ?? null, req.detectLongRunning ?? null,
    req.isTestFile ?? null, req.engineSeverities ?? null, req.knownRuleIds ? [...req.knownRuleIds].sort() : null, req.maxFileBytes ?? null,
    req.phpVersion ?? null, req.httpRuntime ?? null, req.summary ?? null,
  ]);
}

/** ` at rules/x.js:12` — the first phpleak frame of a crash, so a bug report points at the code. */
function whereThrown(e: Error): string {
  const frame = (e.stack ?? '').split('\n').find((l) => /[/\\](engine|rules)[/\\][^/\\]+\.js:\d+/.test(l));
  const m = frame && /[/\\]((?:engine|rules)[/\\](?:[^/\\]+[/\\])*[^/\\]+\.js:\d+)/.exec(frame);
  return m ? ` at ${m[1]}` : '';
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.range.start.offset - b.range.start.offset || a.range.end.offset - b.range.end.offset || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

function mergeOptions(defaults: unknown, given: unknown): unknown {
  if (given === undefined) return defaults;
  if (isPlainObject(defaults) && isPlainObject(given)) return { ...defaults, ...given };
  return given;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

function toFinding(rule: AnyRule, severity: Severity, d: ReportDescriptor<string>, file: SourceFile, fixer: Fixer): Finding {
  const message = formatMessage(rule.meta.messages[d.messageId] ?? d.messageId, d.data);
  const detailsT = rule.meta.details?.[d.messageId];
  const tipT = rule.meta.tips?.[d.messageId];
  const related: Related[] = (d.related ?? []).map((r) => ({ range: file.rangeOf(r.at), message: r.message }));
  let fixes: Fix[] = [];
  if (d.fix) {
    const f = d.fix(fixer);
    fixes = f === null ? [] : Array.isArray(f) ? f : [f];
  }
  return {
    ruleId: rule.meta.id, severity, message, range: file.rangeOf(d.at), related, fixes,
    ...(d.raiseTo ? { raiseTo: d.raiseTo } : {}),
    ...(d.instanceState ? { instanceState: true as const } : {}),
    ...(d.unlessCalled && d.unlessCalled.length > 0 ? { unlessCalled: d.unlessCalled } : {}),
    ...(d.callerArguments && d.callerArguments.length > 0 ? { callerArguments: d.callerArguments } : {}),
    ...(detailsT ? { details: formatMessage(detailsT, d.data) } : {}),
    ...(tipT ? { tip: formatMessage(tipT, d.data) } : {}),
  };
}
