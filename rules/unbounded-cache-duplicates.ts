import type { Access } from '../engine/facts/access.js';
import { closestAncestor, functionName, isWithin, varName } from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';
import { isFunctionLike, type Method, type PhpNode } from '../engine/nodes.js';
import type { SourceFile } from '../engine/source.js';
import type { Evidence } from './unbounded-cache-evidence.js';

// Growth without new keys: a list the class uses as a set (one place appends only after
// `in_array($v, $list)` says the value is not there yet) that another place appends to without
// the check. Every repeated call of that place adds a duplicate, so the list grows with the
// number of calls, not with the values: a registration meant to run once that runs per request
// or per resolution fills it for the life of the process. The check is the fix.

const MEMBERSHIP = new Set(['in_array', 'array_search']);

export interface DuplicateAppend {
  /** The unguarded append. */
  append: Access;
  /** The method whose append is guarded by a membership check, as written. */
  checkedIn: string;
}

/** `in_array($v, <store>)` calls over the store, by the access that is their haystack. */
function membershipChecks(accesses: readonly Access[]): Access[] {
  return accesses.filter((a) => {
    const call = a.outer.parent;
    return a.depth === 0 && call?.kind === 'call' && MEMBERSHIP.has(functionName(call) ?? '') && call.arguments[1] === a.outer;
  });
}

/** Is the append under a test that checks the store's membership (`if (!in_array($v, $this->list)) { … }`)? */
function guarded(append: Access, checks: readonly Access[]): boolean {
  for (let p = append.node.parent; p && !isFunctionLike(p); p = p.parent) {
    if ((p.kind === 'if' || p.kind === 'retif') && checks.some((c) => isWithin(c.node, p.test))) return true;
    if (p.kind === 'bin' && (p.type === '&&' || p.type === '||') && checks.some((c) => isWithin(c.node, p.left))) return true;
  }
  // `if (in_array($v, $this->list)) { return; }` earlier in the same function.
  const fn = closestAncestor(append.node, isFunctionLike, true);
  return !!fn && checks.some((c) => {
    const test = closestAncestor(c.node, (n) => n.kind === 'if', true);
    return test?.kind === 'if' && closestAncestor(test, isFunctionLike, true) === fn && isWithin(c.node, test.test)
      && !isWithin(append.node, test) && nodesUnder(test.body ?? test).some((n) => n.kind === 'return' || n.kind === 'continue' || n.kind === 'throw');
  });
}

function inLoop(n: PhpNode): boolean {
  for (let p = n.parent; p && !isFunctionLike(p); p = p.parent) {
    if (p.kind === 'foreach' || p.kind === 'for' || p.kind === 'while' || p.kind === 'do') return true;
  }
  return false;
}

function methodName(n: PhpNode): string | null {
  const m = closestAncestor(n, (p) => p.kind === 'method', true) as Method | null;
  return m ? m.name.name : null;
}

/**
 * The first append of a value that the class elsewhere appends only when absent (`in_array`),
 * made without that check outside the constructor: growth with duplicates. Null otherwise.
 */
export function duplicateAppend(file: SourceFile, accesses: readonly Access[]): DuplicateAppend | null {
  const checks = membershipChecks(accesses);
  if (checks.length === 0) return null;
  const appends = accesses.filter((a) => a.role === 'append' && a.depth === 1 && a.via?.kind === 'assign' && a.via.left === a.outer);
  const checked = appends.find((a) => guarded(a, checks));
  if (!checked) return null;
  const checkedIn = methodName(checked.node);
  if (!checkedIn) return null;
  const bare = appends
    .filter((a) => !guarded(a, checks) && methodName(a.node) !== null && methodName(a.node)!.toLowerCase() !== '__construct')
    // One value per call, not a list copied in once (`foreach ($versions as $v) $this->applied[] = $v;`).
    .filter((a) => !inLoop(a.node))
    // The value appended is what the call was given (`$abstract`), not a fresh value per call.
    .filter((a) => a.via?.kind === 'assign' && varName(a.via.right) !== null && varName(a.via.right) !== 'this')
    .sort((x, y) => file.spanOf(x.node).start - file.spanOf(y.node).start);
  return bare[0] ? { append: bare[0], checkedIn } : null;
}

/** Repeated calls add duplicates: growth, but only as often as the registration repeats (warning at most). */
export function duplicateEvidence(file: SourceFile, dup: DuplicateAppend): Evidence {
  const v = dup.append.via?.kind === 'assign' ? file.textOf(dup.append.via.right) : 'the value';
  return { per: 'call', text: `appends \`${v}\` without the \`in_array()\` check of ${dup.checkedIn}()`, catalogue: true };
}

