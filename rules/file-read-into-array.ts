import type { Access } from '../engine/facts/access.js';
import { EVICTING_BUILTINS, growingWrite, isEmptyArray, isSelfUpdate, keyChain } from '../engine/facts/array-growth.js';
import { closestAncestor, docblockOf, enclosingLoops, functionName, identifierWords, isWithin, typeNames, varName, type Scope } from '../engine/facts/index.js';
import { stopsAtCount } from '../engine/facts/loop-bounds.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { streamOrigin, streamReadOf, type StreamOrigin } from '../engine/facts/streams.js';
import { applyEdits, type Fixer } from '../engine/fixes.js';
import type { Block, FunctionLike, Loop, PhpNode, Program } from '../engine/nodes.js';
import type { Severity } from '../engine/types.js';
import { defineRule, type RuleContext } from '../engine/rule.js';
import type { Fix, TextEdit } from '../engine/types.js';

type MessageId = 'accumulates';
type Ctx = RuleContext<MessageId, Record<string, never>>;

export default defineRule({
  meta: {
    id: 'file-read-into-array',
    severity: 'warning',
    longRunningSeverity: 'error',
    longRunningEffect: 'nothing frees what it keeps between jobs',
    fixable: 'sometimes',
    description: 'Lines, rows or chunks read from a stream in a loop and collected into an array that is kept.',
    messages: {
      accumulates: 'Every {{unit}} read in this loop is kept in `{{ref}}`: the whole input ends up in memory',
    },
    details: {
      accumulates: 'Every {{unit}} read in this loop is added to `{{ref}}`, which is {{kept}}: the whole input ends up in memory at once (an array costs about twice the file\'s size), so a larger file exhausts memory_limit.',
    },
    tips: {
      accumulates: 'Process each {{unit}} as it is read, or turn the function into a generator (`yield` instead of the append) so callers stream it; if a batch is needed, flush and reset it inside the loop when count() reaches a size.',
    },
  },
  defaultOptions: {} as Record<string, never>,
  create(ctx) {
    // Decided at the end of the file: whether the file runs in a long-running process (which
    // makes reading everything from a path of unknown origin worth a finding) is known then.
    const scopes: (FunctionLike | Program)[] = [];
    const onScope = (node: FunctionLike | Program): void => { scopes.push(node); };
    return {
      'function:exit': onScope, 'method:exit': onScope, 'closure:exit': onScope,
      'program:exit'(node) {
        for (const n of [...scopes, node]) {
          const scope = ctx.facts.scopeFor(n);
          if (scope) checkScope(ctx, scope);
        }
      },
    };
  },
});

/** What one reading call brings in, for the message. */
function unitOf(read: PhpNode, file: Ctx['file']): string {
  const t = file.textOf(read).toLowerCase();
  if (/fgetcsv|splfileobject|getcsv/.test(t)) return 'row';
  if (/fread|gzread|bzread|stream_get_line/.test(t)) return 'chunk';
  return 'line';
}

function isSame(a: Access, b: Access): boolean { return a.storage === b.storage && a.name === b.name; }

/** Does `b` (inside the loop) empty or shrink the array: a batch that is flushed and reset? */
function resets(b: Access, all: readonly Access[]): boolean {
  if (b.role === 'unset' || b.role === 'unset-element') return true;
  if (b.role === 'byref-call') return b.callee !== undefined && EVICTING_BUILTINS.has(b.callee);
  if (b.role === 'assign' && b.via?.kind === 'assign') {
    const right = b.via.right;
    // `$rows = array_merge($rows, …)` keeps what it had.
    return !all.some((c) => isSame(c, b) && isWithin(c.node, right));
  }
  return false;
}

function checkScope(ctx: Ctx, scope: Scope): void {
  const file = ctx.file;
  const reported = new Set<string>();
  const reads = new Map<Loop, PhpNode | null>();
  const readOf = (l: Loop): PhpNode | null => {
    if (!reads.has(l)) reads.set(l, streamReadOf(l, scope));
    return reads.get(l)!;
  };
  for (const a of scope.accesses) {
    const write = growingWrite(a);
    if (!write) continue;
    const loop = enclosingLoops(a.node).find((l) => readOf(l) !== null);
    if (!loop) continue;
    const key = `${a.storage}:${a.name}:${file.spanOf(loop).start}`;
    if (reported.has(key)) continue;
    const same = scope.accesses.filter((b) => isSame(a, b));
    // `$counts[$w] = ($counts[$w] ?? 0) + 1` aggregates: it grows with distinct keys, not lines.
    if (isSelfUpdate(a, same)) continue;
    if (same.some((b) => isWithin(b.node, loop) && resets(b, scope.accesses))) continue;
    if (stopsAtCount(loop, scope)) continue;
    const kept = keptWhere(scope, a, same, loop, file.spanOf(loop).end);
    if (!kept) continue;
    const read = readOf(loop)!;
    // `$uids[$n] = $uid` parsed out of each line of a listing keeps a field per line, not the input.
    if (unitOf(read, file) === 'line' && !keepsWholeLine(write, read)) continue;
    const origin = streamOrigin(read, scope, scope.cls);
    let severity = severityFor(ctx, scope, origin, () => onlyIterated(ctx, scope, a, same, loop, kept.what));
    if (severity === null) continue;
    // One reply of a protocol (`RETR` up to the `.` line), returned as the function's result:
    // its size is one message, its lines are the API, and the caller frees them. Not worth
    // failing a build over (two reviews of wordpress POP3::get()/top() said so).
    if (severity === 'default' && kept.what === 'returned' && endsAtTerminator(loop, read)) severity = 'info';
    reported.add(key);
    const ref = file.textOf(a.node);
    ctx.report({
      at: write, messageId: 'accumulates', ...(severity === 'default' ? {} : { severity }),
      // Not raised for a batch that ends with its input (severityFor); in a worker, a local array
      // (returned or used after the loop) is freed when its function returns: the input is a
      // peak, not growth until the process dies, so never an error.
      ...(severity === 'info' && origin !== 'remote' && origin !== 'input' && batchOnly(ctx) ? { raiseTo: 'info' as const }
        : kept.what === 'returned' || kept.what === 'used after the loop' ? { raiseTo: 'warning' as const } : {}),
      data: { unit: unitOf(read, file), ref, kept: kept.what },
      related: [
        { at: read, message: 'the loop reads the stream here, one piece per iteration' },
        ...(kept.at ? [{ at: kept.at, message: `${ref} is ${kept.what} here, holding everything read` }] : []),
      ],
      fix: (fixer) => generatorFix(fixer, scope, a, same, loop),
    });
  }
}

/** Words that name data: the input of an import, an export or an upload grows with use. */
const DATA_WORDS: ReadonlySet<string> = new Set(['import', 'imports', 'importer', 'export', 'exports', 'exporter', 'upload', 'uploads', 'uploaded']);
/** Words that name the code's own files: config, translations, loaders of them. */
const LOADER_WORDS: ReadonlySet<string> = new Set(['loader', 'config', 'configuration', 'translation', 'translations', 'translator', 'locale']);

/** `readCsvImport`, `csv_import`, `CsvFileLoader` → lower-cased words. */
function wordsOf(name: string | null | undefined): string[] {
  return name ? identifierWords(name) : [];
}

/**
 * Whether and how loud: a stream of data (a socket, a URL, standard input, an upload) keeps
 * the rule's severity; the code's own files (a literal path, `__DIR__`, a constant), data
 * already in memory (php://temp) and config/translation loaders are the point of reading
 * everything: silent; a path from elsewhere (an import's file too): silent in one-shot code,
 * info in long-running code (which raises it).
 */
/** The only evidence of long-running code is a console command over the rows of its input. */
function batchOnly(ctx: Ctx): boolean {
  const reasons = ctx.facts.longRunning.reasons;
  return reasons.length > 0 && reasons.every((r) => r.kind === 'batch-command');
}

function severityFor(ctx: Ctx, scope: Scope, origin: StreamOrigin, streamable: () => boolean): 'default' | Severity | null {
  if (origin === 'remote' || origin === 'input') return 'default';
  if (origin === 'fixed' || origin === 'memory') return null;
  const cls = scope.cls?.name ?? null;
  const fn = scope.node;
  const fnWords = wordsOf(fn.kind === 'function' || fn.kind === 'method' ? (fn.name as { name?: string }).name : null);
  const clsWords = wordsOf(cls);
  if ([...fnWords, ...clsWords].some((w) => LOADER_WORDS.has(w))) return null;
  if (ctx.isTestFile) return null;
  // The file of an import or export is data that grows with use. Reading it whole is worth an
  // info where nothing needs it whole: the rows are only walked one by one (a generator would
  // do). Where they go whole to a step that takes an array (wallabag's importers reverse them
  // and hand them to a shared `parseEntries(array)`), that is the design: a review judged such
  // findings not worth changing.
  // A console command is long-running by "runs over all the rows of its input" alone: the very
  // loop this rule looks at. Its process is one batch that ends with the input, so the path of
  // that input is judged as in one-shot code (a reviewer: a CSV backfill validates every row
  // before writing any; reading all is the point).
  if (ctx.longRunning && !batchOnly(ctx)) return 'info';
  if ((fnWords.some((w) => DATA_WORDS.has(w)) || clsWords.some((w) => DATA_WORDS.has(w))) && streamable()) return 'info';
  // Any other path from elsewhere in one-shot code (.htaccess, a bundled CSV, a debug log):
  // reading it all is the function's job, a peak for one run that ends with it. In
  // long-running code the peak stays with the worker: info, raised like any finding there.
  return null;
}

/**
 * Are the collected rows only walked one by one after the loop: returned to callers in this
 * file that all use the call as a `foreach` source, or used after the loop only as a `foreach`
 * source (and in `empty()`/`count()` checks)? Then streaming them is a drop-in change.
 */
function onlyIterated(ctx: Ctx, scope: Scope, a: Access, same: readonly Access[], loop: Loop, kept: string): boolean {
  const isForeachSource = (n: PhpNode): boolean => n.parent?.kind === 'foreach' && (n.parent as { source: PhpNode }).source === n;
  if (kept === 'returned') {
    const fn = scope.node;
    if ((fn.kind !== 'method' && fn.kind !== 'function') || !scope.name) return false;
    const calls = fn.kind === 'function' ? ctx.facts.functionCalls.get(scope.name) ?? [] : (ctx.facts.methodCalls.get(scope.name) ?? []).filter((c) => ctx.facts.classOf(c) === scope.cls);
    return calls.length > 0 && calls.every(isForeachSource);
  }
  if (kept !== 'used after the loop' || a.storage !== 'var') return false;
  const end = loop.loc?.end.offset ?? 0;
  const after = same.filter((b) => (b.node.loc?.start.offset ?? 0) > end);
  return after.some((b) => isForeachSource(b.outer))
    && after.every((b) => isForeachSource(b.outer) || b.outer.parent?.kind === 'empty' || b.role === 'count');
}

/**
 * Does the loop stop at a terminator line of a protocol reply: its test, or the condition of
 * an `if` that breaks out of it, compares the line read with a non-empty literal
 * (`!preg_match('/^\.\r\n/', $line)`, `$line !== ".\r\n"`, `trim($line) === 'END'`)? Then
 * it reads one reply, not the whole stream.
 */
function endsAtTerminator(loop: Loop, read: PhpNode): boolean {
  const holder = read.parent;
  const line = holder?.kind === 'assign' && holder.right === read ? varName(holder.left) : null;
  if (line === null) return false;
  const tests: PhpNode[] = loop.kind === 'while' || loop.kind === 'do' ? [loop.test] : loop.kind === 'for' ? [...loop.test] : [];
  for (const n of nodesUnder(loop)) {
    if (n.kind === 'if' && n.body && nodesUnder(n.body).some((b) => b.kind === 'break')) tests.push(n.test);
  }
  return tests.some((t) => nodesUnder(t).some((n) => comparesWithLiteral(n, line)));
}

function comparesWithLiteral(n: PhpNode, line: string): boolean {
  const mentions = (e: PhpNode | undefined): boolean => !!e && nodesUnder(e).some((x) => varName(x) === line);
  const literal = (e: PhpNode | undefined): boolean => !!e && e.kind === 'string' && e.value !== '';
  if (n.kind === 'call' && functionName(n) === 'preg_match') return literal(n.arguments[0]) && mentions(n.arguments[1]);
  if (n.kind === 'bin' && ['===', '==', '!==', '!='].includes(n.type)) return (literal(n.left) && mentions(n.right)) || (literal(n.right) && mentions(n.left));
  return false;
}

/**
 * Is the value kept for each line the line itself (`$lines[] = $line`, `trim($line)`,
 * `substr($line, 1)`, the read call), rather than a field parsed out of it (`$ids[$n] = $uid`
 * after `preg_split(…, $line)`)? Only then does the whole input end up in the array.
 */
function keepsWholeLine(write: PhpNode, read: PhpNode): boolean {
  if (write.kind !== 'assign' && write.kind !== 'assignref') return true;
  const value = write.right;
  if (value === read || isWithin(read, value)) return true;
  const holder = read.parent;
  const lineVar = holder?.kind === 'assign' && holder.right === read ? varName(holder.left) : read.kind === 'call' ? null : null;
  if (lineVar === null) return true;
  if (varName(value) === lineVar) return true;
  if (value.kind === 'call') return value.arguments.some((arg) => varName(arg) === lineVar);
  if (value.kind === 'bin' && value.type === '.') return true;
  return false;
}

/** Where the collected array is kept after the loop, or null when it is not. */
function keptWhere(scope: Scope, a: Access, same: readonly Access[], loop: Loop, loopEnd: number): { what: string; at: PhpNode | null } | null {
  if (a.storage === 'prop') return { what: 'a property of the object', at: null };
  if (a.storage === 'static-prop') return { what: 'a static property', at: null };
  if (scope.staticVars.has(a.name)) return { what: 'a static variable', at: null };
  if (scope.globals.has(a.name)) return { what: 'a global variable', at: null };
  const param = scope.params.get(a.name);
  if (param?.byref) return { what: 'a by-reference parameter', at: null };
  for (const b of same) {
    if (isWithin(b.node, loop) || b.role === 'assign' || (b.node.loc?.start.offset ?? 0) < loopEnd) continue;
    const p = b.outer.parent;
    if (p?.kind === 'return') return { what: 'returned', at: p };
    if (p?.kind === 'assign' && p.right === b.outer && p.left.kind !== 'variable') return { what: 'stored', at: p };
    return { what: 'used after the loop', at: b.outer };
  }
  return null;
}

/**
 * The LSP issue's fix: a function that only collects and returns becomes a generator. Each
 * `$a[] = v;` becomes `yield v;` (`$a[$k] = v;` becomes `yield $k => v;`), the `$a = [];` and
 * the `return $a;` go, and an `array` return type becomes `iterable`.
 */
function generatorFix(f: Fixer, scope: Scope, a: Access, same: readonly Access[], loop: Loop): Fix | null {
  const fn = scope.node;
  if (a.storage !== 'var' || fn.kind === 'program' || fn.kind === 'arrowfunc' || fn.byref || scope.isGenerator) return null;
  const body = fn.body;
  if (!body || body.kind !== 'block') return null;
  if (scope.params.has(a.name) || scope.staticVars.has(a.name) || scope.globals.has(a.name)) return null;
  const file = f.file;
  const edits: TextEdit[] = [];
  let init = 0;
  let ret = 0;
  for (const b of same) {
    const p = b.outer.parent;
    if (b.role === 'assign' && b.via?.kind === 'assign' && isEmptyArray(b.via.right) && b.via.parent?.kind === 'expressionstatement' && b.via.parent.parent?.kind === 'block') {
      init++;
      edits.push(f.remove(f.wholeLines(b.via.parent)));
    } else if (p?.kind === 'return' && p.parent === body) {
      ret++;
      edits.push(f.remove(withBlankLinesBefore(f, f.wholeLines(p), body.children[body.children.length - 1] === p)));
    } else if ((b.role === 'append' || b.role === 'keyed') && b.depth === 1 && b.via?.kind === 'assign' && b.via.operator === '=' && b.via.parent?.kind === 'expressionstatement') {
      const k = keyChain(b)[0];
      const value = file.textOf(b.via.right);
      edits.push(f.replace(b.via, k ? `yield ${file.textOf(k)} => ${value}` : `yield ${value}`));
    } else {
      return null;
    }
  }
  if (init !== 1 || ret !== 1) return null;
  // Another `return <value>` would become a generator's final value, seen by no foreach.
  if (scope.returns.some((r) => r.expr !== null && !(r.expr.kind === 'variable' && r.expr.name === a.name))) return null;
  const types = typeNames(fn.type);
  // A method's return type is part of a contract: widening `array` to `iterable` where it
  // implements or overrides another declaration is a fatal "must be compatible" error.
  const cls = fn.kind === 'method' ? closestAncestor(fn, (n) => n.kind === 'class' || n.kind === 'trait' || n.kind === 'interface' || n.kind === 'enum') : null;
  const contract = !!cls && (cls.kind !== 'class' || !!cls.extends || (cls.implements?.length ?? 0) > 0);
  if (fn.type && contract && (types[0] !== 'iterable' || fn.nullable)) return null;
  if (fn.type) {
    if (types.length !== 1 || !['array', 'iterable'].includes(types[0]!)) return null;
    if (types[0] === 'array') edits.push(f.replace(fn.type, 'iterable'));
    if (fn.nullable) {
      const q = file.text.lastIndexOf('?', file.spanOf(fn.type).start);
      if (q < 0) return null;
      edits.push({ start: q, end: q + 1, text: '' });
    }
  }
  const doc = docblockOf(fn);
  const docAt = doc ? file.text.lastIndexOf(doc, file.spanOf(fn).start) : -1;
  const tag = doc ? /@return\s+/.exec(doc) : null;
  if (doc && tag && docAt >= 0) {
    const from = tag.index + tag[0].length;
    const type = docType(doc, from);
    const replaced = iterableDocType(type.replace(/^\?/, ''));
    if (replaced) edits.push({ start: docAt + from, end: docAt + from + type.length, text: replaced });
  }
  // Callers of a method may be in any file (a subclass calling parent::…() too).
  const why = 'unsafe: callers get a generator, not an array: count(), array functions, [$i] and a second foreach fail';
  return f.fix(`Turn the function into a generator that yields each item instead of collecting them (${why})`, closeInFinally(f, body, loop, edits), 'unsafe');
}

/**
 * A generator's `fclose($h);` after its loop does not run when the caller stops early: when
 * that statement follows the reading loop, the loop goes into `try` and the close into
 * `finally` (edits inside the loop are applied to its new text).
 */
function closeInFinally(f: Fixer, body: Block, loop: Loop, edits: TextEdit[]): TextEdit[] {
  const file = f.file;
  const i = body.children.indexOf(loop);
  const next = body.children[i + 1];
  if (i < 0 || !next || next.kind !== 'expressionstatement' || next.expression.kind !== 'call' || functionName(next.expression) !== 'fclose') return edits;
  const span = file.spanOf(loop);
  const lineStart = file.lines.lineStart(file.lines.lineOf(span.start));
  // Re-indenting would change a heredoc's text.
  if (file.text.slice(lineStart, span.start).trim() !== '' || /<<</.test(file.textOf(loop))) return edits;
  const inner = edits.filter((e) => e.start >= span.start && e.end <= span.end);
  const text = applyEdits(file.text.slice(lineStart, span.end), inner.map((e) => ({ ...e, start: e.start - lineStart, end: e.end - lineStart })));
  if (text === null) return edits;
  const indent = f.indentAt(loop);
  const unit = f.indentUnit;
  const eol = f.eol;
  const moved = text.split(/\r\n|\n|\r/).map((l) => (l.trim() === '' ? l : unit + l)).join(eol);
  const close = file.textOf(next.expression);
  const end = file.text.indexOf(';', file.spanOf(next.expression).end) + 1;
  if (end <= 0) return edits;
  // On broken code the next `;` can lie past other edits (`fclose(n return $rows;`): no overlap.
  const rest = edits.filter((e) => !inner.includes(e));
  if (rest.some((e) => e.start < end && e.end > lineStart)) return edits;
  return [
    ...rest,
    { start: lineStart, end, text: `${indent}try {${eol}${moved}${eol}${indent}} finally {${eol}${indent}${unit}${close};${eol}${indent}}` },
  ];
}

/** The phpdoc type starting at `from`: up to the first blank outside `<…>`, `{…}`, `(…)`. */
function docType(doc: string, from: number): string {
  let depth = 0;
  let i = from;
  for (; i < doc.length; i++) {
    const c = doc[i]!;
    if (c === '<' || c === '{' || c === '(') depth++;
    else if (c === '>' || c === '}' || c === ')') depth--;
    else if (depth <= 0 && /\s/.test(c)) break;
    if (depth <= 0 && c === '*' && doc[i + 1] === '/') break;
  }
  return doc.slice(from, i);
}

/** Widen a removal of whole lines over the blank lines above it when it ends a block. */
function withBlankLinesBefore(f: Fixer, span: { start: number; end: number }, last: boolean): { start: number; end: number } {
  if (!last) return span;
  const lines = f.file.lines;
  let line = lines.lineOf(span.start);
  if (lines.lineStart(line) !== span.start) return span;
  let start = span.start;
  while (line > 1 && lines.lineText(line - 1).trim() === '') { line--; start = lines.lineStart(line); }
  return { start, end: span.end };
}

/** `string[]` → `iterable<string>`, `array<K, V>` → `iterable<K, V>`, `list<T>` → `iterable<int, T>`. */
function iterableDocType(t: string): string | null {
  if (/^array$/i.test(t)) return 'iterable';
  const arr = /^array<(.+)>$/i.exec(t);
  if (arr) return `iterable<${arr[1]}>`;
  const list = /^list<(.+)>$/i.exec(t);
  if (list) return `iterable<int, ${list[1]}>`;
  const sq = /^([\w\\]+)\[\]$/.exec(t);
  if (sq) return `iterable<${sq[1]}>`;
  return null;
}
