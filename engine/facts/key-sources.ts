import type { Call, PhpNode } from '../nodes.js';
import { isConstantKey } from './array-growth.js';
import type { Facts } from './index.js';
import { varName } from './names.js';
import { ownCallArguments } from './own-calls.js';
import type { Scope } from './scopes.js';

// Which parameters of a class's public methods is a key made of? Followed through the class's
// own helpers: `_cache($type, $key)` is given `$string` by `camelize()`, `$className` by
// `tableize()` and `$tableName` by `classify()`, so the cache's keys are those three public
// parameters. Literal and constant parts are skipped (`'_' . $key`). unbounded-cache reads the
// names together: parameters that say what they hold (`$className`, `$tableName`) tell what the
// generic ones beside them (`$string`, `$word`) are, the words of one vocabulary.

/**
 * The names of the public parameters `key` is built from, or null when a part of it is
 * something else (a call, a property, a local computed otherwise, a helper nobody calls).
 */
export function keyParameters(key: PhpNode, facts: Facts): string[] | null {
  const out = new Set<string>();
  return collect(key, facts, out, new WeakMap(), 0) ? [...out] : null;
}

const MAX_DEPTH = 6;

function collect(n: PhpNode, facts: Facts, out: Set<string>, seen: WeakMap<Scope, Set<string>>, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (isConstantKey(n)) return true;
  if (n.kind === 'bin' && n.type === '.') return collect(n.left, facts, out, seen, depth + 1) && collect(n.right, facts, out, seen, depth + 1);
  if (n.kind === 'encapsed') return n.value.every((p) => collect(p.kind === 'encapsedpart' ? p.expression : p, facts, out, seen, depth + 1));
  if (n.kind !== 'variable') return false;
  const name = varName(n);
  if (!name) return false;
  const scope = facts.scopeOf(n);
  const names = seen.get(scope) ?? new Set<string>();
  seen.set(scope, names);
  // `$key = '_' . $key`: the parameter itself, already being followed.
  if (names.has(name)) return true;
  names.add(name);
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== name || a.node === n) continue;
    if (a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && a.via.operator === '=') {
      if (!collect(a.via.right, facts, out, seen, depth + 1)) return false;
    } else if (a.role === 'assign' || a.role === 'assign-ref' || a.role === 'byref-call' || a.via?.kind === 'foreach') {
      return false;
    }
  }
  const param = scope.params.get(name);
  if (!param) return scope.accesses.some((a) => a.storage === 'var' && a.name === name && a.role === 'assign');
  const m = scope.node;
  const own = ownCallArguments(scope, param);
  if (own) {
    const args = own.map((c) => c.arg).filter((a): a is PhpNode => a !== undefined);
    return args.length > 0 && args.every((arg) => arg.kind !== 'variadic' && collect(arg, facts, out, seen, depth + 1));
  }
  if (m.kind === 'method' && m.visibility !== 'public' && m.visibility !== '') return false;
  out.add(name);
  return true;
}
