import { isFunctionLike, type Method, type PhpNode } from '../nodes.js';
import type { SourceFile } from '../source.js';
import { accessesByProperty, type Access } from './access.js';
import { isWithin } from './ancestry.js';
import { isEntryEviction, isReset, sizeCheckOf } from './array-growth.js';
import { importsAt, resolvedName } from './imports.js';
import { functionName, identifierWords, thisPropertyName } from './names.js';
import { resetOf } from './resets.js';
import type { ClassFacts } from './scopes.js';
import { nodesUnder } from './subtree.js';

// In-house in-memory logs: a service that appends one record per call (a query with its
// bindings, a log line, a timing) to an array property it never trims. The same growth as a
// Monolog BufferHandler without a limit, written by hand: query loggers of PDO wrappers,
// "recorders" and "collectors", audit trails kept in memory. Keyed writes (`$x[$k] = …`) are
// unbounded-cache's; what is here are appends, `[] =`, of what each call brings.

/** Class names of things whose job is to record: `QueryLogger`, `EventRecorder`, `SqlCollector`. */
const RECORDER_ROLE = /(Logger|Recorder|Collector|Profiler|Tracer|Journal|AuditLog|Auditor|DebugStack|QueryLog)$/;
/** Properties that hold a log: `$logs`, `$queryLog`, `$queries`, `$entries`, `$records`, `$history`. */
const LOG_PROPERTY = /^(logs?|log_?entries|entries|records|lines|queries|query_?log|executed_?queries|sql_?log|history|traces|timings|profiles|spans|recorded\w*|collected\w*)$/i;
/** Test doubles record on purpose and live for one test. */
const TEST_DOUBLE = /(Fake|Spy|Mock|Stub|Dummy|Null\w*|InMemory\w*|Array\w*|Test\w*)$/;
/** An opt-in switch tested before recording (`if ($this->loggingQueries)`, `if ($this->debug)`). */
const OPT_IN = /(log|debug|enabled|profil|record|collect|trac|verbose)/i;

export interface Recorder {
  /** The append of one record. */
  append: Access;
  /** Noun phrase for messages: "query log", "log". */
  what: string;
}

/**
 * The appends in `cls` that grow an in-memory log without bound: `$this->p[] = <record>` in
 * an instance method, where the class records by role (`…Logger`, `…Recorder`, `…Collector`)
 * or wraps PDO, the property is named like a log, the record carries what the call was given,
 * and nothing trims the array (no `array_shift`/`array_slice`, no size check, no emptying reached
 * from a per-job hook, at the start of the operation or after use: `resetOf`), and recording is
 * not behind an opt-in switch (a query log turned on by the caller is query-log-enabled's).
 */
export function unboundedRecorders(file: SourceFile, cls: ClassFacts): Recorder[] {
  const node = cls.node;
  if (node.kind !== 'class' || node.isAnonymous || !cls.name || TEST_DOUBLE.test(cls.name)) return [];
  if (/\\(Tests?|Testing)(\\|$)/.test(importsAt(node).namespace ?? '')) return [];
  const base = resolvedName(node.extends) ?? '';
  const ctorParams = cls.methods.get('__construct')?.arguments ?? [];
  const wrapsPdo = base === 'PDO' || [...[...cls.properties.values()].map((p) => p.node.type), ...ctorParams.filter((p) => p.flags).map((p) => p.type)]
    .some((t) => /(^|\\)PDO$/.test(typeText(t)));
  if (!RECORDER_ROLE.test(cls.name) && !wrapsPdo) return [];
  const out: Recorder[] = [];
  const byProp = accessesByProperty(cls.accesses);
  for (const [prop, accesses] of byProp) {
    if (!isLogProperty(prop)) continue;
    const append = accesses.find((a) => a.role === 'append' && a.depth === 1 && a.via?.kind === 'assign' && a.via.left === a.outer && carriesCallData(a));
    if (!append) continue;
    if (accesses.some((a) => isEntryEviction(a) || sizeCheckOf(a) !== null)) continue;
    if (accesses.some((a) => isReset(a) && !inConstructor(a)) && resetOf(file, cls, accesses) !== null) continue;
    if (behindOptIn(append, prop)) continue;
    out.push({ append, what: /quer|sql/i.test(prop) || wrapsPdo ? 'query log' : 'log' });
  }
  return out;
}

/** Words a compound log name ends with: `$logMessages`, `$recordedEvents`, `$queryEntries`, `$sql_logs`. */
const LOG_WORDS: ReadonlySet<string> = new Set(['log', 'logs', 'messages', 'entries', 'records', 'queries', 'events']);

/** `$logs`, `$queries`, `$history`, … or a compound name about logging (`$logMessages`, `$loggedEvents`). */
function isLogProperty(prop: string): boolean {
  if (LOG_PROPERTY.test(prop)) return true;
  const words = identifierWords(prop);
  return words.length > 1 && LOG_WORDS.has(words[words.length - 1]!) && words.slice(0, -1).some((w) => /^(log|logged|recorded|collected|query|sql)$/.test(w));
}

function typeText(t: PhpNode | null | undefined): string {
  return t && t.kind === 'name' ? resolvedName(t) ?? t.name : '';
}

function methodOf(n: PhpNode): Method | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.kind === 'method') return p;
    if (isFunctionLike(p)) return null;
  }
  return null;
}

function inConstructor(a: Access): boolean {
  const m = methodOf(a.node);
  return !!m && (typeof m.name === 'string' ? m.name : m.name.name).toLowerCase() === '__construct';
}

/** The record is made from what the method was handed (a parameter, `func_get_args()`) or a clock: one per call. */
function carriesCallData(a: Access): boolean {
  const m = methodOf(a.node);
  if (!m || m.isStatic || a.via?.kind !== 'assign') return false;
  const params = new Set(m.arguments.map((p) => p.name?.name).filter((n): n is string => !!n));
  const right = a.via.right;
  return nodesUnder(right).some((n) => (n.kind === 'variable' && typeof n.name === 'string' && params.has(n.name))
    || (n.kind === 'call' && ['func_get_args', 'microtime', 'hrtime', 'debug_backtrace'].includes(functionName(n) ?? '')));
}

/** Inside `if (<$this->logging…>)` or after `if (!$this->debug) return;` in the same method. */
function behindOptIn(append: Access, prop: string): boolean {
  const m = methodOf(append.node);
  if (!m || !m.body) return false;
  const flagIn = (test: PhpNode): boolean => nodesUnder(test).some((n) => {
    const p = thisPropertyName(n);
    if (p !== null) return p !== prop && OPT_IN.test(p);
    return n.kind === 'call' && n.what.kind === 'propertylookup' && n.what.offset.kind === 'identifier' && OPT_IN.test(n.what.offset.name);
  });
  for (let p = append.node.parent; p && p !== m; p = p.parent) {
    if ((p.kind === 'if' || p.kind === 'retif') && flagIn(p.test) && !isWithin(append.node, p.test)) return true;
  }
  return m.body.children.some((st) => st.kind === 'if' && flagIn(st.test) && (st.loc?.start.offset ?? 0) < (append.node.loc?.start.offset ?? 0)
    && nodesUnder(st.body ?? st).some((n) => n.kind === 'return'));
}
