import { isFunctionLike, isLoop, type Loop, type PhpNode, type Try } from '../nodes.js';

// Questions answered by following parent links (set by the walk before a node is entered,
// so these are valid from any visitor). Cost is the depth of the node, never the file size.

/** Loops that run `node` repeatedly, innermost first, stopping at the enclosing function. */
export function enclosingLoops(node: PhpNode): Loop[] {
  const out: Loop[] = [];
  let child: PhpNode = node;
  let p = node.parent;
  while (p && !isFunctionLike(p)) {
    if (isLoop(p) && repeats(p, child)) out.push(p);
    child = p;
    p = p.parent;
  }
  return out;
}

/** Does `loop` evaluate `child` (one of its direct children) more than once? */
function repeats(loop: Loop, child: PhpNode): boolean {
  switch (loop.kind) {
    case 'while': case 'do': return true; // body and test
    case 'for': return !loop.init.includes(child);
    case 'foreach': return child !== loop.source;
  }
}

/** `try` statements whose protected block contains `node` (not its catch/finally), innermost first. */
export function enclosingTries(node: PhpNode): Try[] {
  const out: Try[] = [];
  let child: PhpNode = node;
  let p = node.parent;
  while (p && !isFunctionLike(p)) {
    if (p.kind === 'try' && p.body === child) out.push(p);
    child = p;
    p = p.parent;
  }
  return out;
}

/** Is `node` inside the `finally` block of some try in its function? */
export function isInFinally(node: PhpNode): boolean {
  let child: PhpNode = node;
  let p = node.parent;
  while (p && !isFunctionLike(p)) {
    if (p.kind === 'try' && p.always === child) return true;
    child = p;
    p = p.parent;
  }
  return false;
}

/** Is `inner` inside `outer` (or the same node)? */
export function isWithin(inner: PhpNode, outer: PhpNode): boolean {
  for (let n: PhpNode | undefined = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

/** The statement that contains `node` directly in a block-like list (for inserting code around it). */
export function enclosingStatement(node: PhpNode): PhpNode {
  let n: PhpNode = node;
  while (n.parent) {
    const p = n.parent;
    if (p.kind === 'block' || p.kind === 'program' || p.kind === 'namespace' || p.kind === 'case' || p.kind === 'declare') return n;
    if ((p.kind === 'if' || p.kind === 'while' || p.kind === 'for' || p.kind === 'foreach' || p.kind === 'do') && (p as { body?: PhpNode }).body === n) return n;
    if (isFunctionLike(p)) return n;
    n = p;
  }
  return n;
}

/** Nearest ancestor satisfying `pred`, not crossing a function boundary unless asked. */
export function closestAncestor(node: PhpNode, pred: (n: PhpNode) => boolean, crossFunctions = false): PhpNode | null {
  for (let p = node.parent; p; p = p.parent) {
    if (pred(p)) return p;
    if (!crossFunctions && isFunctionLike(p)) return null;
  }
  return null;
}
