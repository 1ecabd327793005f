import type { Call, Closure, ArrowFunc, Loop, PhpNode } from '../engine/nodes.js';
import {
  callReceiver, enclosingLoops, functionName, methodName, varName,
  type Access, type ClassFacts, type Facts, type Scope,
} from '../engine/facts/index.js';
import { closeIn, handleSourceOf, handleVariable, openerCall, HANDLE_OPENERS, type HandleSource } from '../engine/facts/handles.js';
import { lifetimeOf } from '../engine/facts/lifetime.js';
import { isEndless } from '../engine/facts/long-running.js';
import { repetitionOf, repetitionSite } from '../engine/facts/repetition.js';
import { defineRule } from '../engine/rule.js';
import { eagerOpen } from './resource-not-closed-eager.js';

// Handles that are KEPT: collected in a static property, a `static` local, a global or an
// object's array property with nothing in the class/function that closes or removes them; in a
// local array filled by a loop that never ends; or captured by closures registered over and over
// on a long-lived emitter. A local handle that merely misses fclose() is not flagged: PHP closes
// it when its last reference goes (measured, php-memory-facts.md).

type MessageId = 'kept' | 'accumulated' | 'captured' | 'destructOnly' | 'eager';

/**
 * Roles of objects that live as long as the process once made (a lock manager, a connection
 * pool, a store): their destructor runs at exit, not between jobs.
 */
const LONG_LIVED_ROLE = /(Manager|Registry|Pool|Store|Locker|Lock|Service|Provider|Factory|Repository|Storage|Cache|Client|Server|Worker|Daemon|Supervisor|Handler|Logger|Bus|Dispatcher|Broker|Connector)$/;

/** Array functions that take elements out of an array (so its handles are released). */
const EVICTING_CALLS = new Set(['array_pop', 'array_shift', 'array_splice']);
/** Methods and functions that keep a callback until it is removed. */
const REGISTER_METHODS = new Set([
  'on', 'once', 'addlistener', 'addeventlistener', 'listen', 'subscribe', 'addtimer', 'addperiodictimer',
  'futuretick', 'addreadstream', 'addwritestream', 'addsignal', 'onreadable', 'onwritable', 'repeat', 'delay', 'defer',
]);
const REGISTER_FUNCTIONS = new Set(['register_shutdown_function', 'register_tick_function', 'spl_autoload_register']);
const REMOVE_METHODS = new Set([
  'off', 'removelistener', 'removealllisteners', 'removeeventlistener', 'unsubscribe', 'canceltimer', 'cancel',
  'removereadstream', 'removewritestream', 'removesignal', 'detach',
]);

export default defineRule({
  meta: {
    id: 'resource-not-closed',
    severity: 'warning',
    fixable: 'never',
    description: 'Handles kept open: accumulated in long-lived arrays, captured by closures registered repeatedly, or opened one per item of data before any is closed.',
    messages: {
      kept: '{{what}} handles are kept in {{where}} and never closed or removed',
      accumulated: '{{what}} handles are collected in `${{name}}` in an endless loop and never closed',
      captured: 'A closure registered {{per}} keeps the {{what}} handle `${{name}}` open and is never removed',
      destructOnly: '{{what}} handles pile up in {{where}}: only __destruct() closes them, and {{cls}} lives on',
      eager: '{{what}} opened per item ({{items}}), every handle kept open in `${{name}}`',
    },
    details: {
      kept: '{{what}} handles are kept in {{where}}, and nothing in this {{owner}} closes or removes them: each one stays open (a file descriptor, process or connection) as long as {{lifetime}}; a long-running process collects them until "Too many open files" (measured: 50 kept handles = 50 open descriptors).',
      accumulated: '{{what}} handles are collected in `${{name}}` in a loop that never ends, and nothing closes or removes them: PHP only closes a handle when its last reference goes, so every iteration leaves one more open descriptor.',
      destructOnly: '{{what}} handles are kept in {{where}}, one more per call with a new key, and the only code that closes them is `__destruct()`. {{cls}} is {{lifetime}}: its destructor runs when the process exits, not between jobs, so a worker keeps every handle it ever opened here (measured: 1,000 lock names = 1,000 open descriptors until exit; "Too many open files" at the descriptor limit, often 1,024).',
      captured: 'The closure registered here captures the {{what}} handle `${{name}}`: the emitter keeps the closure and the closure keeps the handle open, and the registration runs {{where}} without the closure ever being removed or the handle closed (measured: 50 registrations = 50 open descriptors).',
      eager: 'The loop opens one {{what}} handle per item of {{items}} and keeps each in `${{name}}`; nothing in the loop closes one, so when it ends every handle is open at the same time. The function frees them when it returns, but one run over an input with more items than the descriptor limit (often 1,024) fails with "Too many open files" (measured: 2,000 files opened this way under `ulimit -n 1024`: 1,018 open at once and 982 opens failed; opened one at a time: 1 open, none failed).',
    },
    tips: {
      kept: 'Close each handle when you are done with it (fclose/pclose/proc_close/closedir) and remove it from the collection (`unset($this->handles[$key])`), or empty the collection between jobs.',
      accumulated: 'Close the handle at the end of each iteration, or remove it from the array when the connection or file is done (`fclose($h); unset($handles[$id]);`).',
      destructOnly: 'Close each handle and remove its entry when the code is done with it (`fclose($this->handles[$key]); unset($this->handles[$key]);` in `release()`), or bound the collection; keep `__destruct()` only as the last resort.',
      captured: 'Close the handle inside the callback when it is done, and remove the listener (`off`/`removeListener`/`cancelTimer`), or register once outside the loop.',
      eager: 'Keep the paths and open each file where it is used (and close it there), or hand the consumer a generator that opens one file per item (`foreach ($paths as $p) { $h = fopen($p, \'r\'); yield $h; fclose($h); }`).',
    },
  },
  defaultOptions: {},
  create(ctx) {
    if (ctx.isTestFile) return {};
    return {
      'program:exit'() {
        const facts = ctx.facts;
        // Once per scope: a script with thousands of closures would otherwise rescan its
        // parent's calls for each one (quadratic).
        const opens = new Map<Scope, boolean>();
        const opensIn = (s: Scope): boolean => {
          let v = opens.get(s);
          if (v === undefined) { v = opensHandles(s); opens.set(s, v); }
          return v;
        };
        for (const scope of facts.scopes) {
          // Handles are opened in the scope that keeps them: skip the rest cheaply.
          if (opensIn(scope)) for (const a of scope.accesses) checkStore(a, scope);
          if ((scope.kind === 'closure' || scope.kind === 'arrowfunc') && scope.parent && opensIn(scope.parent)) checkRegisteredClosure(scope);
        }
      },
    };

    function checkStore(a: Access, scope: Scope): void {
      const values = storedValues(a);
      if (values.length === 0 || isFixedSlot(a)) return;
      let source: HandleSource | null = null;
      for (const v of values) { source = heldHandle(v, scope); if (source) break; }
      if (!source) return;
      const what = describeSource(source);
      const at = a.via!;
      const related: { at: PhpNode; message: string }[] = source === values[0] || isWithinNode(source, at) ? [] : [{ at: source, message: 'the handle is opened here' }];
      const cls = scope.cls;
      if (a.storage === 'prop' || a.storage === 'static-prop') {
        if (!cls || a.depth === 0 && a.role !== 'byref-call') return;
        const release = classReleases(cls, a);
        if (release === 'released') return;
        const isStatic = a.storage === 'static-prop';
        const decl = cls.properties.get(a.name);
        if (decl) related.push({ at: decl.node, message: 'the collection is declared here' });
        if (release === 'destructor') {
          const lifetime = processLifetime(cls);
          if (!lifetime) return;
          const dtor = cls.methods.get('__destruct');
          if (dtor) related.push({ at: dtor, message: 'the only place that closes them' });
          ctx.report({
            at, messageId: 'destructOnly', related,
            data: {
              what, cls: `\`${cls.name ?? 'this object'}\``, lifetime,
              where: isStatic ? `\`${a.cls ?? 'self'}::$${a.name}\`` : `\`$this->${a.name}\``,
            },
          });
          return;
        }
        ctx.report({
          at, messageId: 'kept', related,
          data: {
            what, owner: 'class',
            where: isStatic ? `the static property \`${a.cls ?? 'self'}::$${a.name}\`` : `the property \`$this->${a.name}\``,
            lifetime: isStatic ? 'the process lives' : 'the object lives',
          },
        });
        return;
      }
      // Local variables: static, global or plain.
      if (a.depth === 0 && a.role !== 'byref-call') return;
      const isGlobal = a.name === 'GLOBALS' || scope.globals.has(a.name);
      if (scope.staticVars.has(a.name) || isGlobal) {
        if (isGlobal ? globalReleased(a, ctx.facts) : scopeReleases(scope, a, null)) return;
        ctx.report({
          at, messageId: 'kept', related,
          data: {
            what, owner: isGlobal ? 'file' : 'function',
            where: isGlobal ? `the global \`$${a.name === 'GLOBALS' ? globalsKey(a) : a.name}\`` : `the static variable \`$${a.name}\``,
            lifetime: 'the process lives',
          },
        });
        return;
      }
      if (scope.params.has(a.name)) return;
      const loop = enclosingLoops(at).find(neverEnds);
      if (!loop) {
        const eager = eagerOpen(a, scope, source, ctx.facts);
        if (!eager) return;
        related.push({ at: eager.loop, message: 'the loop that opens them' }, { at: eager.evidence.at, message: `one per item of ${eager.evidence.what}` });
        ctx.report({ at, messageId: 'eager', related, data: { what, items: eager.evidence.what, name: a.name } });
        return;
      }
      if (scopeReleases(scope, a, loop)) return;
      ctx.report({ at, messageId: 'accumulated', related, data: { what, name: a.name } });
    }

    /** Why instances of `cls` live as long as the process (for the message), or null when they may not. */
    function processLifetime(cls: ClassFacts): string | null {
      const v = lifetimeOf(cls, ctx.facts, ctx.longRunning);
      if (v.lifetime === 'operation') return null;
      if (v.lifetime === 'shared') return `${v.why}, one instance for the whole process`;
      if (LONG_LIVED_ROLE.test(cls.name ?? '')) return `a \`${cls.name}\`, a service made once and kept`;
      if (ctx.longRunning) return 'used by long-running code';
      return null;
    }

    function checkRegisteredClosure(scope: Scope): void {
      const fn = scope.node as Closure | ArrowFunc;
      const parent = scope.parent;
      if (!parent) return;
      const call = registrationOf(fn, parent);
      if (!call) return;
      for (const name of capturedNames(scope)) {
        const source = handleVariable(name, parent);
        if (!source) continue;
        if (closeIn(parent) || closeIn(scope) || removesListeners(parent)) return;
        const rep = repetitionOf(call, ctx.facts);
        if (!rep) return;
        const where = rep.kind === 'loop' ? 'on every iteration of a loop' : rep.kind === 'callback' ? 'once per element' : 'each time this function runs (this file calls it repeatedly)';
        ctx.report({
          at: call, messageId: 'captured',
          data: { what: describeSource(source), name, where, per: rep.kind === 'loop' ? 'on every iteration' : rep.kind === 'callback' ? 'once per element' : 'on every call' },
          related: [{ at: source, message: 'the handle is opened here' }, { at: repetitionSite(rep), message: 'this repeats the registration' }],
        });
        return;
      }
    }
  },
});

function opensHandles(scope: Scope): boolean {
  return scope.calls.some((c) => openerCall(c) !== null) || scope.news.some((n) => openerCall(n) !== null);
}

/** The values a growing write stores: the right side of `$a[] = v` / `$a[$k] = v`, or `array_push($a, v…)`. */
function storedValues(a: Access): PhpNode[] {
  if (a.role === 'append' || a.role === 'keyed' || a.role === 'keyed-coalesce') {
    return a.via?.kind === 'assign' && a.via.left === a.outer ? [a.via.right] : [];
  }
  if (a.role === 'byref-call' && a.callee === 'array_push' && a.via?.kind === 'call') return a.via.arguments.slice(1);
  return [];
}

/**
 * `$this->streams['stdout'] = …`, `$pipes[self::ERR] = …`: a key written in the code is one slot;
 * storing again closes the previous handle, so nothing accumulates.
 */
function isFixedSlot(a: Access): boolean {
  if (a.role !== 'keyed' && a.role !== 'keyed-coalesce') return false;
  const key = a.outer.kind === 'offsetlookup' ? a.outer.offset : false;
  if (!key) return false;
  return key.kind === 'string' || key.kind === 'number' || key.kind === 'name' || (key.kind === 'staticlookup' && key.offset.kind === 'identifier');
}

/** The handle a stored value holds: itself, an entry of an array literal, or a closure's capture. */
function heldHandle(value: PhpNode, scope: Scope): HandleSource | null {
  const direct = handleSourceOf(value, scope);
  if (direct) return direct;
  if (value.kind === 'array') {
    for (const e of value.items) {
      const v = e.kind === 'entry' ? e.value : e;
      const h = handleSourceOf(v, scope);
      if (h) return h;
    }
  }
  return null;
}

function describeSource(src: HandleSource): string {
  if (src.kind === 'new') return '`new SplFileObject`';
  const fn = functionName(src) ?? '';
  return fn in HANDLE_OPENERS ? `\`${fn}()\`` : 'Open';
}

function isWithinNode(inner: PhpNode, outer: PhpNode): boolean {
  for (let n: PhpNode | undefined = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

/** Writes that empty or shrink a collection, so the handles in it are released. */
function releases(x: Access, a: Access, isInit: (x: Access) => boolean): boolean {
  if (x.storage !== a.storage || x.name !== a.name || x === a) return false;
  if (x.role === 'unset' || x.role === 'unset-element') return true;
  if (x.role === 'byref-call' && x.callee !== undefined && EVICTING_CALLS.has(x.callee)) return true;
  return x.role === 'assign' && !isInit(x);
}

/**
 * Does a class close handles, or empty/shrink the property outside its constructor? `destructor`
 * when the only such code is `__destruct()`: it runs when the object dies, which for a
 * long-lived object is at exit.
 */
function classReleases(cls: ClassFacts, a: Access): 'released' | 'destructor' | 'kept' {
  const methodOf = (n: PhpNode): string | null => {
    for (let p: PhpNode | undefined = n; p; p = p.parent) if (p.kind === 'method') return p.name.name.toLowerCase();
    return null;
  };
  // `$this->files = []` in `__clone()` empties the copy, not the object that keeps its handles.
  const inConstructor = (x: Access): boolean => methodOf(x.node) === '__construct' || methodOf(x.node) === '__clone';
  let inDestructor = false;
  for (const s of cls.scopes) {
    const close = closeIn(s);
    if (!close) continue;
    if (methodOf(close) !== '__destruct') return 'released';
    inDestructor = true;
  }
  for (const x of cls.accesses) {
    if (!releases(x, a, inConstructor)) continue;
    if (methodOf(x.node) !== '__destruct') return 'released';
    inDestructor = true;
  }
  return inDestructor ? 'destructor' : 'kept';
}

/**
 * A function closes handles, or empties/shrinks the variable. For a local filled in `loop`, the
 * first `$a = []` before the loop is its initialisation; inside the loop it is a reset.
 */
function scopeReleases(scope: Scope, a: Access, loop: Loop | null): boolean {
  if (closeIn(scope)) return true;
  const isInit = (x: Access): boolean => loop !== null && !isInside(x.node, loop);
  return scope.accesses.some((x) => releases(x, a, isInit));
}

function globalReleased(a: Access, facts: Facts): boolean {
  return facts.scopes.some((s) => (s.kind === 'program' || s.globals.has(a.name)) && (closeIn(s) !== null || s.accesses.some((x) => releases(x, a, () => false))));
}

function globalsKey(a: Access): string {
  const first = a.outer.kind === 'offsetlookup' ? innermostOffset(a.outer) : null;
  return first ?? 'GLOBALS';
}

function innermostOffset(n: PhpNode): string | null {
  let cur: PhpNode = n;
  while (cur.kind === 'offsetlookup' && cur.what.kind === 'offsetlookup') cur = cur.what;
  if (cur.kind !== 'offsetlookup' || !cur.offset) return null;
  return cur.offset.kind === 'string' ? cur.offset.value : null;
}

function isInside(node: PhpNode, outer: PhpNode): boolean {
  for (let n: PhpNode | undefined = node; n; n = n.parent) if (n === outer) return true;
  return false;
}

/** `while (true)`, `for (;;)`, or a loop whose test opens the next handle (`while ($c = stream_socket_accept($s))`). */
function neverEnds(loop: Loop): boolean {
  if (isEndless(loop)) return true;
  const test = loop.kind === 'for' ? loop.test[0] : loop.kind === 'foreach' ? null : loop.test;
  if (!test) return false;
  let t: PhpNode = test;
  while (t.kind === 'bin' || t.kind === 'assign' || t.kind === 'silent') t = t.kind === 'bin' ? t.left : t.kind === 'assign' ? t.right : t.expr;
  return t.kind === 'call' && (functionName(t) === 'stream_socket_accept' || functionName(t) === 'socket_accept');
}

/** The call that registers this closure on something that outlives the function. */
function registrationOf(fn: Closure | ArrowFunc, parent: Scope): Call | null {
  let arg: PhpNode = fn;
  if (arg.parent?.kind === 'namedargument') arg = arg.parent;
  const call = arg.parent;
  if (call?.kind !== 'call' || !call.arguments.includes(arg)) return null;
  const f = functionName(call);
  if (f !== null) return REGISTER_FUNCTIONS.has(f) ? call : null;
  const m = methodName(call);
  if (m === null || !REGISTER_METHODS.has(m)) return null;
  // An emitter created here dies with this function, and its listeners with it.
  const r = callReceiver(call);
  const local = varName(r);
  if (local !== null && local !== 'this' && parent.accesses.some((x) => x.storage === 'var' && x.name === local && x.role === 'assign' && x.via?.kind === 'assign' && x.via.right.kind === 'new')) return null;
  return call;
}

/** Variables a closure captures: its `use` list; for an arrow function, the outer variables it reads. */
function capturedNames(scope: Scope): string[] {
  if (scope.kind === 'closure') return [...scope.captures.keys()];
  const own = new Set(scope.params.keys());
  return [...new Set(scope.accesses.filter((x) => x.storage === 'var' && !own.has(x.name)).map((x) => x.name))];
}

function removesListeners(scope: Scope): boolean {
  const scopes = scope.cls ? scope.cls.scopes : [scope];
  return scopes.some((s) => s.calls.some((c) => REMOVE_METHODS.has(methodName(c) ?? '')));
}
