import type { NodeKind, NodeOf, PhpNode } from './nodes.js';
import type { SourceFile, Span } from './source.js';
import type { Facts } from './facts/index.js';
import type { Fixer } from './fixes.js';
import type { CallerArgument, Fix, Severity } from './types.js';

export type Visitors = { [K in NodeKind]?: (node: NodeOf<K>) => void }
  & { [K in NodeKind as `${K}:exit`]?: (node: NodeOf<K>) => void };

export type Fixability = 'never' | 'sometimes' | 'always';

export interface RuleMeta<Id extends string, M extends string> {
  /** kebab-case: the rule's file, docs and fixture folder are named by it. */
  id: Id;
  /** Default severity; config may override it or turn the rule off. */
  severity: Severity;
  /** Default severity where the code runs in a long-running process (workers, daemons). */
  longRunningSeverity?: Severity;
  /**
   * What long-running code does to this rule's findings, completing "…, which does not end after
   * one request, so <effect>" ("the cache keeps every entry until the process exits"). When set,
   * the engine adds, after the walk, to every finding of the rule in a long-running file a
   * sentence to its `details` ("This file is <reason> (line N), which does not end after one
   * request, so <effect>.") and a related location at the evidence, so the finding says why its
   * severity was raised. Never to the message: the message is the finding's identity and names
   * no line (engine/identity.ts). Added whether or not config pins the severity. Cross-file
   * (engine/project-index.ts) adds the same with where the class is kept alive. Rules must not
   * say it themselves.
   */
  longRunningEffect?: string;
  /**
   * Findings of this rule inside a class are checked against the project index after all files
   * are linted (engine/project-index.ts `enrich`): a class kept alive by long-running code in
   * ANOTHER file gets `longRunningSeverity`, the note above, and related locations naming the
   * holders. Only for rules whose finding is a property of the class's instances (a cache).
   */
  crossFile?: boolean;
  /**
   * The rule is about what a process keeps from one request or job to the next (a cache, code
   * compiled from strings, listeners, state of a shared service): in a one-shot script, which gives
   * everything back when it exits, the engine drops its findings (`RuleContext.oneShot`,
   * engine/facts/one-shot.ts). Rules about what one run costs (a whole file read into memory,
   * an identity map filled by an import, open handles) leave it unset.
   */
  silentInOneShot?: true;
  fixable: Fixability;
  /** One line for `phpleak rules` and SARIF shortDescription. */
  description: string;
  /**
   * The one-line message per message id, with {{placeholders}}: what is wrong and where, in
   * about 120 characters at most (ESLint/PHPStan style). No line numbers and no paths (not in
   * the template, not in the data it uses): the message is part of the finding's identity,
   * which baselines and CI fingerprints match on (engine/identity.ts, DESIGN §7).
   */
  messages: Record<M, string>;
  /**
   * The long text per message id (same placeholders): why it matters and the measured cost.
   * Becomes `Finding.details`, shown by `--verbose`, LSP hover and SARIF. May use data that
   * names lines (it is not part of the identity).
   */
  details?: Partial<Record<M, string>>;
  /** What to write instead. */
  tips?: Partial<Record<M, string>>;
}

export interface RelatedDescriptor { at: PhpNode | Span; message: string }

export interface ReportDescriptor<M extends string> {
  at: PhpNode | Span;
  messageId: M;
  data?: Record<string, string | number>;
  related?: RelatedDescriptor[];
  /**
   * This finding's default severity when it differs from `meta.severity` (a rule that knows this
   * instance matters less: `info` for a stream whose source is unknown). Config still overrides
   * it, and long-running code still raises it to `meta.longRunningSeverity`.
   */
  severity?: Severity;
  /**
   * A peak that is freed when the code returns, not growth: long-running evidence does not
   * raise it ("error" means the process grows until it dies; a large local array does not).
   */
  peak?: true;
  /**
   * The highest severity long-running evidence may raise this finding to (lower than
   * `meta.longRunningSeverity`): `error` means the process grows until it dies, and a cache
   * keyed by the ids of a table that may be small has not earned it.
   */
  raiseTo?: Severity;
  /**
   * The finding is about state of `$this` that lives as long as the object (an instance cache):
   * dropped after linting when the project makes the class only for one operation
   * (engine/project-lifetimes.ts). Only for findings inside a class.
   */
  instanceState?: true;
  /**
   * Methods (lower-case `fqn::method`) whose call from another file of the project answers the
   * finding (a reset the class offers and this file never calls): the cross-file pass drops it.
   */
  unlessCalled?: string[];
  /**
   * Public methods' parameters (`fqn::method` and, for instance methods, `->method`, with the
   * position) whose callers decide the finding: the cross-file pass drops it when every call in
   * the project passes code there (engine/project-callers.ts).
   */
  callerArguments?: CallerArgument[];
  /** Fixes are data: computed here, applied alike by the CLI's --fix and the LSP's code actions. */
  fix?: (fixer: Fixer) => Fix | Fix[] | null;
}

export interface RuleContext<M extends string, O> {
  readonly file: SourceFile;
  readonly facts: Facts;
  readonly options: O;
  /**
   * The file runs in a long-running process: the config's `longRunning` globs matched it, OR
   * the engine found evidence in the code (worker loop, Messenger handler, queued job, console
   * command, event loop, app server: engine/facts/long-running.ts, docs/long-running.md).
   *
   * A getter. Config makes it true from the start; detected evidence makes it true from the
   * node where the evidence is (a worker loop at the end of a file is seen last). It is final
   * in `program:exit`: a rule whose decision (not just severity) depends on it decides there.
   * Severity needs no care: a finding reported without an explicit severity gets
   * `meta.longRunningSeverity` after the walk if the file turned out to be long-running.
   */
  readonly longRunning: boolean;
  /**
   * Why the file is long-running, as a noun phrase for messages ("a Symfony Messenger handler
   * (line 12)"), or null. Same timing as `longRunning`. Details: `facts.longRunning.reasons`.
   */
  readonly longRunningReason: string | null;
  /** The file is a test (tests/, *Test.php): rules about production behaviour may stay quiet. */
  readonly isTestFile: boolean;
  /**
   * The file is a one-shot script or code only such scripts include (bin/, build/, cli/,
   * requirements/…: engine/facts/one-shot.ts) and shows no long-running evidence: it runs once
   * and exits. Same timing as `longRunning` (final in `program:exit`). The findings of rules
   * with `meta.silentInOneShot` are dropped there by the engine; a rule reads this only to skip
   * work it would throw away.
   */
  readonly oneShot: boolean;
  /**
   * The lowest PHP version the project runs on ("8.1": `phpVersion` in phpleak.json, else
   * composer.json's `require.php`), or null when unknown: a fix then writes code valid on all.
   */
  readonly phpVersion: string | null;
  report(descriptor: ReportDescriptor<M>): void;
}

export interface Rule<Id extends string = string, M extends string = string, O = unknown> {
  meta: RuleMeta<Id, M>;
  defaultOptions: O;
  /** Registers visitors. No I/O and no walking of its own: the engine walks once. */
  create(context: RuleContext<M, O>): Visitors;
}

/** Identity helper that keeps a rule's id, message ids and options precisely typed. */
export function defineRule<const Id extends string, M extends string, O>(rule: Rule<Id, M, O>): Rule<Id, M, O> {
  return rule;
}

/** A rule of any id/messages/options, as held by a registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<string, string, any>;

/**
 * `details` with the long-running note of `meta.longRunningEffect` appended as a sentence:
 * `<Where>, which does not end after one request, so <effect>.`
 */
export function withLongRunningNote(details: string | undefined, where: string, effect: string): string {
  const note = `${where.charAt(0).toUpperCase()}${where.slice(1)}, which does not end after one request, so ${effect}.`;
  const base = (details ?? '').trim();
  return base ? `${/[.!?]$/.test(base) ? base : `${base}.`} ${note}` : note;
}
