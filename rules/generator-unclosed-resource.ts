import { defineRule, type RelatedDescriptor } from '../engine/rule.js';
import type { Fixer } from '../engine/fixes.js';
import type { Fix } from '../engine/types.js';
import type { Call, FunctionLike, PhpNode } from '../engine/nodes.js';
import { closestAncestor, enclosingTries, functionName, isInFinally, isWithin, varName, type Scope } from '../engine/facts/index.js';
import { liveRange } from '../engine/facts/flow.js';

// A generator that opens a handle keeps it open while it is suspended at a `yield`. A consumer
// that stops early (`break`, `first()`, `LimitIterator`) never resumes it, so a close after the
// loop never runs; the handle then lives as long as the generator object (measured: +1 fd per
// kept generator), and when the handle is also held elsewhere only a `finally` closes it at the
// generator's destruction (measured: 50 runs, +50 fds without finally, +0 with it).

/** Functions that open a handle, with the function that closes it. */
const OPENERS: Readonly<Record<string, string>> = {
  fopen: 'fclose', tmpfile: 'fclose', fsockopen: 'fclose', stream_socket_client: 'fclose',
  gzopen: 'gzclose', bzopen: 'bzclose', popen: 'pclose', opendir: 'closedir', proc_open: 'proc_close',
};
// `curl_init` is deliberately absent: since PHP 8.0 a CurlHandle is an object freed with its last
// reference and `curl_close()` does nothing, so a `finally { curl_close($ch); }` changes nothing.
const CLOSERS: ReadonlySet<string> = new Set(Object.values(OPENERS));

type MessageId = 'neverClosed' | 'closeNotReached';

export default defineRule({
  meta: {
    id: 'generator-unclosed-resource',
    severity: 'warning',
    fixable: 'sometimes',
    description: 'A generator opens a handle and does not close it in `finally`: a consumer that stops early leaves it open.',
    messages: {
      neverClosed: 'The generator never closes its `{{fn}}()` handle: it stays open while the generator is suspended',
      closeNotReached: '`{{close}}()` runs only if the generator is iterated to the end: stopping early leaves the handle open',
    },
    details: {
      neverClosed:
        '`{{fn}}()` opens a handle in a generator that never closes it: while the generator is suspended at a `yield` the handle stays open, '
        + 'as long as the generator object lives (a consumer that stops early and keeps it, or stores it), and if the handle is also held '
        + 'elsewhere nothing closes it when the generator is destroyed.',
      closeNotReached:
        '`{{close}}()` on line {{line}} runs only when the generator is iterated to the end: a consumer that stops early (`break`) leaves it '
        + 'suspended at a `yield`, so the `{{fn}}()` handle stays open as long as the generator object lives, and is never closed here if the '
        + 'handle is also held elsewhere.',
    },
    tips: {
      neverClosed: 'Do not keep the generator once done with it (iterate it to the end, or drop it: PHP then closes a handle nobody else holds); and wrap the code after the open in `try { … } finally { {{close}}(${{name}}); }`, which PHP runs when a suspended generator is destroyed, also when the handle is held elsewhere.',
      closeNotReached: 'Do not keep the generator once done with it (iterate it to the end, or drop it); and move the close into `try { … } finally { {{close}}(${{name}}); }`, which PHP runs also when a suspended generator is destroyed, whoever else holds the handle.',
    },
  },
  defaultOptions: {},
  create(context) {
    const { file, facts } = context;
    /** Multi-line quoted strings: re-indenting their lines would change their value. */
    const multiLine: PhpNode[] = [];
    const noteString = (n: PhpNode): void => {
      if (n.parent?.kind === 'encapsedpart') return;
      if (n.kind === 'encapsed' && n.type === 'heredoc') return;
      if (/[\r\n]/.test(file.textOf(n)) && !file.textOf(n).startsWith('<<<')) multiLine.push(n);
    };

    const fns: FunctionLike[] = [];
    const collect = (fn: FunctionLike): void => { fns.push(fn); };

    function check(fn: FunctionLike): void {
      const scope = facts.scopeFor(fn);
      if (!scope || !scope.isGenerator) return;
      for (const open of scope.calls) {
        const opener = functionName(open);
        if (opener === null || !(opener in OPENERS)) continue;
        const target = assignTarget(open);
        if (!target) continue; // passed along or discarded: someone else owns it
        checkOpen(fn, scope, open, opener, target);
      }
    }

    function checkOpen(fn: FunctionLike, scope: Scope, open: Call, opener: string, target: { name: string; assign: PhpNode }): void {
      const { name } = target;
      const uses = usesOf(scope, name, open);
      if (uses.handedOut) return; // yielded or returned: the consumer owns the handle
      const closes = scope.calls.filter((c) => {
        const fnName = functionName(c);
        return fnName !== null && CLOSERS.has(fnName) && varName(c.arguments[0]) === name;
      });
      // A cleanup helper called with the handle inside a `finally` counts as closing it there.
      const cleanups = scope.calls.filter((c) => !closes.includes(c) && c.arguments.some((a) => varName(a) === name) && isInFinally(c));
      const releases = [...closes, ...cleanups];
      const flow = liveRange({ fn, acquire: open, releases, probes: scope.yields });
      if (!flow.supported) return;
      const exposed = flow.liveProbes.filter((y) => !enclosingTries(y).some((t) => t.always && releases.some((r) => isWithin(r, t.always!))));
      if (exposed.length === 0) return;
      // A local handle of a generator that is dropped is closed with it (measured: +0 fds after
      // a consumer's `break`): only a handle also held elsewhere, or a generator that a caller
      // keeps suspended, stays open. Without evidence of either in this file: not reported.
      const keeper = uses.escapes ? null : keptBy(fn);
      if (!uses.escapes && !keeper) return;
      const close = OPENERS[opener]!;
      // The close the message names is the one the suspended generator never reaches: after the
      // yield that exposes the handle, not an early-exit close before it (`if (!$ok) { fclose($h);
      // continue; }` ahead of the yield is reached, and says nothing about the consumer).
      const late = closes.filter((c) => !isInFinally(c) && c.loc!.start.offset > open.loc!.start.offset);
      const lateClose = late.find((c) => c.loc!.start.offset > exposed[0]!.loc!.start.offset) ?? late[late.length - 1];
      const related: RelatedDescriptor[] = [{ at: exposed[0]!, message: 'the generator suspends here with the handle open; a consumer may never resume it' }];
      if (lateClose) related.push({ at: lateClose, message: 'reached only if the consumer iterates the generator to the end' });
      if (keeper) related.push({ at: keeper, message: 'the generator is kept here: while it lives suspended, its handle stays open' });
      context.report({
        at: open,
        messageId: lateClose ? 'closeNotReached' : 'neverClosed',
        data: { fn: opener, close: lateClose ? functionName(lateClose)! : close, name, line: lateClose ? file.rangeOf(lateClose).start.line : 0 },
        related,
        fix: (fixer) => wrapFix(fixer, fn, target.assign, name, close, closes, uses.escapes),
      });
    }

    /**
     * A call of the generator in this file whose result is kept (`$lines = get_data($path)`,
     * `$this->pending[] = $this->rows($p)`, `[$a, rows($p)]`) rather than iterated on the spot.
     */
    function keptBy(fn: FunctionLike): PhpNode | null {
      let calls: Call[] = [];
      if (fn.kind === 'function') calls = facts.functionCalls.get(fn.name.name.toLowerCase()) ?? [];
      else if (fn.kind === 'method') calls = facts.methodCalls.get(fn.name.name.toLowerCase()) ?? [];
      else {
        const holder = fn.parent;
        const v = holder?.kind === 'assign' && holder.right === fn ? varName(holder.left) : null;
        if (v !== null) calls = facts.scopeOf(fn).calls.filter((c) => varName(c.what) === v);
      }
      for (const c of calls) {
        const p = c.parent;
        if ((p?.kind === 'assign' && p.right === c) || p?.kind === 'entry') return p;
      }
      return null;
    }

    /** `try { rest } finally { close($h); }` around the statements after `$h = open(...);`. */
    function wrapFix(fixer: Fixer, fn: FunctionLike, assign: PhpNode, name: string, close: string, closes: Call[], escapes: boolean): Fix | null {
      const stmt = assign.parent;
      const body = fn.kind === 'arrowfunc' ? null : fn.body;
      if (!body || !stmt || stmt.kind !== 'expressionstatement' || stmt.parent !== body) return null;
      const list = body.children;
      let first = list.indexOf(stmt) + 1;
      const guarded = first < list.length && isFailureGuard(list[first]!, name);
      if (guarded) first++;
      // A trailing `close($h);` directly in the body moves into the finally.
      let closeIdx = -1;
      for (let i = first; i < list.length; i++) if (isCloseStatement(list[i]!, name, closes)) { closeIdx = i; break; }
      const last = (closeIdx >= 0 ? closeIdx : list.length) - 1;
      if (last < first) return null;
      const lines = file.lines;
      const before = list[first - 1]!;
      const fromLine = lines.lineOf(file.spanOf(before).end) + 1;
      const lastEnd = file.spanOf(list[last]!).end;
      const toLine = lines.lineOf(lastEnd);
      // Whole lines only: nothing but a comment may share a line with the wrapped statements.
      if (!/^\s*((\/\/|#).*)?$/.test(file.slice(file.spanOf(before).end, lines.lineEnd(lines.lineOf(file.spanOf(before).end))))) return null;
      if (!/^\s*((\/\/|#).*)?$/.test(file.slice(lastEnd, lines.lineEnd(toLine)))) return null;
      if (fromLine > toLine) return null;
      const regionStart = lines.lineStart(fromLine);
      const regionEnd = lines.lineEnd(toLine);
      if (multiLine.some((s) => { const sp = file.spanOf(s); return sp.start < regionEnd && sp.end > regionStart; })) return null;

      const eol = fixer.eol;
      const unit = fixer.indentUnit;
      const ind = fixer.indentAt(list[first]!);
      const wrapped: string[] = [];
      for (let l = fromLine; l <= toLine; l++) {
        const t = lines.lineText(l);
        wrapped.push(t.trim() === '' ? '' : unit + t);
      }
      const moved = closeIdx >= 0 ? list[closeIdx]! : null;
      const otherCloses = closes.filter((c) => !moved || !isWithin(c, moved));
      const plain = guarded && otherCloses.length === 0;
      const closeCall = moved && plain ? file.textOf(moved).replace(/;?\s*$/, ';') : `${close}($${name});`;
      const finallyBody = plain
        ? [`${ind}${unit}${closeCall}`]
        : [`${ind}${unit}if (is_resource($${name})) {`, `${ind}${unit}${unit}${closeCall}`, `${ind}${unit}}`];
      const replacement = [`${ind}try {`, ...wrapped, `${ind}} finally {`, ...finallyBody, `${ind}}`].join(eol);
      const edits = [];
      if (moved) {
        const ms = file.spanOf(moved);
        const gap = file.slice(regionEnd, ms.start);
        const movedLineEnd = lines.lineEnd(lines.lineOf(ms.end));
        if (!/^\s*((\/\/|#).*)?$/.test(file.slice(ms.end, movedLineEnd))) return null;
        if (/^\s*$/.test(gap)) {
          edits.push({ start: regionStart, end: movedLineEnd, text: replacement });
        } else {
          edits.push({ start: regionStart, end: regionEnd, text: replacement });
          edits.push(fixer.remove(fixer.wholeLines(moved)));
        }
      } else {
        edits.push({ start: regionStart, end: regionEnd, text: replacement });
      }
      const title = moved ? `Move \`${close}($${name})\` into a \`finally\`` : `Close $${name} in a \`finally\``;
      // A handle that was stored, captured or passed to a constructor may still be in use by its
      // other holder when the generator is destroyed: closing it then changes behaviour.
      return fixer.fix(escapes ? `${title} (unsafe: the handle also escapes, and closing it closes it for its other holder too)` : title, edits, escapes ? 'unsafe' : 'safe');
    }

    return {
      string: noteString,
      encapsed: noteString,
      // Decided at the end of the file: the callers that keep a generator may come after it.
      'function:exit': collect,
      'method:exit': collect,
      'closure:exit': collect,
      'arrowfunc:exit': collect,
      'program:exit'() { for (const fn of fns) check(fn); },
    };
  },
});

/** `$h = open(...)` / `$h = @open(...)` (also inside a condition): the variable and the assign. */
function assignTarget(call: Call): { name: string; assign: PhpNode } | null {
  let n: PhpNode = call;
  while (n.parent && n.parent.kind === 'silent') n = n.parent;
  const p = n.parent;
  if (!p || p.kind !== 'assign' || p.operator !== '=' || p.right !== n) return null;
  const name = varName(p.left);
  return name ? { name, assign: p } : null;
}

/**
 * How the handle variable is used besides reading. Handed out: yielded, returned, stored in a
 * property or given to a constructor; its new owner decides when it closes, so no finding.
 * Escaping: captured by a closure, aliased or put in a local array; the generator still
 * holds it, but closing it in `finally` may pull it from under the other holder.
 */
function usesOf(scope: Scope, name: string, open: Call): { handedOut: boolean; escapes: boolean } {
  let handedOut = closestAncestor(open, (n) => n.kind === 'yield' || n.kind === 'yieldfrom' || n.kind === 'return') !== null;
  let escapes = false;
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== name || a.depth !== 0) continue;
    const p = a.node.parent;
    if (!p) continue;
    if (p.kind === 'yield' || p.kind === 'yieldfrom' || p.kind === 'return' || p.kind === 'new') handedOut = true;
    else if ((p.kind === 'assign' || p.kind === 'assignref') && p.right === a.node) {
      if (isMemberTarget(p.left)) handedOut = true; else escapes = true;
    } else if (p.kind === 'closure' || p.kind === 'entry' || p.kind === 'byref') escapes = true;
  }
  for (const child of scope.children) {
    if (child.kind === 'arrowfunc' && child.accesses.some((a) => a.storage === 'var' && a.name === name)) escapes = true;
  }
  return { handedOut, escapes };
}

/** `$this->h`, `$obj->list[]`, `self::$h[$k]`: a place owned by an object or class. */
function isMemberTarget(n: PhpNode): boolean {
  let b = n;
  while (b.kind === 'offsetlookup') b = b.what;
  return b.kind === 'propertylookup' || b.kind === 'nullsafepropertylookup' || b.kind === 'staticlookup';
}

/** `if ($h === false) { throw …; }` and the like right after the open: stays before the `try`. */
function isFailureGuard(s: PhpNode, name: string): boolean {
  if (s.kind !== 'if' || s.alternate || !s.body) return false;
  const t = s.test;
  const isH = (n: PhpNode): boolean => varName(n) === name;
  const isFalsy = (n: PhpNode): boolean => (n.kind === 'boolean' && n.value === false) || n.kind === 'nullkeyword';
  const ok = (t.kind === 'unary' && t.type === '!' && (isH(t.what) || (t.what.kind === 'call' && functionName(t.what) === 'is_resource' && isH(t.what.arguments[0]!))))
    || (t.kind === 'bin' && (t.type === '===' || t.type === '==') && ((isH(t.left) && isFalsy(t.right)) || (isH(t.right) && isFalsy(t.left))));
  if (!ok) return false;
  const body = s.body.kind === 'block' ? s.body.children : [s.body];
  const lastStmt = body[body.length - 1];
  return !!lastStmt && (lastStmt.kind === 'throw' || lastStmt.kind === 'return');
}

function isCloseStatement(s: PhpNode, name: string, closes: readonly Call[]): boolean {
  if (s.kind !== 'expressionstatement') return false;
  let e = s.expression;
  if (e.kind === 'silent') e = e.expr;
  return e.kind === 'call' && closes.includes(e) && varName(e.arguments[0]) === name;
}
