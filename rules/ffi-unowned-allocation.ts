import { defineRule, type RelatedDescriptor } from '../engine/rule.js';
import type { Fixer } from '../engine/fixes.js';
import type { SourceFile, Span } from '../engine/source.js';
import type { Fix, TextEdit } from '../engine/types.js';
import type { Call, FunctionLike, PhpNode, Program } from '../engine/nodes.js';
import {
  argumentAt, callReceiver, enclosingLoops, isWithin, methodName, thisPropertyName, staticProperty, varName,
  type Scope,
} from '../engine/facts/index.js';
import { liveRange, type LiveExit } from '../engine/facts/flow.js';

// `FFI::new($type, false)` allocates memory PHP does not own: it is not freed when the CData
// object goes away, only by `FFI::free()`. Measured: `long[1024]` in a function, 20,000 calls,
// +160,000 KB that never come back; the owned `FFI::new("long[1024]")` +0 KB. With
// `persistent: true` the memory is malloc'ed outside PHP's memory limit and even survives the
// request (the talk's process was killed by the OOM killer instead of hitting the limit).

type MessageId = 'discarded' | 'neverFreed' | 'notFreedOnAllPaths' | 'propertyNeverFreed';

/** `FFI::…` helpers that only read or copy through the CData; they do not keep it. */
const BORROWING_HELPERS: ReadonlySet<string> = new Set(['memcpy', 'memset', 'memcmp', 'string', 'sizeof', 'alignof', 'typeof', 'isnull', 'free']);

export default defineRule({
  meta: {
    id: 'ffi-unowned-allocation',
    severity: 'error',
    fixable: 'sometimes',
    description: '`FFI::new(type, false)` whose memory is not freed with `FFI::free()` on every path: a leak PHP cannot reclaim.',
    messages: {
      discarded: '`{{call}}` allocates memory PHP does not own and discards it: it can never be freed',
      neverFreed: '`{{call}}` in `${{name}}` is never passed to `FFI::free()`: the memory PHP does not own leaks',
      notFreedOnAllPaths: '`{{call}}` in `${{name}}` is not freed when {{exit}}',
      propertyNeverFreed: '`{{call}}` in `{{target}}` is never freed by this class',
    },
    details: {
      discarded:
        '`{{call}}` allocates memory PHP does not own, and its result is discarded: nothing can ever free it, so each run leaks it '
        + '(measured: `long[1024]` in a function, 20,000 calls, +160,000 KB never reclaimed).{{persistent}}',
      neverFreed:
        '`${{name}}` holds memory from `{{call}}`, which PHP does not own, and is never passed to `FFI::free()`: the memory is not freed '
        + 'when `${{name}}` goes away, so {{each}} leaks it (measured: `long[1024]`, 20,000 calls, +160,000 KB never reclaimed).{{persistent}}',
      notFreedOnAllPaths:
        '`${{name}}` holds memory from `{{call}}`, which PHP does not own, and {{path}} without `FFI::free(${{name}})`: on that path the '
        + 'memory is never freed (PHP frees only owned CData).{{persistent}}',
      propertyNeverFreed:
        '`{{target}}` holds memory from `{{call}}`, which PHP does not own, and nothing in this class passes it to `FFI::free()`: '
        + 'it is never freed, for every object (not even when the object is destroyed).{{persistent}}',
    },
    tips: {
      discarded: 'Drop the `false` argument (owned memory is freed with its CData), or keep the result and `FFI::free()` it.',
      neverFreed: 'Drop the `false` argument so PHP frees the memory with `${{name}}`, or call `FFI::free(${{name}})` in a `finally`.',
      notFreedOnAllPaths: 'Free it in `try { … } finally { FFI::free(${{name}}); }`, or drop the `false` argument so PHP owns the memory.',
      propertyNeverFreed: 'Free it in `__destruct()` (or a `close()` method) with `FFI::free({{target}})`, or drop the `false` argument.',
    },
  },
  defaultOptions: {},
  create(context) {
    const { file, facts } = context;

    function check(call: Call): void {
      const owned = argumentAt(call, 1, 'owned');
      if (!owned || owned.kind !== 'boolean' || owned.value !== false) return;
      const persistentArg = argumentAt(call, 2, 'persistent');
      const persistent = !!persistentArg && persistentArg.kind === 'boolean' && persistentArg.value === true;
      const data = {
        call: callText(file, call),
        persistent: persistent
          ? ' With `persistent: true` it is malloc\'ed outside PHP\'s memory limit and outlives the request: the process grows until the OS kills it.'
          : '',
      };
      const scope = facts.scopeOf(call);
      const fn = scope.node;
      // At the top level the request's end frees non-persistent memory: only repeats matter there.
      const topLevel = fn.kind === 'program';
      if (topLevel && !persistent && enclosingLoops(call).length === 0) return;

      let n: PhpNode = call;
      while (n.parent && n.parent.kind === 'silent') n = n.parent;
      const p = n.parent;
      if (p && p.kind === 'expressionstatement') {
        context.report({ at: call, messageId: 'discarded', data, fix: (fixer) => ownedFix(fixer, call, [], true) });
        return;
      }
      if (!p || p.kind !== 'assign' || p.operator !== '=' || p.right !== n) return; // returned, passed on, …: not ours to judge
      const name = varName(p.left);
      if (name !== null) { checkVariable(call, scope, fn, name, data); return; }
      const target = memberTarget(p.left);
      if (target) checkMember(call, target, data);
    }

    function checkVariable(call: Call, scope: Scope, fn: FunctionLike | Program, name: string, data: Record<string, string>): void {
      const uses = usesOf(scope, name);
      if (uses.handedOver) return; // returned, stored, captured: the new holder frees it (or not: that is its code)
      const frees = freesOf(scope.calls, (a) => varName(a) === name);
      const flow = liveRange({ fn, acquire: call, releases: frees });
      if (!flow.supported) return;
      const exits = fn.kind === 'program' ? flow.liveExits.filter((e) => e.kind === 'reacquire') : flow.liveExits;
      if (exits.length === 0) return;
      const related: RelatedDescriptor[] = exits.map((e) => ({ at: exitSite(e), message: exitMessage(e, name) }));
      const first = exits.find((e) => e.kind !== 'reacquire') ?? exits[0]!;
      const messageId: MessageId = frees.length === 0 ? 'neverFreed' : 'notFreedOnAllPaths';
      context.report({
        at: call,
        messageId,
        data: { ...data, name, path: pathText(first), exit: exitText(first), each: exits.some((e) => e.kind !== 'reacquire') ? 'each call' : 'each iteration' },
        related,
        fix: (fixer) => {
          const fixes: Fix[] = [];
          const a = ownedFix(fixer, call, frees, uses.borrowedOnly);
          if (a) fixes.push(a);
          const b = freeAtEndFix(fixer, call, fn, name, frees, exits, scope, uses.borrowedOnly);
          if (b) fixes.push(b);
          return fixes;
        },
      });
    }

    function checkMember(call: Call, target: { text: string; key: string }, data: Record<string, string>): void {
      const cls = facts.classOf(call);
      if (!cls) return;
      const frees = freesOf(facts.methodCalls.get('free') ?? [], (a) => memberKey(a) === target.key)
        .filter((c) => isWithin(c, cls.node));
      if (frees.length > 0) return;
      context.report({ at: call, messageId: 'propertyNeverFreed', data: { ...data, target: target.text }, fix: (fixer) => ownedFix(fixer, call, [], false) });
    }

    function exitSite(e: LiveExit): PhpNode | Span {
      if (e.kind !== 'end') return e.node;
      const s = file.spanOf(e.node);
      return { start: Math.max(s.start, s.end - 1), end: s.end };
    }

    function line(n: PhpNode): number { return file.rangeOf(n).start.line; }

    function pathText(e: LiveExit): string {
      switch (e.kind) {
        case 'return': return `the \`return\` on line ${line(e.node)} leaves the function`;
        case 'throw': return `the \`throw\` on line ${line(e.node)} leaves the function`;
        case 'end': return 'the function can reach its end';
        case 'reacquire': return 'the loop allocates again (the previous allocation is then lost)';
      }
    }

    /** The path that skips the free, without line numbers (the message: engine/identity.ts). */
    function exitText(e: LiveExit): string {
      switch (e.kind) {
        case 'return': return 'the function returns early';
        case 'throw': return 'an exception is thrown';
        case 'end': return 'the function reaches its end';
        case 'reacquire': return 'the loop allocates again';
      }
    }

    function exitMessage(e: LiveExit, name: string): string {
      switch (e.kind) {
        case 'return': return `returns here without freeing $${name}`;
        case 'throw': return `throws here without freeing $${name}`;
        case 'end': return `the function ends here without freeing $${name}`;
        case 'reacquire': return `allocated again here while the previous $${name} was not freed`;
      }
    }

    /** (a) Make the allocation owned: drop `false`, and the `FFI::free()` calls (FFI::free on owned CData throws). */
    function ownedFix(fixer: Fixer, call: Call, frees: Call[], safe: boolean): Fix | null {
      const edits: TextEdit[] = [];
      const args = call.arguments;
      const ownedIdx = args.findIndex((a, i) => (a.kind === 'namedargument' && a.name === 'owned') || (i === 1 && a.kind !== 'namedargument'));
      if (ownedIdx < 1) return null;
      const arg = args[ownedIdx]!;
      if (ownedIdx === args.length - 1) {
        edits.push({ start: file.spanOf(args[ownedIdx - 1]!).end, end: file.spanOf(arg).end, text: '' });
      } else {
        const value = arg.kind === 'namedargument' ? arg.value : arg;
        edits.push(fixer.replace(value, 'true'));
      }
      for (const f of frees) {
        const stmt = f.parent;
        if (!stmt || stmt.kind !== 'expressionstatement') return null;
        edits.push(fixer.remove(fixer.wholeLines(stmt)));
      }
      // A free outside the loop that allocates (`foreach (…) { $p = FFI::new(…, false); } FFI::free($p);`)
      // throws a TypeError when the loop did not run: removing it changes that path.
      const loops = enclosingLoops(call);
      const outside = frees.some((fr) => loops.some((l) => !isWithin(fr, l)));
      if (outside) return fixer.fix('Make the allocation owned by PHP (drop `false`) (unsafe: the FFI::free() after the loop, which threw when the loop did not run, goes)', edits, 'unsafe');
      // Owned memory is freed when the CData goes away: unsafe if C code may keep the pointer.
      return fixer.fix(`Make the allocation owned by PHP (drop \`false\`)${safe ? '' : ' (unsafe: C code given the pointer may keep it after PHP frees it)'}`, edits, safe ? 'safe' : 'unsafe');
    }

    /** (b) `FFI::free($p);` at the end of the function, when that is the only way out still live. */
    function freeAtEndFix(
      fixer: Fixer, call: Call, fn: FunctionLike | Program, name: string, frees: Call[], exits: LiveExit[], scope: Scope, safe: boolean,
    ): Fix | null {
      if (frees.length > 0 || fn.kind === 'program' || fn.kind === 'arrowfunc' || !fn.body) return null;
      const body = fn.body.children;
      const stmt = call.parent?.parent;
      if (!stmt || stmt.kind !== 'expressionstatement' || stmt.parent !== fn.body) return null;
      const last = body[body.length - 1];
      if (!last) return null;
      const finalReturn = last.kind === 'return' ? last : null;
      for (const e of exits) {
        if (e.kind === 'end') continue;
        if (e.kind === 'return' && e.node === finalReturn) continue;
        return null;
      }
      // Freeing before `return FFI::string($p)` would read freed memory.
      if (finalReturn && scope.accesses.some((a) => a.storage === 'var' && a.name === name && isWithin(a.node, finalReturn))) return null;
      const cls = call.what.kind === 'staticlookup' ? file.textOf(call.what.what) : '\\FFI';
      const indent = fixer.indentAt(stmt);
      const text = `${cls}::free($${name});`;
      const edit = finalReturn
        ? fixer.insertAt(file.lines.lineStart(file.rangeOf(finalReturn).start.line), `${indent}${text}${fixer.eol}`)
        : fixer.insertAfter(last, `${fixer.eol}${indent}${text}`);
      return fixer.fix(`Free $${name} with ${cls}::free() at the end of the function${safe ? '' : ' (unsafe: C code given the pointer may keep it after the free)'}`, [edit], safe ? 'safe' : 'unsafe');
    }

    return {
      'program:exit': () => {
        for (const call of facts.methodCalls.get('new') ?? []) if (isFfiNew(call)) check(call);
      },
    };
  },
});

function callText(file: SourceFile, call: Call): string {
  const t = file.textOf(call).replace(/\s+/g, ' ');
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

/**
 * `FFI::new(…)`, `\FFI::new(…)`, or `$x->new(…)` that looks like FFI's: the receiver is named
 * like an FFI (`$ffi`, `$this->ffi`, `self::$libFfi`) or the first argument is a C type
 * (a string, `FFI::type(…)`, `$ffi->arrayType(…)`), so an unrelated `->new($x, false)` is left alone.
 */
function isFfiNew(call: Call): boolean {
  if (methodName(call) !== 'new') return false;
  const w = call.what;
  if (w.kind === 'staticlookup') return w.what.kind === 'name' && w.what.name.replace(/^\\/, '').toLowerCase() === 'ffi';
  const recv = callReceiver(call);
  const recvName = recv ? (varName(recv) ?? thisPropertyName(recv) ?? staticProperty(recv)?.name ?? '') : '';
  if (/ffi/i.test(recvName)) return true;
  const t = call.arguments[0];
  if (!t) return false;
  if (t.kind === 'string' || t.kind === 'encapsed' || t.kind === 'nowdoc' || (t.kind === 'bin' && t.type === '.')) return true;
  if (t.kind === 'call') { const m = methodName(t); return m === 'type' || m === 'arraytype'; }
  return false;
}

function isFfiStatic(call: Call): string | null {
  const w = call.what;
  if (w.kind !== 'staticlookup' || w.what.kind !== 'name' || w.what.name.replace(/^\\/, '').toLowerCase() !== 'ffi') return null;
  return methodName(call);
}

/** `FFI::free(x)` / `$ffi->free(x)` calls whose argument matches. */
function freesOf(calls: readonly Call[], matches: (arg: PhpNode) => boolean): Call[] {
  return calls.filter((c) => methodName(c) === 'free' && c.arguments.length > 0 && matches(c.arguments[0]!));
}

function memberKey(n: PhpNode): string | null {
  const p = thisPropertyName(n);
  if (p !== null) return `->${p}`;
  const s = staticProperty(n);
  return s ? `::${s.name}` : null;
}

function memberTarget(n: PhpNode): { text: string; key: string } | null {
  const p = thisPropertyName(n);
  if (p !== null) return { text: `$this->${p}`, key: `->${p}` };
  const s = staticProperty(n);
  return s ? { text: `${s.cls}::$${s.name}`, key: `::${s.name}` } : null;
}

/**
 * Where the pointer goes. Handed over: returned, yielded, stored anywhere, captured by a
 * closure, passed to a constructor or to a method of this class (which may keep it). Borrowed
 * only: read through (`$p[0]`, `$p->field`) and given to FFI's own helpers (`FFI::memcpy`,
 * `FFI::string`, …); anything else (a C function) may keep the pointer, so fixes that change
 * the lifetime are unsafe then.
 */
function usesOf(scope: Scope, name: string): { handedOver: boolean; borrowedOnly: boolean } {
  let handedOver = false;
  let borrowedOnly = true;
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== name) continue;
    if (a.depth > 0) continue; // `$p[0] = …`, `$p[0]`
    const p = a.node.parent;
    if (!p) continue;
    switch (p.kind) {
      case 'return': case 'yield': case 'yieldfrom': case 'closure': case 'new': case 'entry': case 'assignref': case 'byref':
        handedOver = true;
        break;
      case 'assign':
        if (p.right === a.node) handedOver = true;
        break;
      case 'propertylookup': case 'nullsafepropertylookup': case 'offsetlookup':
        break; // `$p->field`, read through
      case 'call': {
        const helper = isFfiStatic(p);
        if (helper !== null && BORROWING_HELPERS.has(helper)) break;
        const recv = callReceiver(p);
        if (recv && (varName(recv) === 'this' || recv.kind === 'selfreference' || recv.kind === 'staticreference' || recv.kind === 'parentreference')) {
          handedOver = true;
        }
        borrowedOnly = false;
        break;
      }
      case 'namedargument':
        borrowedOnly = false;
        break;
      default:
        break;
    }
  }
  for (const child of scope.children) {
    if (child.kind === 'arrowfunc' && child.accesses.some((x) => x.storage === 'var' && x.name === name)) handedOver = true;
  }
  return { handedOver, borrowedOnly };
}
