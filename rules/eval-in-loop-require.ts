import type { Include, PhpNode } from '../engine/nodes.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { functionName, thisPropertyName, varName, type Facts } from '../engine/facts/index.js';
import { repetitionOf, type Repetition } from '../engine/facts/repetition.js';

// `require`/`include` (not `_once`) compiles its file on every run when opcache is off, and
// opcache is off by default in the CLI (`opcache.enable_cli=0`), where queue workers and
// daemons run. A file that returns plain data is compiled and freed each time (a CPU cost); a
// file that returns code keeps something per run: measured on PHP 8.2 without opcache, +2,000 B
// and one more class per `require` of a file returning an anonymous class, +256 B per file
// returning a closure; with opcache on, nothing (docs in rules/eval-in-loop.md).
//
// Flagged only with evidence of both: the SAME file each time (its path is built from literals,
// constants and `$this` properties, nothing that changes per call or iteration) and a result
// used as code (called, or used as an object). A loader looping over a folder's files requires
// each file once: not flagged.

export interface RepeatedRequire { node: Include; rep: Repetition }

export function repeatedRequires(includes: readonly Include[], facts: Facts, once: (n: Include) => boolean): RepeatedRequire[] {
  const out: RepeatedRequire[] = [];
  for (const node of includes) {
    if (node.once || !isFixedPath(node.target) || !resultUsedAsCode(node, facts) || once(node)) continue;
    const rep = repetitionOf(node, facts);
    if (rep) out.push({ node, rep });
  }
  return out;
}

/** `__DIR__ . '/handler.php'`, `self::HANDLER`, `$this->handlerFile`, `dirname(__DIR__) . '/x.php'`: no variable that varies per call. */
function isFixedPath(target: PhpNode): boolean {
  return nodesUnder(target).every((n) => {
    switch (n.kind) {
      case 'variable': return varName(n) === 'this' && n.parent?.kind === 'propertylookup' && thisPropertyName(n.parent) !== null;
      case 'call': return functionName(n) === 'dirname' || functionName(n) === 'sprintf';
      // A class constant is fixed; a static property or an array element may change per call.
      case 'staticlookup': return n.offset.kind === 'identifier';
      case 'offsetlookup': return false;
      default: return true;
    }
  });
}

/**
 * The file returns code: `(require $f)($x)`, `$h = require $f; $h($x)`, `$m->up()`,
 * `is_object($m)`, `$m instanceof X`, `is_callable($m)`.
 */
function resultUsedAsCode(node: Include, facts: Facts): boolean {
  let e: PhpNode = node;
  while (e.parent?.kind === 'cast' || (e.parent?.kind === 'bin' && e.parent.type === '??')) e = e.parent;
  const p = e.parent;
  if (!p) return false;
  if (p.kind === 'call' && p.what === e) return true;
  if ((p.kind === 'propertylookup' || p.kind === 'nullsafepropertylookup') && p.what === e) return true;
  if (p.kind !== 'assign' || p.right !== e || p.operator !== '=') return false;
  const v = varName(p.left);
  if (v === null) return false;
  return facts.scopeOf(node).accesses.some((a) => {
    if (a.storage !== 'var' || a.name !== v || a.node === p.left) return false;
    const q = a.node.parent;
    if (!q) return false;
    if (q.kind === 'call' && q.what === a.node) return true;
    if ((q.kind === 'propertylookup' || q.kind === 'nullsafepropertylookup') && q.what === a.node && q.parent?.kind === 'call') return true;
    if (q.kind === 'call' && ['is_object', 'is_callable'].includes(functionName(q) ?? '')) return true;
    return q.kind === 'bin' && q.type === 'instanceof' && q.left === a.node;
  });
}
