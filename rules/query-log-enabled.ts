import type { Call, New, PhpNode } from '../engine/nodes.js';
import { isFunctionLike } from '../engine/nodes.js';
import { nodesUnder as descendants } from '../engine/facts/subtree.js';
import { resolveClassName, shortClassName } from '../engine/facts/imports.js';
import { argumentAt, callReceiver, closestAncestor, methodName, thisPropertyName, varName, type Facts, type Scope } from '../engine/facts/index.js';
import { defineRule } from '../engine/rule.js';
import type { SourceFile } from '../engine/source.js';

// Query logs that keep every executed query in memory: Laravel's `enableQueryLog()`,
// Doctrine's `DebugStack` SQL logger, Doctrine's logging middleware fed an in-memory PSR
// logger, and `DB::listen()` callbacks that append each query to a property. Harmless in a
// request that ends; in a worker or a long import they grow with every query.

/** PSR-3 loggers that keep every record in memory until reset. */
const IN_MEMORY_LOGGERS = new Set(['BufferingLogger', 'TestLogger', 'ArrayLogger', 'InMemoryLogger', 'DebugStack']);
/** Conditions that make the logging a local/debug-only opt-in. */
const DEBUG_GUARD = /\b(isLocal|environment|runningUnitTests|isDebug|debug|APP_DEBUG)\b/i;

export default defineRule({
  meta: {
    id: 'query-log-enabled',
    severity: 'warning',
    longRunningSeverity: 'error',
    longRunningEffect: 'the log grows until the process dies',
    fixable: 'sometimes',
    description: 'Query logging that keeps every executed query in memory (Laravel enableQueryLog, Doctrine DebugStack, in-memory SQL loggers).',
    messages: {
      enable: '`{{call}}` turns on the query log: every query stays in memory until it is flushed',
      debugStack: '`new {{cls}}()` keeps every SQL query in memory for as long as the logger lives',
      middleware: 'Doctrine\'s logging middleware gets `{{logger}}`, which keeps one record per query in memory',
      listener: 'This query listener appends every query to `{{target}}`, which nothing empties',
    },
    details: {
      enable: '`{{call}}` turns on the query log: from now on the connection appends every query with its bindings and time to an in-memory array that only `flushQueryLog()` empties (measured on PHP 8.2: about 60 MB per 100,000 queries).',
      debugStack: '`new {{cls}}()` keeps every SQL query with its parameters and types in memory for as long as the logger lives (about 60 MB per 100,000 queries on PHP 8.2).',
      middleware: "Doctrine's logging middleware is given `{{logger}}`, which keeps every log record, one per query, in memory until it is reset.",
      listener: 'This query listener appends every executed query to `{{target}}`, which nothing in the class empties: the list grows with every query.',
    },
    tips: {
      enable: 'Enable the log only around the code you inspect and call `DB::flushQueryLog()`/`disableQueryLog()` after reading it, or count queries with `DB::listen()` without keeping them.',
      debugStack: 'Log to a PSR logger that writes out (Doctrine\\DBAL\\Logging\\Middleware with Monolog), or keep only a counter.',
      middleware: 'Give the middleware a logger that writes out (a Monolog stream handler), or reset the in-memory logger after each job.',
      listener: 'Keep a counter or a bounded window (drop the oldest entry past a limit), or empty the list after each job/request.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    // Tests inspect the log on purpose; their process ends with the test run.
    if (ctx.isTestFile) return {};
    const listens: Call[] = [];
    const lateReports: (() => void)[] = [];
    return {
      call(node) {
        const m = methodName(node);
        if (m === 'enablequerylog') {
          // Decided at program:exit: a bounded use or a debug guard may come later in the file.
          lateReports.push(() => {
            if (turnsOff(node) || isBoundedUse(node, ctx.facts) || isDebugGuarded(node, ctx.file)) return;
            ctx.report({
              at: node, messageId: 'enable', data: { call: `${ctx.file.textOf(node.what)}()` },
              fix: (fixer) => {
                const stmt = node.parent;
                if (!stmt || stmt.kind !== 'expressionstatement' || node.arguments.length > 0) return null;
                // Removing the body of a brace-less `if` would make the next statement its body.
                const holder = stmt.parent;
                if (!holder || (holder.kind !== 'block' && holder.kind !== 'program' && holder.kind !== 'namespace')) return null;
                // Anything else reading the log (getQueryLog) would now get []: unsafe.
                let span = fixer.wholeLines(stmt);
                const own = ctx.file.spanOf(stmt);
                // A comment after it stays on its line, without the blanks that led to it.
                if (span.start === own.start && span.end === own.end) while (/[ \t]/.test(ctx.file.text[span.end] ?? '')) span = { start: span.start, end: span.end + 1 };
                return fixer.fix('Remove the call (unsafe: code that reads getQueryLog() then gets an empty list)', [fixer.remove(span)], 'unsafe');
              },
            });
          });
        } else if (m === 'listen') {
          listens.push(node);
        }
      },
      new(node) {
        const cls = classOf(node);
        if (cls === null) return;
        const short = shortClassName(cls);
        if (short === 'DebugStack') {
          lateReports.push(() => { if (!isDebugGuarded(node, ctx.file)) ctx.report({ at: node, messageId: 'debugStack', data: { cls: short } }); });
        } else if (cls === 'Doctrine\\DBAL\\Logging\\Middleware') {
          const logger = argumentAt(node, 0, 'logger');
          const mem = logger ? inMemoryLogger(logger, ctx.facts) : null;
          if (mem && mem !== 'DebugStack') {
            lateReports.push(() => { if (!isDebugGuarded(node, ctx.file)) ctx.report({ at: node, messageId: 'middleware', data: { logger: `new ${mem}()` } }); });
          }
        }
      },
      'program:exit'() {
        for (const r of lateReports) r();
        for (const call of listens) {
          const growth = accumulatingListener(call, ctx.facts);
          if (growth) ctx.report({ at: growth, messageId: 'listener', data: { target: ctx.file.textOf(growth.kind === 'assign' ? growth.left : growth).replace(/\[\s*\]$/, '') } });
        }
      },
    };
  },
});

function classOf(node: New): string | null {
  return node.what.kind === 'name' ? resolveClassName(node.what.name, node) : null;
}

/** `new BufferingLogger()` directly, or a local variable assigned one in the same function. */
function inMemoryLogger(expr: PhpNode, facts: Facts): string | null {
  if (expr.kind === 'new') {
    const c = classOf(expr);
    return c && IN_MEMORY_LOGGERS.has(shortClassName(c)) ? shortClassName(c) : null;
  }
  const v = varName(expr);
  if (v === null) return null;
  for (const a of facts.scopeOf(expr).accesses) {
    if (a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind === 'new') {
      const found = inMemoryLogger(a.via.right, facts);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The same function turns the log off again, empties it, or restores the previous setting
 * (Laravel's own `withFreshQueryLog`): the log lives only as long as that call.
 */
function isBoundedUse(call: Call, facts: Facts): boolean {
  const scope = facts.scopeOf(call);
  if (scope.calls.some((c) => { const m = methodName(c); return m === 'disablequerylog' || m === 'flushquerylog'; })) return true;
  // `$was = Db::isQueryLogEnabled(); Db::enableQueryLog(false); …; Db::enableQueryLog($was);`
  const saved = new Set(scope.accesses.filter((a) => a.storage === 'var' && a.role === 'assign' && a.via?.kind === 'assign'
    && a.via.right.kind === 'call' && /^is\w*querylog\w*$/.test(methodName(a.via.right) ?? '')).map((a) => a.name));
  if (saved.size > 0 && scope.calls.some((c) => methodName(c) === 'enablequerylog' && saved.has(varName(c.arguments[0] ?? null) ?? ''))) return true;
  return scope.accesses.some((a) => a.storage === 'prop' && (a.name === 'loggingQueries' || a.name === 'queryLog') && a.role === 'assign');
}

/** `enableQueryLog(false)`: a layer whose switch takes a flag, turned off. */
function turnsOff(call: Call): boolean {
  const a = call.arguments[0];
  return !!a && a.kind === 'boolean' && a.value === false;
}

/** Inside `if (app()->isLocal())`, `if ($this->debug)` …: a local/debug opt-in. */
function isDebugGuarded(node: PhpNode, file: SourceFile): boolean {
  return closestAncestor(node, (p) => (p.kind === 'if' || p.kind === 'retif') && DEBUG_GUARD.test(file.textOf(p.test))) !== null;
}

/**
 * `DB::listen(function ($query) { $this->queries[] = … })` (or on a connection): the callback
 * appends to a property, a static property or a variable captured by reference, and nothing
 * in the class resets that property. Returns the growing write, or null.
 */
function accumulatingListener(call: Call, facts: Facts): PhpNode | null {
  const recv = callReceiver(call);
  if (!recv || !isQuerySource(recv, call)) return null;
  const cb = argumentAt(call, 0, 'callback');
  if (!cb || !isFunctionLike(cb)) return null;
  const scope = facts.scopeFor(cb);
  if (!scope) return null;
  for (const a of scope.accesses) {
    // `[]` appends grow per query; `$this->counts[$sql]++` is bounded by the distinct queries.
    if (a.role !== 'append') continue;
    if (a.storage === 'prop' && !propertyIsReset(a.name, call, facts)) return a.via ?? a.outer;
    if (a.storage === 'static-prop') return a.via ?? a.outer;
    if (a.storage === 'var' && scope.captures.get(a.name) === true && !capturedIsReset(a.name, cb, facts)) return a.via ?? a.outer;
  }
  return null;
}

/** `DB::listen`, `$connection->listen`, `$this->db->listen`, `DB::connection()->listen`. */
function isQuerySource(recv: PhpNode, at: PhpNode): boolean {
  if (recv.kind === 'name') {
    const fqn = resolveClassName(recv.name, at);
    return fqn === 'DB' || fqn === 'Illuminate\\Support\\Facades\\DB' || shortClassName(fqn) === 'DB';
  }
  if (recv.kind === 'call') return methodName(recv) === 'connection' || methodName(recv) === 'getconnection';
  const name = varName(recv) ?? thisPropertyName(recv);
  return name !== null && /^(db|conn|connection|database)$/i.test(name);
}

function propertyIsReset(name: string, at: PhpNode, facts: Facts): boolean {
  const cls = facts.classOf(at);
  if (!cls) return false;
  return cls.accesses.some((a) => a.storage === 'prop' && a.name === name && (a.role === 'assign' || a.role === 'unset' || (a.role === 'byref-call' && a.callee === 'array_shift'))
    && !isInConstructor(a.node));
}

function isInConstructor(node: PhpNode): boolean {
  const m = closestAncestor(node, (p) => p.kind === 'method', true);
  return !!m && m.kind === 'method' && (typeof m.name === 'string' ? m.name : m.name.name).toLowerCase() === '__construct';
}

function capturedIsReset(name: string, cb: PhpNode, facts: Facts): boolean {
  const outer: Scope | null = facts.scopeFor(cb as never)?.parent ?? null;
  if (!outer) return false;
  let assigns = 0;
  for (const a of outer.accesses) if (a.storage === 'var' && a.name === name && a.role === 'assign') assigns++;
  // One assignment is the initialisation; another one empties it.
  return assigns > 1 || descendants(outer.node).some((n) => n.kind === 'unset' && n.variables.some((v) => varName(v) === name));
}
