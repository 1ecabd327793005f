// The data every layer shares: findings, ranges, fixes. No behaviour here, so cli/ and
// server/ can depend on it without pulling in the parser.

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

/** The lower of a raised severity and a finding's ceiling (`Finding.raiseTo`). */
export function lowerOf(raised: Severity, ceiling: Severity | undefined): Severity {
  return ceiling && SEVERITIES.indexOf(ceiling) > SEVERITIES.indexOf(raised) ? ceiling : raised;
}
/** Higher is more severe; used by --fail-on and sorting. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 4, warning: 3, info: 2, hint: 1 };

/** Findings the engine itself produces (not rules). */
export type EngineFindingId = 'parse-error' | 'internal-error' | 'unused-ignore' | 'invalid-ignore' | 'file-skipped' | 'fix-not-written';
/** Default severities of the engine's own findings (`phpleak rules` and SARIF show these too). */
export const ENGINE_DEFAULTS: Record<EngineFindingId, Severity> = {
  'parse-error': 'error', 'internal-error': 'error', 'unused-ignore': 'info', 'invalid-ignore': 'warning', 'file-skipped': 'info',
  'fix-not-written': 'error',
};


/**
 * A place in a file. line is 1-based, column 0-based; column and offset count UTF-16 code
 * units (JavaScript string indexes), so an LSP position is { line: line - 1, character: column }.
 */
export interface Position { line: number; column: number; offset: number }
/** End is exclusive. */
export interface Range { start: Position; end: Position }

/** Replace text[start, end) by text. Offsets are JS string indexes into the analysed text. */
export interface TextEdit { start: number; end: number; text: string }

export type FixSafety = 'safe' | 'unsafe';
export interface Fix { title: string; edits: TextEdit[]; safety: FixSafety }

/** `path`: set when the location is in ANOTHER file (cross-file findings), as the front end names files. */
export interface Related { range: Range; message: string; path?: string }

export interface Finding {
  ruleId: string;
  severity: Severity;
  /**
   * One line, what and where (ESLint/PHPStan style, about 120 characters at most). Never a line
   * number or a path: it is part of the finding's identity (engine/identity.ts), which baselines
   * and CI fingerprints match on, so it must not change when lines move or the run starts
   * elsewhere. Positions go into `range` and `related`.
   */
  message: string;
  /**
   * The long text: why it matters, the measured cost, and, in long-running code, why the
   * severity was raised. May name lines and paths (it is not part of the identity). Shown by
   * `--verbose`, LSP hover, SARIF and `explain`-like views.
   */
  details?: string;
  /** What to write instead. */
  tip?: string;
  range: Range;
  related: Related[];
  fixes: Fix[];
  /**
   * The highest severity long-running evidence (in this file or kept alive from another) may
   * raise this finding to, when lower than the rule's `longRunningSeverity`: growth that is real
   * but bounded by something phpleak cannot count (the rows of a table) is not "grows until it
   * dies". Set through `ReportDescriptor.raiseTo`; not part of any output format.
   */
  raiseTo?: Severity;
  /**
   * The finding is about state an instance keeps (an instance array): it lasts as long as the
   * object. After all files are linted it is dropped when the project makes every instance of
   * the class for one operation and drops it (engine/project-lifetimes.ts). Set through
   * `ReportDescriptor.instanceState`; not part of any output format.
   */
  instanceState?: true;
  /**
   * Calls (lower-case `fqn::method`, or `->method` for a method called on an object, which the
   * index cannot type) whose presence in another linted file makes this finding moot: a reset the class offers its callers, which this file never calls. The
   * cross-file pass (engine/project-index.ts `enrich`) drops the finding when another file
   * calls one. Set through `ReportDescriptor.unlessCalled`; not part of any output format.
   */
  unlessCalled?: string[];
  /**
   * The finding's only evidence of data is what callers hand to public methods at these
   * arguments. The cross-file pass (engine/project-callers.ts) drops it when each is passed
   * only values fixed by the code (or under the class's own `has()` check, or by start-up code)
   * at every call site of the project, at least one in another file. Set through
   * `ReportDescriptor.callerArguments`; not part of any output format.
   */
  callerArguments?: CallerArgument[];
}

/** A public method's parameter, as its callers reach it: the call keys (FileSummary.calls) and the position. */
export interface CallerArgument {
  calls: string[];
  index: number;
  /** No default: a call that does not pass it calls another method of the same name. */
  required?: true;
}

/** One file's result. `findings` are sorted by position. */
export interface FileResult { path: string; findings: Finding[] }
