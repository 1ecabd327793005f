import { isFunctionLike, type PhpNode } from '../nodes.js';
import { childrenOf } from '../walk.js';
import { isWithin } from './ancestry.js';
import { functionName, varName } from './names.js';

// A once-flag makes code that sits in a per-call method run once per object or per process:
// `if (!$this->registered) { …; $this->registered = true; }`, or an early
// `if (self::$booted) { return; }` in a function that sets `self::$booted`, or a `static $done`.
// A flag per key (`$this->seen[$id]`) is not a once-flag: it is a set of what was seen.

/** The flag an `if` test reads: `$this->x`, `self::$x`, `static::$x`, a (static) local. */
function flagText(n: PhpNode, text: (n: PhpNode) => string): string | null {
  let e = n;
  while (e.kind === 'unary' && e.type === '!') e = e.what;
  if (e.kind === 'call' && (functionName(e) === 'isset' || functionName(e) === 'empty') && e.arguments[0]) e = e.arguments[0];
  if (e.kind === 'isset' && e.variables.length === 1) e = e.variables[0]!;
  if (e.kind === 'empty') e = e.expression;
  if (e.kind === 'bin' && ['===', '==', '!==', '!='].includes(e.type)) {
    const lit = (x: PhpNode): boolean => x.kind === 'boolean' || x.kind === 'nullkeyword' || (x.kind === 'name' && /^(true|false|null)$/i.test(x.name));
    e = lit(e.left) ? e.right : lit(e.right) ? e.left : e;
  }
  if (e.kind === 'propertylookup' || e.kind === 'staticlookup' || e.kind === 'variable') return text(e);
  return null;
}

/** Flags tested by an `if` condition (`!$a && !$b`: each). */
function flagsOf(test: PhpNode, text: (n: PhpNode) => string): string[] {
  if (test.kind === 'bin' && (test.type === '&&' || test.type === '||' || test.type === 'and' || test.type === 'or')) {
    return [...flagsOf(test.left, text), ...flagsOf(test.right, text)];
  }
  const f = flagText(test, text);
  return f ? [f] : [];
}

/** Is some flag in `flags` assigned under `root`? */
function assignsFlag(root: PhpNode, flags: readonly string[], text: (n: PhpNode) => string): boolean {
  const stack: PhpNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'assign' && flags.includes(text(n.left))) return true;
    if (isFunctionLike(n) && n !== root) continue;
    stack.push(...childrenOf(n));
  }
  return false;
}

/** Variables declared `static` or `global` in `fn` (or at the top level when `fn` is null: every variable persists there). */
function persistentLocals(fn: PhpNode | null): Set<string> {
  const out = new Set<string>();
  if (!fn) return new Proxy(out, { get: (t, k) => (k === 'has' ? () => true : Reflect.get(t, k)) });
  const stack: PhpNode[] = [...childrenOf(fn)];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isFunctionLike(n)) continue;
    // php-parser gives `static $x = 1;` a staticvariable but `static $x;` a bare variable.
    if (n.kind === 'static') {
      for (const v of n.variables as PhpNode[]) { const name = v.kind === 'staticvariable' ? varName(v.variable) : varName(v); if (name) out.add(name); }
    }
    if (n.kind === 'global') for (const v of n.items) { const name = varName(v); if (name) out.add(name); }
    stack.push(...childrenOf(n));
  }
  return out;
}

function enclosingFunction(node: PhpNode): PhpNode | null {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return null;
}

/**
 * Is `node` guarded by a once-flag: inside `if (<flag test>) { … }` whose body also sets the
 * flag, or after an early `if (<flag>) return;` in a function that sets the flag?
 */
export function guardedByOnceFlag(node: PhpNode, text: (n: PhpNode) => string): boolean {
  const fn = enclosingFunction(node);
  // A plain local is set afresh on every call (`if (!$factory) { $factory = new …; }` builds one
  // per call): only `static`/`global` variables, properties and static properties persist.
  const persistent = persistentLocals(fn);
  const keep = (f: string): boolean => !/^\$\w+$/.test(f) || persistent.has(f.slice(1));
  for (let n: PhpNode | undefined = node.parent; n && n !== fn; n = n.parent) {
    if (n.kind !== 'if') continue;
    const flags = flagsOf(n.test, text).filter(keep);
    if (flags.length > 0 && n.body && isWithin(node, n.body) && assignsFlag(n.body, flags, text)) return true;
  }
  if (!fn || !isFunctionLike(fn) || fn.kind === 'arrowfunc' || !fn.body) return false;
  const start = node.loc?.start.offset ?? 0;
  for (const st of fn.body.children) {
    if ((st.loc?.start.offset ?? 0) >= start) break;
    if (st.kind !== 'if' || !st.body) continue;
    const body = st.body.kind === 'block' ? st.body.children : [st.body];
    if (!body.some((b) => b.kind === 'return')) continue;
    const flags = flagsOf(st.test, text).filter(keep);
    if (flags.length > 0 && assignsFlag(fn.body, flags, text)) return true;
  }
  return false;
}

/**
 * The first-run branch of the method around `node`, when `node` is outside it: an earlier
 * `if (!$this->started) { …; $this->started = true; }` (or `=== false`, or with an `else` for
 * the later runs). The flag lives on the object, so the method's own code says that it runs
 * more than once on the same object, and everything after the branch runs on every run.
 */
export function firstRunBranch(node: PhpNode, text: (n: PhpNode) => string): { test: PhpNode; flag: string } | null {
  const fn = enclosingFunction(node);
  if (!fn || fn.kind !== 'method' || fn.isStatic || !fn.body) return null;
  const start = node.loc?.start.offset ?? 0;
  for (const st of fn.body.children) {
    if ((st.loc?.start.offset ?? 0) >= start) break;
    if (st.kind !== 'if' || !st.body || isWithin(node, st.body)) continue;
    // `if (!$this->x)` / `=== false` / `empty()` / `=== null`, setting it to `true`: "not done yet,
    // now done". Not `if ($this->dir) { …; $this->dir = null; }`, which consumes a value once.
    const flag = notYetFlag(st.test, text);
    if (flag === null || !/^\$this->\w+$/.test(flag)) continue;
    const body = st.body.kind === 'block' ? st.body.children : [st.body];
    // A guard that returns early is a once-flag for the whole method (guardedByOnceFlag's case).
    if (body.some((b) => b.kind === 'return')) continue;
    if (setsTrue(st.body, flag, text)) return { test: st.test, flag };
  }
  return null;
}

function isLiteral(n: PhpNode, value: 'true' | 'false' | 'null'): boolean {
  if (value === 'null' && n.kind === 'nullkeyword') return true;
  if (n.kind === 'boolean') return String(n.value) === value;
  return n.kind === 'name' && n.name.toLowerCase() === value;
}

/** The flag a test reads as "not yet": `!$f`, `$f === false`, `$f === null`, `empty($f)`, `!isset($f)`. */
function notYetFlag(test: PhpNode, text: (n: PhpNode) => string): string | null {
  let e = test;
  if (e.kind === 'unary' && e.type === '!') {
    e = e.what;
    if (e.kind === 'isset' && e.variables.length === 1) e = e.variables[0]!;
    return e.kind === 'propertylookup' ? text(e) : null;
  }
  if (e.kind === 'empty') return e.expression.kind === 'propertylookup' ? text(e.expression) : null;
  if (e.kind === 'bin' && (e.type === '===' || e.type === '==')) {
    const other = (x: PhpNode): boolean => isLiteral(x, 'false') || isLiteral(x, 'null');
    const f = other(e.right) ? e.left : other(e.left) ? e.right : null;
    return f && f.kind === 'propertylookup' ? text(f) : null;
  }
  return null;
}

/** Does `root` set `flag` to `true` (or another value that is not false or null)? */
function setsTrue(root: PhpNode, flag: string, text: (n: PhpNode) => string): boolean {
  const stack: PhpNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'assign' && n.operator === '=' && text(n.left) === flag && !isLiteral(n.right, 'false') && !isLiteral(n.right, 'null')) return true;
    if (isFunctionLike(n) && n !== root) continue;
    stack.push(...childrenOf(n));
  }
  return false;
}
