import { isFunctionLike, type PhpNode } from '../nodes.js';
import { childrenOf } from '../walk.js';
import { isWithin } from './ancestry.js';
import { functionName } from './names.js';

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
  for (let n: PhpNode | undefined = node.parent; n && n !== fn; n = n.parent) {
    if (n.kind !== 'if') continue;
    const flags = flagsOf(n.test, text);
    if (flags.length > 0 && n.body && isWithin(node, n.body) && assignsFlag(n.body, flags, text)) return true;
  }
  if (!fn || !isFunctionLike(fn) || fn.kind === 'arrowfunc' || !fn.body) return false;
  const start = node.loc?.start.offset ?? 0;
  for (const st of fn.body.children) {
    if ((st.loc?.start.offset ?? 0) >= start) break;
    if (st.kind !== 'if' || !st.body) continue;
    const body = st.body.kind === 'block' ? st.body.children : [st.body];
    if (!body.some((b) => b.kind === 'return')) continue;
    const flags = flagsOf(st.test, text);
    if (flags.length > 0 && assignsFlag(fn.body, flags, text)) return true;
  }
  return false;
}
