import { isFunctionLike, type PhpNode } from '../nodes.js';
import { childrenOf } from '../walk.js';

/**
 * Nodes under `root` (itself included) in source order; nested function-likes are not entered
 * unless asked (an arrow function reads its parent's variables: pass true to see them).
 * Iterative like the engine's walk; for questions about one statement, loop or function.
 */
export function nodesUnder(root: PhpNode, enterFunctions = false): PhpNode[] {
  const out: PhpNode[] = [];
  const stack: PhpNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    if (n !== root && !enterFunctions && isFunctionLike(n)) continue;
    const cs = childrenOf(n);
    for (let i = cs.length - 1; i >= 0; i--) stack.push(cs[i]!);
  }
  return out;
}
