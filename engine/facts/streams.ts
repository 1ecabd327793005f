import type { Call, Loop, PhpNode } from '../nodes.js';
import { enclosingLoops, isWithin } from './ancestry.js';
import { functionName, methodName, typeNames, varName } from './names.js';
import type { Scope } from './scopes.js';

// Which loops read a stream piece by piece: the loops whose iterations each bring one more
// line, row or chunk of a file or socket into memory.

/** Functions that read the next piece of a stream. */
export const STREAM_READ_FUNCTIONS: ReadonlySet<string> = new Set([
  'fgets', 'fgetcsv', 'fread', 'stream_get_line', 'fgetc', 'fscanf', 'gzgets', 'gzread', 'bzread',
]);
/** `SplFileObject` methods that read the next piece of the file. */
export const FILE_OBJECT_READ_METHODS: ReadonlySet<string> = new Set(['fgets', 'fgetcsv', 'fread', 'fgetc', 'fscanf']);
const FILE_OBJECT_CLASSES: ReadonlySet<string> = new Set(['splfileobject', 'spltempfileobject']);

/** Is this call a read of the next piece of a stream (`fgets($h)`, `$file->fgetcsv()`)? */
export function isStreamRead(call: Call): boolean {
  const fn = functionName(call);
  if (fn !== null) return STREAM_READ_FUNCTIONS.has(fn);
  const m = methodName(call);
  return m !== null && call.what.kind !== 'staticlookup' && FILE_OBJECT_READ_METHODS.has(m);
}

function isFileObjectClass(n: PhpNode): boolean {
  return n.kind === 'name' && FILE_OBJECT_CLASSES.has(n.name.replace(/^.*\\/, '').toLowerCase());
}

/**
 * Does `expr` (in `scope`) denote an `SplFileObject`: `new SplFileObject(…)`,
 * `$info->openFile(…)`, a variable assigned one of those, or a parameter typed `SplFileObject`?
 */
export function isFileObject(expr: PhpNode, scope: Scope, depth = 0): boolean {
  // `$f = $g; $g = $f;` chains: a few hops decide real code, and cycles must end.
  if (depth > 4) return false;
  if (expr.kind === 'new') return isFileObjectClass(expr.what);
  if (expr.kind === 'call') return methodName(expr) === 'openfile';
  const v = varName(expr);
  if (v === null) return false;
  const param = scope.params.get(v);
  if (param && typeNames(param.type).some((t) => FILE_OBJECT_CLASSES.has(t.replace(/^.*\\/, '').toLowerCase()))) return true;
  return scope.accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign'
    && a.via.left === a.node && isFileObject(a.via.right, scope, depth + 1));
}

/** Is `expr` a `file(…)` call (the whole file as an array of lines)? */
function isFileCall(expr: PhpNode): boolean {
  return expr.kind === 'call' && functionName(expr) === 'file';
}

/**
 * If `loop` reads a stream, the node that reads: a read call whose innermost loop is `loop`
 * (`while (($l = fgets($h)) !== false)`, `while (!feof($h)) { $l = fgets($h); … }`), or the
 * source of `foreach (file(…) as …)` / `foreach ($splFileObject as …)`. Else null.
 */
export function streamReadOf(loop: Loop, scope: Scope): PhpNode | null {
  if (loop.kind === 'foreach' && (isFileCall(loop.source) || isFileObject(loop.source, scope))) return loop.source;
  for (const c of scope.calls) {
    if (isStreamRead(c) && enclosingLoops(c)[0] === loop && !opensPerIteration(c, loop, scope)) return c;
  }
  return null;
}

/**
 * Is the stream that `read` reads opened inside `loop` (`foreach ($ids as $id) { $h = fopen(…);
 * fgets($h); }`)? Then the loop walks over files, reading a little of each, not through one
 * stream.
 */
function opensPerIteration(read: Call, loop: Loop, scope: Scope): boolean {
  const handle = read.what.kind === 'name' ? read.arguments[0] : (read.what as { what?: PhpNode }).what;
  const v = varName(handle);
  if (v === null) return false;
  return scope.accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && isWithin(a.node, loop));
}
