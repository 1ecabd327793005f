import type { Access } from '../engine/facts/access.js';
import { ownMethodCalls } from '../engine/facts/array-growth.js';
import { closestAncestor, varName, type ClassFacts } from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { isFunctionLike, type Method, type PhpNode } from '../engine/nodes.js';

// Writes of unbounded-cache that never run in a production worker: test support and container
// compilation, and code under a fake/test/debug flag.

/**
 * Code that never runs in a production worker: test support (`…\Testing\…`, `…\PhpUnit\…`)
 * and container compilation (`…\DependencyInjection\…`, `…\Compiler\…`), which runs once
 * when the container is built and is dumped to PHP.
 */
export function isToolingCode(node: PhpNode): boolean {
  const ns = closestAncestor(node, (n) => n.kind === 'namespace', true);
  const name = ns && ns.kind === 'namespace' && typeof ns.name === 'string' ? ns.name : '';
  return /(^|\\)(Testing|PhpUnit|Tests?|DependencyInjection|Compiler)(\\|$)/.test(name);
}

/**
 * A write that runs only while the code is faked for tests (`if (static::$fake) { static::$sequence[] = … }`)
 * or in debug mode (`if ($this->debug) { $this->record(…) }`): not in a production worker. A
 * private method counts as guarded when every call of it in the class is.
 */
export function isTestOnly(w: Access): boolean {
  return underDevFlag(w.node);
}

/** Is `w` in a private method that every caller in the class calls only under a test or debug flag? (Walks the class: only for writes about to be reported.) */
export function onlyCalledUnderDevFlag(w: Access, cls: ClassFacts | null): boolean {
  const m = closestAncestor(w.node, (p) => p.kind === 'method', true) as Method | null;
  if (!m || !cls || m.visibility !== 'private') return false;
  const name = m.name.name.toLowerCase();
  const calls = nodesUnder(cls.node, true).filter((n) => n.kind === 'call' && ownMethodCalls(n)[0] === name && closestAncestor(n, (p) => p.kind === 'method', true) !== m);
  return calls.length > 0 && calls.every(underDevFlag);
}

function underDevFlag(node: PhpNode): boolean {
  for (let p = node.parent; p && !isFunctionLike(p); p = p.parent) {
    if (p.kind !== 'if') continue;
    if (nodesUnder(p.test).some((n) => { const name = varName(n) ?? (n.kind === 'staticlookup' && n.offset.kind === 'variable' ? varName(n.offset) : thisPropName(n)); return !!name && /^(fake|faking|isfake|isfaking|testing|runningunittests|debug|isdebug|debugmode|indebugmode)$/i.test(name); })) return true;
  }
  return false;
}

function thisPropName(n: PhpNode): string | null {
  return n.kind === 'propertylookup' && n.offset.kind === 'identifier' && varName(n.what) === 'this' ? n.offset.name : null;
}
