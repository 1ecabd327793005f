import type { Call, Loop, PhpNode } from '../nodes.js';
import { enclosingLoops, isWithin } from './ancestry.js';
import { functionName, methodName, typeNames, varName } from './names.js';
import type { ClassFacts, Scope } from './scopes.js';

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
  if (m === null || call.what.kind === 'staticlookup' || !FILE_OBJECT_READ_METHODS.has(m)) return false;
  // `$this->fread(…)`: the class's own method (getID3's parsers wrap their file that way), which
  // returns what it parses, not the next piece of a stream the loop collects.
  return !(call.what.kind === 'propertylookup' && varName(call.what.what) === 'this');
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

// ---- where a read stream comes from ----

/**
 * What a stream reads: `remote` (a socket, a URL, a process's output), `input` (standard input,
 * the request body, an uploaded file, a path taken from request input), `memory` (php://memory,
 * php://temp, tmpfile(): data the code already holds), `fixed` (a path the code itself spells:
 * literals, `__DIR__`, constants), or `unknown` (a parameter, a computed path).
 */
export type StreamOrigin = 'remote' | 'input' | 'memory' | 'fixed' | 'unknown';

const REMOTE_OPENERS: ReadonlySet<string> = new Set([
  'fsockopen', 'pfsockopen', 'stream_socket_client', 'stream_socket_accept', 'popen', 'proc_open', 'socket_accept',
]);
const PATH_OPENERS: ReadonlySet<string> = new Set(['fopen', 'gzopen', 'bzopen', 'file', 'file_get_contents']);
/** Functions whose result is a fixed path when their arguments are. */
const PATH_FUNCTIONS: ReadonlySet<string> = new Set(['dirname', 'realpath', 'basename', 'sprintf', 'implode', 'join']);
const REQUEST_GLOBALS: ReadonlySet<string> = new Set(['_FILES', '_GET', '_POST', '_REQUEST', '_COOKIE']);

/** The origin of the stream that `read` (a node returned by `streamReadOf`) reads. */
export function streamOrigin(read: PhpNode, scope: Scope, cls: ClassFacts | null): StreamOrigin {
  if (read.kind === 'call') {
    const fn = functionName(read);
    if (fn === 'file') return pathOrigin(read.arguments[0], scope, 0);
    if (fn !== null) return handleOrigin(read.arguments[0], scope, cls, 0);
    return handleOrigin((read.what as { what?: PhpNode }).what, scope, cls, 0);
  }
  return handleOrigin(read, scope, cls, 0);
}

/** Origin of a handle expression (`$h`, `$this->fp`, `fopen(…)`, `new SplFileObject(…)`). */
function handleOrigin(expr: PhpNode | undefined, scope: Scope, cls: ClassFacts | null, depth: number): StreamOrigin {
  if (!expr || depth > 4) return 'unknown';
  if (expr.kind === 'silent') return handleOrigin(expr.expr, scope, cls, depth + 1);
  if (expr.kind === 'name' && /^(?:\\)?STDIN$/.test(expr.name)) return 'input';
  if (expr.kind === 'call') {
    const fn = functionName(expr);
    if (fn !== null && REMOTE_OPENERS.has(fn)) return 'remote';
    if (fn === 'tmpfile') return 'memory';
    if (fn !== null && PATH_OPENERS.has(fn)) return pathOrigin(expr.arguments[0], scope, depth + 1);
    return 'unknown';
  }
  if (expr.kind === 'new' && expr.what.kind === 'name') {
    const cn = expr.what.name.replace(/^.*\\/, '').toLowerCase();
    if (cn === 'spltempfileobject') return 'memory';
    if (cn === 'splfileobject') return pathOrigin(expr.arguments[0], scope, depth + 1);
    return 'unknown';
  }
  if (expr.kind === 'propertylookup' && varName(expr.what) === 'this' && expr.offset.kind === 'identifier' && cls) {
    // Another method opened it (`$this->fp = fsockopen(…)`, or `$fp = fsockopen(…); $this->fp =
    // $fp;` in connect()): its variables are followed in that method's scope, when it has been seen.
    const name = expr.offset.name;
    for (const a of cls.accesses) {
      if (a.storage !== 'prop' || a.name !== name || a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.left !== a.node) continue;
      const at = cls.scopes.find((s) => isWithin(a.node, s.node)) ?? null;
      const right = a.via.right;
      const o = right.kind === 'call' || right.kind === 'new' ? handleOrigin(right, scope, null, depth + 1)
        : at ? handleOrigin(right, at, null, depth + 1) : 'unknown';
      if (o === 'remote' || o === 'input') return o;
    }
    return 'unknown';
  }
  const v = varName(expr);
  if (v === null) return 'unknown';
  return firstKnown(assignedValues(v, scope).map((r) => handleOrigin(r, scope, cls, depth + 1)));
}

/** Origin of a path or URL expression (`$_FILES[…]['tmp_name']`, `'https://' . $host`, `__DIR__ . '/a.xml'`). */
export function pathOriginOf(expr: PhpNode | null | undefined, scope: Scope): StreamOrigin {
  return pathOrigin(expr ?? undefined, scope, 0);
}

function pathOrigin(expr: PhpNode | undefined, scope: Scope, depth: number): StreamOrigin {
  if (!expr || depth > 6) return 'unknown';
  if (expr.kind === 'namedargument') return pathOrigin(expr.value, scope, depth + 1);
  if (expr.kind === 'silent') return pathOrigin(expr.expr, scope, depth + 1);
  if (expr.kind === 'string' || expr.kind === 'nowdoc') return literalOrigin(expr.value);
  if (expr.kind === 'magic' || expr.kind === 'number') return 'fixed';
  // A constant or class constant: configuration spelt in the code.
  if (expr.kind === 'name') return 'fixed';
  if (expr.kind === 'staticlookup' && expr.offset.kind === 'identifier') return 'fixed';
  if (expr.kind === 'offsetlookup' || expr.kind === 'variable') {
    let base: PhpNode = expr;
    while (base.kind === 'offsetlookup') base = base.what;
    const v = varName(base);
    if (v !== null && REQUEST_GLOBALS.has(v)) return 'input';
    if (expr.kind !== 'variable' || v === null) return 'unknown';
    return firstKnown(assignedValues(v, scope).map((r) => pathOrigin(r, scope, depth + 1)));
  }
  if (expr.kind === 'bin' && expr.type === '.') {
    const left = pathOrigin(expr.left, scope, depth + 1);
    // 'http://' . $host: the scheme decides.
    if (left === 'remote' || left === 'input' || left === 'memory') return left;
    const right = pathOrigin(expr.right, scope, depth + 1);
    if (right === 'input') return 'input';
    return left === 'fixed' && right === 'fixed' ? 'fixed' : 'unknown';
  }
  if (expr.kind === 'encapsed') {
    const first = expr.value[0];
    const head = first && first.kind === 'encapsedpart' && first.expression.kind === 'string' ? literalOrigin(first.expression.value) : 'unknown';
    if (head === 'remote' || head === 'input' || head === 'memory') return head;
    const parts = expr.value.map((p) => (p.kind === 'encapsedpart' ? pathOrigin(p.expression, scope, depth + 1) : 'unknown'));
    return parts.every((p) => p === 'fixed') ? 'fixed' : parts.includes('input') ? 'input' : 'unknown';
  }
  if (expr.kind === 'call') {
    const fn = functionName(expr);
    if (fn !== null && PATH_FUNCTIONS.has(fn) && expr.arguments.length > 0) {
      const parts = expr.arguments.map((a) => pathOrigin(a, scope, depth + 1));
      return parts.every((p) => p === 'fixed') ? 'fixed' : parts.includes('input') ? 'input' : 'unknown';
    }
  }
  return 'unknown';
}

function literalOrigin(s: string): StreamOrigin {
  const t = s.trim().toLowerCase();
  if (t.startsWith('php://stdin') || t.startsWith('php://input') || t.startsWith('php://fd')) return 'input';
  if (t.startsWith('php://memory') || t.startsWith('php://temp') || t.startsWith('data:')) return 'memory';
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(t) && !t.startsWith('file://')) return 'remote';
  return 'fixed';
}

/** The right sides of `$v = …` in the scope (none for a parameter that is never reassigned). */
function assignedValues(v: string, scope: Scope): PhpNode[] {
  const out: PhpNode[] = [];
  for (const a of scope.accesses) {
    if (a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && a.via.operator === '=') out.push(a.via.right);
  }
  return out;
}

/** The most telling of several possible origins: data beats code. */
function firstKnown(origins: StreamOrigin[]): StreamOrigin {
  for (const o of ['remote', 'input', 'unknown', 'memory', 'fixed'] as const) if (origins.includes(o)) return o;
  return 'unknown';
}
