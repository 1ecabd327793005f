import type { PhpNode } from '../nodes.js';
import { nodesUnder } from './subtree.js';
import { functionName, varName } from './names.js';
import type { Scope } from './scopes.js';

// A key that names one of the code base's own PHP files: the function builds a path from it
// under its own folder (`__DIR__."/Resources/data/{$id}.php"`) and checks the file exists
// before using the key (a transliterator's data map, a locale's rules). The cache keyed by it
// holds at most one entry per file shipped with the code. Only `.php` files under `__DIR__`
// count: a folder of uploads or of generated data holds no PHP source.

const EXISTS_CHECKS = new Set(['is_file', 'file_exists', 'is_readable']);

/** Does `scope` check that a PHP file of the code base named by variable `name` exists? */
export function namesACodeFile(name: string, scope: Scope): boolean {
  // Asked for every parameter whose key is traced; few functions check a file at all, and the
  // assignments are looked into (a subtree each) only in those.
  if (!scope.calls.some((call) => EXISTS_CHECKS.has(functionName(call) ?? ''))) return false;
  const pathVars = new Set<string>();
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.left !== a.node) continue;
    if (isCodeFilePath(a.via.right, name)) pathVars.add(a.name);
  }
  for (const call of scope.calls) {
    if (!EXISTS_CHECKS.has(functionName(call) ?? '')) continue;
    const arg = call.arguments[0];
    if (!arg) continue;
    const target = arg.kind === 'assign' ? arg.left : arg;
    const v = varName(target);
    if ((v !== null && pathVars.has(v)) || isCodeFilePath(arg, name)) return true;
  }
  return false;
}

/** `__DIR__ . "/data/{$id}.php"`, `dirname(__DIR__) . '/rules/' . $locale . '.php'`. */
function isCodeFilePath(e: PhpNode, name: string): boolean {
  const parts = nodesUnder(e);
  return parts.some((n) => n.kind === 'magic' && n.value === '__DIR__')
    && parts.some((n) => n.kind === 'variable' && varName(n) === name)
    && parts.some((n) => n.kind === 'string' && /\.php$/i.test(String(n.value)));
}
