import type { ClassDecl, Method, New, PhpNode } from '../engine/nodes.js';
import { GROW_ROLES, accessesByProperty, argumentAt, callReceiver, functionName, isWithin, literalValue, thisPropertyName, type Access, type ClassFacts } from '../engine/facts/index.js';
import type { Fixer } from '../engine/fixes.js';
import { flowOf, receiverIsHolder, type Holder } from '../engine/facts/holders.js';
import { resolvedName, shortClassName } from '../engine/facts/imports.js';
import { closestAncestor } from '../engine/facts/ancestry.js';
import { isReset } from '../engine/facts/array-growth.js';
import { unboundedRecorders } from '../engine/facts/recorders.js';
import { defineRule } from '../engine/rule.js';

// Monolog handlers that keep records in memory: harmless in a web request (the buffer dies with
// it), a leak in a worker that never ends the "request". Monolog's own answer is
// `$logger->reset()` between jobs (ResettableInterface) and a bound on the buffer.

type Buffered = 'BufferHandler' | 'FingersCrossedHandler' | 'DeduplicationHandler';

interface LimitParam { index: number; name: string }
const LIMIT: Record<Buffered, LimitParam | null> = {
  BufferHandler: { index: 1, name: 'bufferLimit' },
  FingersCrossedHandler: { index: 2, name: 'bufferSize' },
  // Extends BufferHandler with a limit of 0 and no way to pass one.
  DeduplicationHandler: null,
};
const KEEPS: Record<Buffered, string> = {
  BufferHandler: 'keeps every record in memory until it is flushed or closed',
  FingersCrossedHandler: 'keeps every record in memory until one reaches the activation level',
  DeduplicationHandler: 'keeps every record in memory until it is flushed or closed (it has no limit parameter)',
};
/** Calls that empty a Monolog buffer: Logger::reset() resets every ResettableInterface handler. */
const EMPTYING = ['reset', 'clear', 'flush', 'close'];

interface Candidate { node: New; cls: Buffered; limitArg: PhpNode | null }

export default defineRule({
  meta: {
    id: 'unbounded-log-buffer',
    severity: 'info',
    longRunningSeverity: 'warning',
    // Kept from one request or job to the next: a one-shot script gives it back when it exits.
    silentInOneShot: true,
    fixable: 'sometimes',
    description: 'In-memory logs without a limit, never reset between jobs: Monolog buffer, fingers-crossed or deduplication handlers, in-house query logs and recorders.',
    messages: {
      unbounded: '`new {{cls}}(…)` buffers records without a limit and is never reset: it grows with every record',
      customHandler: '{{cls}} appends every log record to `$this->{{prop}}` and never removes them',
      recorder: '{{cls}} appends one entry per call to its in-memory {{what}} `$this->{{prop}}` and never trims it',
      loggingOption: '`new {{cls}}([… \'logging\' => true …])` keeps every query it runs in memory, for as long as it lives',
    },
    details: {
      unbounded: '`new {{cls}}(…)` {{limit}}: it {{keeps}}, and nothing here calls `reset()`, `clear()` or `flush()` on {{holder}}. In a worker that handles many jobs the buffer grows with every record logged (about 1.2 KB per record) until the process runs out of memory.',
      customHandler: '{{cls}} appends every log record to `$this->{{prop}}` and nothing ever removes them: in a long-running process this array grows with every record logged until the worker runs out of memory.',
      recorder: '`{{method}}()` appends a new entry to `$this->{{prop}}` each time it is called, built from what the call is given, and nothing in {{cls}} removes entries, bounds the array or empties it from code that runs between jobs{{resetNote}}. A recorder is a service: one instance lives as long as the worker, so the {{what}} keeps every entry of every job (measured: 100,000 `[$sql, $bindings]` entries = +44,239 KB, never released).',
      loggingOption: 'With `\'logging\' => true` the database object appends every query it runs (the SQL and its values) to an array it never trims; the object is usually shared for the whole process, so a worker keeps every query of every job in memory (Medoo\'s `log()` returns them all).',
    },
    tips: {
      unbounded: '{{fixHint}}Call `$logger->reset()` after each job (Monolog: "the conceptual equivalent of ending a web request"); Symfony resets the loggers of its container between messages; a logger built with `new` needs its own reset.',
      recorder: 'Keep a bounded window (`if (count($this->{{prop}}) > 100) array_shift($this->{{prop}});`), write the entries out instead of keeping them, or empty the array from a per-job hook (`reset()` of `ResetInterface`, a queue `JobProcessed` or Octane `RequestTerminated` listener) — a `reset()` that only one runner calls leaves the others growing.',
      loggingOption: 'Leave `logging` off in workers (the last query is still available for debugging), or turn it on only around the code you are debugging.',
      customHandler: 'Keep a bounded window (drop the oldest with `array_shift()` past a limit), or empty the array in `reset()` and implement `Monolog\\ResettableInterface` so `$logger->reset()` clears it between jobs.',
    },
  },
  defaultOptions: { limit: 1000 },
  create(ctx) {
    if (ctx.isTestFile) return {};
    const candidates: Candidate[] = [];
    const limit = Math.max(1, Math.floor(Number(ctx.options.limit) || 1000));
    return {
      new(node) {
        const logging = loggingOption(node);
        if (logging) {
          ctx.report({ at: logging, messageId: 'loggingOption', data: { cls: shortClassName(resolvedName(node.what) ?? '') } });
          return;
        }
        const fqn = resolvedName(node.what);
        if (!fqn || !/^Monolog\\Handler\\(BufferHandler|FingersCrossedHandler|DeduplicationHandler)$/i.test(fqn)) return;
        const cls = (['BufferHandler', 'FingersCrossedHandler', 'DeduplicationHandler'] as const).find((c) => c.toLowerCase() === shortClassName(fqn).toLowerCase())!;
        // `new X(...$args)`: we cannot see the arguments.
        if (node.arguments.some((a) => a.kind === 'variadic')) return;
        const param = LIMIT[cls];
        const limitArg = param ? argumentAt(node, param.index, param.name) : null;
        if (limitArg && !isZero(limitArg)) return;
        candidates.push({ node, cls, limitArg });
      },
      'class:exit'(node) {
        const cls = ctx.facts.classFor(node);
        if (!cls) return;
        if (isCustomHandler(node)) reportCustomHandler(cls);
        else reportRecorders(cls);
      },
      'program:exit'() {
        for (const c of candidates) {
          const flow = flowOf(c.node, ctx.facts);
          if (isEmptied(flow.holders)) continue;
          const named = flow.holders.find((h) => h.kind !== 'object');
          const holder = named ? holderText(named) : flow.returned ? 'the handler or the logger that this function returns' : 'the handler or its logger';
          const param = LIMIT[c.cls];
          const limitText = param === null ? 'buffers without any limit' : c.limitArg ? `has \`${param.name}\` 0, which means no limit` : `has no \`${param.name}\` (default 0: no limit)`;
          ctx.report({
            at: c.node,
            messageId: 'unbounded',
            data: {
              cls: c.cls, limit: limitText, keeps: KEEPS[c.cls], holder,
              fixHint: param ? `Bound it: \`${param.name}: ${limit}\` keeps the newest ${limit} records. ` : '',
            },
            related: named ? [{ at: named.node, message: 'held here; never reset, cleared or flushed' }] : [],
            fix: param ? (f) => limitFix(f, c, param, limit) : undefined,
          });
        }
      },
    };

    function isEmptied(holders: Holder[]): boolean {
      for (const m of EMPTYING) {
        for (const call of ctx.facts.methodCalls.get(m) ?? []) {
          const r = callReceiver(call);
          if (r && holders.some((h) => receiverIsHolder(r, h, call, ctx.facts))) return true;
        }
      }
      return false;
    }

    function reportCustomHandler(cls: ClassFacts): void {
      const byProp = accessesByProperty(cls.accesses);
      for (const [prop, accesses] of byProp) {
        const append = accesses.find((a) => GROW_ROLES.has(a.role) && carriesRecord(a));
        if (!append) continue;
        if (accesses.some((a) => isEviction(a, cls))) continue;
        // A capture handler keeps records to be read back: in a web request they die with it.
        if (evictedByCall(prop, cls) || (!ctx.longRunning && capturesForReading(cls, prop))) continue;
        ctx.report({
          at: append.via ?? append.outer,
          messageId: 'customHandler',
          data: { cls: cls.name ?? 'This handler', prop },
          related: cls.properties.get(prop) ? [{ at: cls.properties.get(prop)!.node, message: 'declared here' }] : [],
        });
      }
    }

    function reportRecorders(cls: ClassFacts): void {
      for (const r of unboundedRecorders(ctx.file, cls)) {
        const m = closestAncestor(r.append.node, (n) => n.kind === 'method', true) as Method | null;
        const emptiedIn = cls.accesses.filter((a) => a.name === r.append.name && a.storage === 'prop' && isReset(a)).map((a) => closestAncestor(a.node, (n) => n.kind === 'method', true) as Method | null)
          .filter((x): x is Method => x !== null).map((x) => x.name.name).filter((n) => n !== '__construct');
        ctx.report({
          at: r.append.via ?? r.append.outer,
          messageId: 'recorder',
          data: {
            cls: cls.name ?? 'This class', prop: r.append.name, what: r.what, method: m?.name.name ?? 'a method',
            resetNote: emptiedIn.length > 0 ? ` (\`${emptiedIn[0]}()\` empties it, but nothing here calls it between jobs)` : '',
          },
          related: cls.properties.get(r.append.name) ? [{ at: cls.properties.get(r.append.name)!.node, message: 'declared here' }] : [],
        });
      }
    }

    function evictedByCall(prop: string, cls: ClassFacts): boolean {
      for (const m of ['splice', 'shift', 'pop', 'slice', 'clear', 'reset']) {
        for (const call of ctx.facts.methodCalls.get(m) ?? []) {
          const r = callReceiver(call);
          if (r && ctx.facts.classOf(call) === cls && receiverIsHolder(r, { kind: 'prop', name: prop, cls, node: r }, call, ctx.facts)) return true;
        }
      }
      return false;
    }
  },
});

/**
 * A capture handler: a public method hands the whole buffer back (`return $this->allLogs;`).
 * Keeping every record is what it is for, and whoever installs it reads them back (a test, a
 * diagnostic run, a page that shows its own log: matomo's `LogCaptureHandler`, added only by
 * a setting that is off by default; a review judged it not worth changing). Outside
 * long-running code the records die with the request; in a worker they stay a finding.
 */
function capturesForReading(cls: ClassFacts, prop: string): boolean {
  for (const [, m] of cls.methods) {
    if (m.visibility === 'private' || m.visibility === 'protected' || m.isStatic) continue;
    const body = m.body;
    if (!body || body.kind !== 'block') continue;
    if (body.children.some((st) => st.kind === 'return' && st.expr !== null && thisPropertyName(st.expr) === prop)) return true;
  }
  return false;
}

/** Database layers that take a `logging` option (Medoo and look-alikes). */
const LOGGING_DB = /^(Medoo|Database|Db|DB|Connection|\w*Pdo|\w*PDO)$/;

/** `new Medoo(['logging' => true, …])`: the `'logging' => true` entry, else null. */
function loggingOption(node: New): PhpNode | null {
  const fqn = resolvedName(node.what);
  if (!fqn || !LOGGING_DB.test(shortClassName(fqn))) return null;
  const first = node.arguments[0];
  if (!first || first.kind !== 'array') return null;
  for (const it of first.items) {
    if (it.kind !== 'entry' || !it.key || it.key.kind !== 'string' || it.key.value !== 'logging') continue;
    const v = literalValue(it.value);
    if (v === true || v === 1 || v === '1') return it;
  }
  return null;
}

function isZero(n: PhpNode): boolean {
  const v = literalValue(n);
  return v === 0 || v === '0';
}

function holderText(h: Holder): string {
  switch (h.kind) {
    case 'var': return `\`$${h.name}\``;
    case 'prop': return `\`$this->${h.name}\``;
    case 'static-prop': return `\`${h.cls}::$${h.name}\``;
    case 'object': return 'its logger';
  }
}

/** Add the limit where the constructor takes it: replace a literal 0, or add it by name or position. */
function limitFix(f: Fixer, c: Candidate, param: LimitParam, limit: number) {
  const title = `Bound the buffer: ${param.name}: ${limit} (unsafe: a full buffer drops its oldest records)`;
  if (c.limitArg) return f.fix(title, [f.replace(c.limitArg, String(limit))], 'unsafe');
  const args = c.node.arguments;
  const positional = args.filter((a) => a.kind !== 'namedargument').length;
  const last = args[args.length - 1];
  if (!last) return null;
  // Right after the last positional argument before it: position; otherwise a named argument.
  const text = positional === param.index && !args.some((a) => a.kind === 'namedargument') ? `, ${limit}` : `, ${param.name}: ${limit}`;
  return f.fix(title, [f.insertAfter(last, text)], 'unsafe');
}

/** A class that is a Monolog handler or processor (by its parent or interfaces). */
function isCustomHandler(node: ClassDecl | PhpNode): boolean {
  if (node.kind !== 'class') return false;
  const names = [node.extends, ...(node.implements ?? [])].map((n) => resolvedName(n) ?? '');
  return names.some((n) => /^Monolog\\(Handler\\\w*Handler(Interface)?|Processor\\ProcessorInterface)$/i.test(n));
}

/** Does the appended value come from a log record (`$record`, `$records`, `$record->…`, `[$record, …]`)? */
function carriesRecord(a: Access): boolean {
  const via = a.via;
  if (!via || via.kind !== 'assign') return false;
  return someNode(via.right, (n) => n.kind === 'variable' && typeof n.name === 'string' && /^records?$/i.test(n.name));
}

/** Writes that shrink or replace the array outside the constructor (not `$this->p = array_merge($this->p, …)`). */
function isEviction(a: Access, cls: ClassFacts): boolean {
  if (a.role === 'unset' || a.role === 'unset-element') return true;
  if (a.role === 'byref-call' && /^(array_shift|array_pop|array_splice)$/.test(a.callee ?? '')) return true;
  // `array_shift($this->records[$channel])`: an element array trimmed in place.
  const p = a.outer.parent;
  if (p?.kind === 'call' && p.arguments[0] === a.outer && /^(array_shift|array_pop|array_splice)$/.test(functionName(p) ?? '')) return true;
  if (a.role === 'assign' && a.via?.kind === 'assign') {
    const ctor = cls.methods.get('__construct');
    if (ctor && isWithin(a.node, ctor)) return false;
    return !someNode(a.via.right, (n) => thisPropertyName(n) === a.name);
  }
  return false;
}

/** A shallow search of an expression (values only: operands, arguments, array items). */
function someNode(root: PhpNode, pred: (n: PhpNode) => boolean): boolean {
  const stack: PhpNode[] = [root];
  for (let i = 0; stack.length > 0 && i < 200; i++) {
    const n = stack.pop()!;
    if (pred(n)) return true;
    switch (n.kind) {
      case 'propertylookup': case 'nullsafepropertylookup': case 'offsetlookup': stack.push(n.what); break;
      case 'call': stack.push(n.what, ...n.arguments); break;
      case 'new': stack.push(...n.arguments); break;
      case 'cast': stack.push(n.expr); break;
      case 'bin': stack.push(n.left, n.right); break;
      case 'array': for (const it of n.items) if (it.kind === 'entry') stack.push(it.value); break;
      case 'namedargument': stack.push(n.value); break;
      case 'variadic': stack.push(n.what); break;
      default: break;
    }
  }
  return false;
}
