import type { Call, CommentNode, PhpNode } from '../engine/nodes.js';
import { closestAncestor, enclosingStatement, functionName, isInFinally, type Scope } from '../engine/facts/index.js';
import type { Fixer } from '../engine/fixes.js';
import { scheduledCollections } from '../engine/facts/gc-schedule.js';
import { defineRule } from '../engine/rule.js';
import type { SourceFile } from '../engine/source.js';
import type { Fix } from '../engine/types.js';

// gc_disable() without gc_enable() in a `finally` of the same function. Deliberate in short CLI
// runs (Composer's solver, Drupal's update tests, VarDumper's cloner): a comment that gives the
// reason on the call, or just above it, accepts it. Info outside long-running code.

type MessageId = 'neverEnabled' | 'notInFinally' | 'enabledByPair';

/** Calls that belong with gc_disable() and may sit between it and its explaining comment. */
const GC_CALLS = new Set(['gc_collect_cycles', 'gc_mem_caches', 'gc_enabled', 'gc_disable']);

export default defineRule({
  meta: {
    id: 'gc-disabled',
    severity: 'info',
    longRunningSeverity: 'warning',
    fixable: 'sometimes',
    description: 'gc_disable() not re-enabled in a finally: reference cycles are no longer collected.',
    messages: {
      neverEnabled: 'gc_disable() turns off the cycle collector and nothing in this function turns it back on',
      notInFinally: 'gc_disable() is undone outside a `finally`: an exception leaves the cycle collector off',
      enabledByPair: 'gc_disable() leaves the cycle collector off until `{{method}}()` calls gc_enable()',
    },
    details: {
      neverEnabled: 'gc_disable() turns off the cycle collector for the rest of the process and nothing in this function turns it back on: every object graph with a reference cycle created from now on stays in memory (measured: 100,000 small cycles hold +83 MB instead of +4 MB).',
      enabledByPair: 'gc_disable() turns off the cycle collector until `{{method}}()` of this class calls gc_enable(): if that call never comes (an exception in between, a caller that does not call `{{method}}()`), the collector stays off for the rest of the process and every object graph with a reference cycle stays in memory.',
      notInFinally: 'gc_disable() is undone by a gc_enable() that is not in a `finally`: an exception or early return skips it and the cycle collector stays off for the rest of the process, so every object graph with a reference cycle stays in memory.',
    },
    tips: {
      neverEnabled: 'Re-enable it in `finally` (`gc_disable(); try { … } finally { gc_enable(); }`), or, if a short-lived CLI run disables it on purpose, say why in a comment on the call.',
      enabledByPair: 'Make sure every path that ends the work reaches `{{method}}()` (call it from a `finally` around the work), or keep the collector on.',
      notInFinally: 'Put the work between them in `try { … } finally { gc_enable(); }`.',
    },
  },
  defaultOptions: {},
  create(ctx) {
    const calls: Call[] = [];
    return {
      call(node) {
        if (functionName(node) === 'gc_disable') calls.push(node);
      },
      'program:exit'() {
        for (const call of calls) {
          const scope = ctx.facts.scopeOf(call);
          const enables = scope.calls.filter((c) => functionName(c) === 'gc_enable');
          if (enables.some((e) => enabledInFinallyAfter(e, call, ctx.file))) continue;
          if (hasReasonComment(call, ctx.file)) continue;
          // The code collects cycles itself, on its own schedule: an event-loop server that
          // disables the automatic collector and runs gc_collect_cycles() from a periodic timer
          // (Reverb: `addPeriodicTimer(30, fn () => gc_collect_cycles())`) or in its loop.
          // gc_collect_cycles() runs with the collector disabled (php-memory-facts.md).
          if (collectsOnItsOwn(scheduledCollections(ctx.facts), scope)) continue;
          // A start/stop pair (`startCollecting()` disables, `stopCollecting()` enables): the
          // message names the method that re-enables, and wrapping this method in try/finally
          // would re-enable too early, so no fix.
          const pair = enables.length > 0 ? null : pairedEnabler(scope);
          if (pair) {
            ctx.report({
              at: call,
              messageId: 'enabledByPair',
              data: { method: pair.name },
              related: [{ at: pair.call, message: `gc_enable() in ${pair.name}() turns the collector back on` }],
            });
            continue;
          }
          const messageId: MessageId = enables.length > 0 ? 'notInFinally' : 'neverEnabled';
          ctx.report({
            at: call,
            messageId,
            related: enables.map((e) => ({ at: e, message: 'gc_enable() here is skipped when an exception is thrown or the function returns early' })),
            fix: (fixer) => wrapInTryFinally(call, fixer, ctx.file, scope.kind !== 'program'),
          });
        }
      },
    };
  },
});

/**
 * A gc_collect_cycles() that runs again and again (engine/facts/gc-schedule.ts), in the
 * disabling function or, for a method, anywhere in its class.
 */
function collectsOnItsOwn(collects: readonly Call[], scope: Scope): boolean {
  return collects.some((c) => {
    const owner = closestAncestor(c, (n) => n.kind === 'method' || n.kind === 'function', true);
    const cls = scope.cls?.node;
    return owner === scope.node || (cls !== undefined && closestAncestor(c, (n) => n === cls, true) !== null);
  });
}

/** Another method of the same class that calls gc_enable(), with its declared name. */
function pairedEnabler(scope: Scope): { name: string; call: Call } | null {
  if (!scope.cls) return null;
  for (const s of scope.cls.scopes) {
    if (s === scope || s.node.kind !== 'method') continue;
    const call = s.calls.find((c) => functionName(c) === 'gc_enable');
    if (call) return { name: s.node.name.name, call };
  }
  return null;
}

/** gc_enable() in the `finally` of a try that ends after the gc_disable() call. */
function enabledInFinallyAfter(enable: Call, disable: Call, file: SourceFile): boolean {
  if (!isInFinally(enable)) return false;
  const t = closestAncestor(enable, (n) => n.kind === 'try');
  return !!t && file.spanOf(t).end > file.spanOf(disable).start;
}

// ---- the reason comment ----

/**
 * A comment that explains the call: on its line, or ending on the line above the statement.
 * "Above" climbs over gc_* calls just before it (`gc_collect_cycles(); gc_disable();`) and out
 * of an `if` whose body starts with it (Drupal: `// reason` / `if (…) { gc_collect_cycles(); gc_disable(); }`).
 */
function hasReasonComment(call: Call, file: SourceFile): boolean {
  const comments = file.program.comments ?? [];
  const lines = file.lines;
  const callLine = lines.lineOf(file.spanOf(call).start);
  let anchor = enclosingStatement(call);
  for (;;) {
    const prev = previousSibling(anchor);
    if (prev && isGcCallStatement(prev) && lines.lineOf(file.spanOf(prev).end) >= lines.lineOf(file.spanOf(anchor).start) - 1) { anchor = prev; continue; }
    const holder = anchor.parent;
    if (!prev && holder?.kind === 'block' && holder.parent?.kind === 'if' && holder.parent.body === holder) { anchor = holder.parent; continue; }
    if (holder?.kind === 'if' && holder.body === anchor) { anchor = holder; continue; }
    break;
  }
  const from = lines.lineOf(file.spanOf(anchor).start) - 1;
  // Any comment on these lines may be the reason: a new one there changes the finding.
  file.noteRead({ start: lines.lineStart(Math.max(1, from)), end: lines.lineEnd(callLine) });
  const text: string[] = [];
  for (const c of comments) {
    if (!c.loc) continue;
    const start = c.loc.start.offset;
    const endLine = lines.lineOf(start + c.value.replace(/[\r\n]+$/, '').length);
    const startLine = lines.lineOf(start);
    if (endLine < from || startLine > callLine) continue;
    // A comment ending on the line above must stand on its own lines, not trail other code.
    if (startLine < from + 1 && lines.lineText(startLine).slice(0, start - lines.lineStart(startLine)).trim() !== '') continue;
    text.push(...commentGroup(c, comments, file));
  }
  return text.some(givesReason);
}

/** The comment with the consecutive `//` lines just above it (a reason often spans several). */
function commentGroup(last: CommentNode, comments: readonly CommentNode[], file: SourceFile): string[] {
  const out = [last.value];
  // The reason is in the comments' words, not in the tree: an edit there changes the finding.
  file.noteRead({ start: last.loc!.start.offset, end: last.loc!.end.offset });
  let line = file.lines.lineOf(last.loc!.start.offset);
  for (let i = comments.indexOf(last) - 1; i >= 0; i--) {
    const c = comments[i]!;
    if (!c.loc || file.lines.lineOf(c.loc.start.offset) !== line - 1) break;
    file.noteRead({ start: c.loc.start.offset, end: c.loc.end.offset });
    out.unshift(c.value);
    line--;
  }
  // A comment added on the line above would join the group.
  if (line > 1) file.noteRead({ start: file.lines.lineStart(line - 1), end: file.lines.lineEnd(line - 1) });
  return [out.join(' ')];
}

function givesReason(comment: string): boolean {
  const body = comment
    .replace(/phpleak-ignore[^\r\n]*/g, '')
    .replace(/^\s*(\/\/|#|\/\*+)|\*+\/\s*$/gm, '')
    .replace(/\b(TODO|FIXME|XXX|@todo)\b/gi, '')
    // Rule ids and other kebab-case tokens are names, not prose.
    .replace(/\b[a-z]+(?:-[a-z]+)+\b/g, '');
  return (body.match(/[A-Za-z]{2,}/g) ?? []).length >= 3;
}

function previousSibling(stmt: PhpNode): PhpNode | null {
  const p = stmt.parent as { children?: PhpNode[] } | undefined;
  const list = p?.children;
  if (!list) return null;
  const i = list.indexOf(stmt);
  return i > 0 ? list[i - 1]! : null;
}

function isGcCallStatement(stmt: PhpNode): boolean {
  if (stmt.kind !== 'expressionstatement') return false;
  let e = stmt.expression;
  if (e.kind === 'assign') e = e.right;
  return e.kind === 'call' && GC_CALLS.has(functionName(e) ?? '');
}

// ---- the fix ----

/**
 * `gc_disable(); A; B; gc_enable();` → `gc_disable(); try { A; B; } finally { gc_enable(); }`
 * (safe: the normal path is unchanged, the exceptional one re-enables the collector). With no
 * gc_enable() after it in the same block, the rest of the function body is wrapped (unsafe: the
 * collector now comes back on when the function returns, which the code never did).
 */
function wrapInTryFinally(call: Call, fixer: Fixer, file: SourceFile, inFunction: boolean): Fix | null {
  const stmt = call.parent;
  if (stmt?.kind !== 'expressionstatement') return null;
  const block = stmt.parent;
  if (block?.kind !== 'block' && block?.kind !== 'program' && block?.kind !== 'namespace') return null;
  const list = block.children;
  const i = list.indexOf(stmt);
  const endIdx = list.findIndex((s, k) => k > i && isPlainGcEnable(s));
  let body: PhpNode[];
  let safety: 'safe' | 'unsafe';
  let replaceEnable: PhpNode | null = null;
  if (endIdx > i) {
    body = list.slice(i + 1, endIdx);
    replaceEnable = list[endIdx]!;
    safety = 'safe';
  } else {
    // Only a function's own body: wrapping the rest of a script or of an `if` is not "the function".
    if (!inFunction || block.kind !== 'block' || !block.parent || !['function', 'method', 'closure'].includes(block.parent.kind)) return null;
    body = list.slice(i + 1);
    safety = 'unsafe';
  }
  if (body.length === 0) return null;
  if (body.some((s) => s.kind === 'function' || s.kind === 'class' || s.kind === 'interface' || s.kind === 'trait' || s.kind === 'enum' || s.kind === 'inline' || s.kind === 'label')) return null;
  const first = file.spanOf(body[0]!);
  const last = file.spanOf(body[body.length - 1]!);
  const lines = file.lines;
  const firstLine = lines.lineOf(first.start);
  const stmtEndLine = lines.lineOf(file.spanOf(stmt).end);
  // Statements must start their own lines (no `gc_disable(); work();` on one line).
  if (firstLine <= stmtEndLine || lines.lineText(firstLine).slice(0, first.start - lines.lineStart(firstLine)).trim() !== '') return null;
  const lastLine = lines.lineOf(last.end);
  if (lines.lineText(lastLine).slice(last.end - lines.lineStart(lastLine)).trim() !== '') return null;
  const regionStart = lines.lineStart(firstLine);
  const regionEnd = lines.lineEnd(lastLine);
  const indented = indentLines(file.slice(regionStart, regionEnd), fixer.indentUnit);
  if (indented === null) return null;
  const indent = fixer.indentAt(stmt);
  const eol = fixer.eol;
  const finallyText = `${indent}} finally {${eol}${indent}${fixer.indentUnit}gc_enable();${eol}${indent}}`;
  let end = regionEnd;
  if (replaceEnable) {
    // The old gc_enable(); line becomes the finally block; nothing else may share its lines.
    const span = file.spanOf(replaceEnable);
    const enableLine = lines.lineOf(span.start);
    if (file.slice(regionEnd, lines.lineStart(enableLine)).trim() !== '') return null;
    if (lines.lineText(enableLine).trim() !== file.slice(span.start, span.end).trim()) return null;
    end = lines.lineEnd(enableLine);
  }
  const text = `${indent}try {${eol}${indented}${eol}${finallyText}`;
  return fixer.fix(`Re-enable the cycle collector in finally${safety === 'safe' ? '' : ' (unsafe: the collector now comes back on when the function returns, which the code never did)'}`, [{ start: regionStart, end, text }], safety);
}

function isPlainGcEnable(s: PhpNode): boolean {
  return s.kind === 'expressionstatement' && s.expression.kind === 'call' && functionName(s.expression) === 'gc_enable' && s.expression.arguments.length === 0;
}

/**
 * Adds one indentation step to every non-blank line, or null when a line break falls inside a
 * string literal or a heredoc (indenting would change the string) or the text leaves PHP mode.
 */
function indentLines(text: string, unit: string): string | null {
  if (text.includes('<<<') || text.includes('?>')) return null;
  let state: 'code' | "'" | '"' | '`' | 'line' | 'block' = 'code';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1];
    switch (state) {
      case 'code':
        if (ch === "'" || ch === '"' || ch === '`') state = ch;
        else if (ch === '#' || (ch === '/' && next === '/')) state = 'line';
        else if (ch === '/' && next === '*') { state = 'block'; i++; }
        break;
      case 'line': if (ch === '\n' || ch === '\r') state = 'code'; break;
      case 'block': if (ch === '*' && next === '/') { state = 'code'; i++; } break;
      default:
        if (ch === '\\') i++;
        else if (ch === state) state = 'code';
        else if (ch === '\n' || ch === '\r') return null;
    }
  }
  return text.replace(/^(?=[^\r\n])/gm, unit);
}
