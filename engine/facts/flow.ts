import type { FunctionLike, PhpNode, Program, Try } from '../nodes.js';
import { isFunctionLike } from '../nodes.js';

// A small path analysis over the statements of ONE function body: between the node that makes
// a resource live (an `FFI::new(…, false)`, an `fopen`) and the nodes that release it, which
// exits (return, throw, falling off the end, acquiring again in a loop) and which probe points
// (e.g. yields) can be reached while it is live?
//
// Statement-level and structured: if/else, loops (to a fixpoint), switch with fall-through,
// break/continue N, try/catch/finally (a finally that releases covers every path through it),
// `exit`/`die`. Only EXPLICIT throws are followed (an exception from any call could skip any
// release: rules that asked for that would flag every function without `finally`). A throw in
// a `try` with catches is assumed to be caught. `goto` makes the answer "unsupported".
// Expressions are atomic: a statement that contains a release (even in `$ok && free($x)`)
// releases. Nested functions and classes are not executed.

const BEFORE = 1;
const LIVE = 2;
const DONE = 4;

export interface LiveRangeQuery {
  /** The function-like (or the file's top level) whose statements are analysed. */
  fn: FunctionLike | Program;
  /** The node that makes the resource live. */
  acquire: PhpNode;
  /** Nodes that release it. Those inside nested functions of `fn` are ignored. */
  releases: readonly PhpNode[];
  /** Nodes to ask about: is the resource live when they run? */
  probes?: readonly PhpNode[];
}

export type LiveExitKind = 'return' | 'throw' | 'end' | 'reacquire';

export interface LiveExit {
  kind: LiveExitKind;
  /** The return/throw statement, the acquiring node again (for 'reacquire'), or the function for 'end'. */
  node: PhpNode;
}

export interface LiveRangeResult {
  /** False when the function uses `goto`: then nothing below is meaningful. */
  supported: boolean;
  /** Ways out of the function (or back to the acquire) while the resource is live, in source order. */
  liveExits: LiveExit[];
  /** Probes reached while the resource is live, in source order. */
  liveProbes: PhpNode[];
}

type JumpKind = 'break' | 'continue' | 'return' | 'throw';
interface Jump { kind: JumpKind; level: number; node: PhpNode; mask: number }
interface Out { normal: number; jumps: Jump[] }

const NONE: Out = { normal: 0, jumps: [] };

/** Ancestors of `n` up to (excluding) `stop`, with `n` itself. */
function ancestry(n: PhpNode, stop: PhpNode): Set<PhpNode> {
  const s = new Set<PhpNode>();
  for (let p: PhpNode | undefined = n; p && p !== stop; p = p.parent) s.add(p);
  return s;
}

/** Is `n` directly in `fn` (not inside a nested function-like)? */
function ownedBy(n: PhpNode, fn: PhpNode): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p === fn) return true;
    if (isFunctionLike(p)) return false;
  }
  return fn.kind === 'program';
}

class Analysis {
  supported = true;
  readonly exits = new Map<PhpNode, LiveExitKind>();
  readonly probesLive = new Set<PhpNode>();
  private readonly acquireAnc: Set<PhpNode>;
  private readonly releaseAnc = new Set<PhpNode>();
  private readonly probeAnc: { probe: PhpNode; anc: Set<PhpNode> }[];
  private readonly finallyCache = new Map<PhpNode, Map<number, Out>>();

  constructor(private readonly q: LiveRangeQuery) {
    this.acquireAnc = ancestry(q.acquire, q.fn);
    for (const r of q.releases) if (ownedBy(r, q.fn)) for (const a of ancestry(r, q.fn)) this.releaseAnc.add(a);
    this.probeAnc = (q.probes ?? []).filter((p) => ownedBy(p, q.fn)).map((probe) => ({ probe, anc: ancestry(probe, q.fn) }));
  }

  /** An expression or simple statement, run as one step. */
  step(node: PhpNode, mask: number): number {
    if (mask === 0) return 0;
    let m = mask;
    if (this.acquireAnc.has(node)) {
      if (m & LIVE) this.exits.set(this.q.acquire, 'reacquire');
      m = LIVE;
    }
    if (m & LIVE) for (const p of this.probeAnc) if (p.anc.has(node)) this.probesLive.add(p.probe);
    if (this.releaseAnc.has(node) && (m & LIVE)) m = (m & ~LIVE) | DONE;
    return m;
  }

  list(stmts: readonly PhpNode[], mask: number): Out {
    let normal = mask;
    const jumps: Jump[] = [];
    for (const s of stmts) {
      if (normal === 0) break;
      const o = this.stmt(s, normal);
      jumps.push(...o.jumps);
      normal = o.normal;
    }
    return { normal, jumps };
  }

  stmt(s: PhpNode, mask: number): Out {
    if (mask === 0) return NONE;
    switch (s.kind) {
      case 'block': return this.list(s.children, mask);
      case 'namespace': case 'declare': return this.list(s.children, mask);
      case 'function': case 'class': case 'interface': case 'trait': case 'enum': return { normal: mask, jumps: [] };
      case 'goto': case 'label': this.supported = false; return { normal: mask, jumps: [] };
      case 'expressionstatement':
        if (s.expression.kind === 'exit') { this.step(s.expression, mask); return NONE; }
        return { normal: this.step(s, mask), jumps: [] };
      case 'return': case 'throw': {
        const m = this.step(s, mask);
        return { normal: 0, jumps: m ? [{ kind: s.kind, level: 0, node: s, mask: m }] : [] };
      }
      case 'break': case 'continue': {
        const lv = s.level && s.level.kind === 'number' ? Math.max(1, Number(s.level.value)) : 1;
        return { normal: 0, jumps: [{ kind: s.kind, level: lv, node: s, mask }] };
      }
      case 'if': {
        const t = this.step(s.test, mask);
        const b = s.body ? this.stmt(s.body, t) : { normal: t, jumps: [] };
        const a = s.alternate ? this.stmt(s.alternate, t) : { normal: t, jumps: [] };
        return { normal: b.normal | a.normal, jumps: [...b.jumps, ...a.jumps] };
      }
      case 'while': return this.loop(mask, (e) => this.step(s.test, e), s.body, isTrue(s.test), false);
      case 'do': return this.loop(mask, (e) => this.step(s.test, e), s.body, isTrue(s.test), true);
      case 'for': {
        let m = mask;
        for (const i of s.init) m = this.step(i, m);
        const test = (e: number): number => {
          let x = e;
          for (const t of s.test) x = this.step(t, x);
          return x;
        };
        const always = s.test.length === 0 || isTrue(s.test[s.test.length - 1]!);
        // The increment runs after each iteration: part of the back edge.
        const body = s.body;
        return this.loop(m, test, body, always, false, (e) => { let x = e; for (const i of s.increment) x = this.step(i, x); return x; });
      }
      case 'foreach': {
        const m = this.step(s.source, mask);
        return this.loop(m, (e) => e, s.body, false, false, undefined, [s.key, s.value]);
      }
      case 'switch': return this.switchStmt(s.test, s.body, mask);
      case 'try': return this.tryStmt(s, mask);
      default:
        // echo, global, static, unset, inline html, const, use…: simple steps.
        return { normal: this.step(s, mask), jumps: [] };
    }
  }

  private loop(
    mask: number, test: (m: number) => number, body: PhpNode | null, alwaysTrue: boolean, bodyFirst: boolean,
    increment?: (m: number) => number, heads: (PhpNode | null)[] = [],
  ): Out {
    let entry = mask;
    let exitNormal = 0;
    let breaks = 0;
    let outer: Jump[] = [];
    for (let guard = 0; guard < 8; guard++) {
      let t: number;
      let b: Out;
      if (bodyFirst) {
        b = body ? this.stmt(body, entry) : { normal: entry, jumps: [] };
        const cont = b.normal | maskOf(b.jumps, 'continue', 1);
        t = test(cont);
      } else {
        t = test(entry);
        let e = t;
        for (const h of heads) if (h) e = this.step(h, e);
        b = body ? this.stmt(body, e) : { normal: e, jumps: [] };
      }
      breaks = maskOf(b.jumps, 'break', 1);
      outer = lift(b.jumps);
      exitNormal = alwaysTrue ? 0 : t;
      let back = bodyFirst ? t : b.normal | maskOf(b.jumps, 'continue', 1);
      if (increment) back = increment(back);
      const next = entry | back;
      if (next === entry) break;
      entry = next;
    }
    return { normal: exitNormal | breaks, jumps: outer };
  }

  private switchStmt(test: PhpNode, body: PhpNode, mask: number): Out {
    const t = this.step(test, mask);
    const cases = body.kind === 'block' ? body.children : [body];
    let fall = 0;
    let hasDefault = false;
    const jumps: Jump[] = [];
    let breaks = 0;
    for (const c of cases) {
      if (c.kind !== 'case') continue;
      if (!c.test) hasDefault = true;
      const o = c.body ? this.stmt(c.body, t | fall) : { normal: t | fall, jumps: [] };
      fall = o.normal;
      // `continue` inside a switch acts like `break` in PHP.
      breaks |= maskOf(o.jumps, 'break', 1) | maskOf(o.jumps, 'continue', 1);
      jumps.push(...lift(o.jumps));
    }
    return { normal: fall | breaks | (hasDefault ? 0 : t), jumps };
  }

  private tryStmt(s: Try, mask: number): Out {
    const b = this.stmt(s.body, mask);
    let jumps = b.jumps;
    let normal = b.normal;
    if (s.catches.length > 0) {
      const caught = jumps.filter((j) => j.kind === 'throw').reduce((m, j) => m | j.mask, 0);
      jumps = jumps.filter((j) => j.kind !== 'throw');
      for (const c of s.catches) {
        if (c.kind !== 'catch') continue;
        const o = this.stmt(c.body, caught);
        normal |= o.normal;
        jumps = [...jumps, ...o.jumps];
      }
    }
    if (!s.always) return { normal, jumps };
    const fin = s.always;
    const out: Jump[] = [];
    const n = this.finallyOut(fin, normal);
    out.push(...n.jumps);
    for (const j of jumps) {
      const f = this.finallyOut(fin, j.mask);
      out.push(...f.jumps);
      if (f.normal) out.push({ ...j, mask: f.normal });
    }
    return { normal: n.normal, jumps: out };
  }

  private finallyOut(fin: PhpNode, mask: number): Out {
    if (mask === 0) return NONE;
    let byMask = this.finallyCache.get(fin);
    if (!byMask) { byMask = new Map(); this.finallyCache.set(fin, byMask); }
    const hit = byMask.get(mask);
    if (hit) return hit;
    const o = this.stmt(fin, mask);
    byMask.set(mask, o);
    return o;
  }
}

function isTrue(n: PhpNode): boolean {
  return n.kind === 'boolean' && n.value === true;
}

function maskOf(jumps: readonly Jump[], kind: 'break' | 'continue', level: number): number {
  let m = 0;
  for (const j of jumps) if (j.kind === kind && j.level === level) m |= j.mask;
  return m;
}

/** Jumps leaving a loop or switch: returns/throws as they are, break/continue N>1 one level less. */
function lift(jumps: readonly Jump[]): Jump[] {
  const out: Jump[] = [];
  for (const j of jumps) {
    if (j.kind === 'return' || j.kind === 'throw') out.push(j);
    else if (j.level > 1) out.push({ ...j, level: j.level - 1 });
  }
  return out;
}

/**
 * Which exits of `q.fn` (and which probes) can be reached while the resource acquired at
 * `q.acquire` is live, i.e. after the acquire and before any of `q.releases` ran?
 */
export function liveRange(q: LiveRangeQuery): LiveRangeResult {
  const a = new Analysis(q);
  const fn = q.fn;
  const body: readonly PhpNode[] = fn.kind === 'program' ? fn.children
    : fn.kind === 'arrowfunc' ? [] : fn.body ? fn.body.children : [];
  const out = fn.kind === 'arrowfunc'
    ? { normal: a.step(fn.body, BEFORE), jumps: [] as Jump[] }
    : a.list(body, BEFORE);
  for (const j of out.jumps) {
    if ((j.kind === 'return' || j.kind === 'throw') && (j.mask & LIVE)) a.exits.set(j.node, j.kind);
  }
  const exits: LiveExit[] = [...a.exits].map(([node, kind]) => ({ kind, node }));
  if (out.normal & LIVE) exits.push({ kind: 'end', node: fn });
  const off = (n: PhpNode): number => (n === fn ? Number.MAX_SAFE_INTEGER : n.loc?.start.offset ?? 0);
  exits.sort((x, y) => off(x.node) - off(y.node));
  const probes = [...a.probesLive].sort((x, y) => (x.loc?.start.offset ?? 0) - (y.loc?.start.offset ?? 0));
  return { supported: a.supported, liveExits: exits, liveProbes: probes };
}
