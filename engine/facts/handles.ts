import type { Call, New, PhpNode } from '../nodes.js';
import { functionName, stringValue } from './names.js';
import type { Scope } from './scopes.js';

// Handles that hold an OS resource (a file descriptor, a child process, a socket, a curl
// connection) until PHP frees them: when the last reference goes, or when closed explicitly.

export type HandleKind = 'file' | 'directory' | 'process' | 'socket' | 'curl' | 'ftp';

/** Functions that return a new handle, with what it holds. */
export const HANDLE_OPENERS: Readonly<Record<string, HandleKind>> = {
  fopen: 'file', tmpfile: 'file', gzopen: 'file', bzopen: 'file', inotify_init: 'file',
  opendir: 'directory',
  popen: 'process', proc_open: 'process',
  fsockopen: 'socket', pfsockopen: 'socket', stream_socket_client: 'socket', stream_socket_server: 'socket',
  stream_socket_accept: 'socket', socket_create: 'socket', socket_accept: 'socket', socket_create_listen: 'socket',
  curl_init: 'curl', curl_multi_init: 'curl',
  ftp_connect: 'ftp', ftp_ssl_connect: 'ftp',
};

/** Classes whose instances hold an open file. */
export const HANDLE_CLASSES: ReadonlySet<string> = new Set(['splfileobject']);

/** Functions that close a handle (curl_close is a no-op since PHP 8 but states the intent). */
export const HANDLE_CLOSERS: ReadonlySet<string> = new Set([
  'fclose', 'pclose', 'proc_close', 'closedir', 'gzclose', 'bzclose', 'socket_close', 'curl_close',
  'curl_multi_close', 'ftp_close',
]);

export type HandleSource = Call | New;

function unwrap(expr: PhpNode): PhpNode {
  let e = expr;
  for (;;) {
    if (e.kind === 'silent') e = e.expr;
    else if (e.kind === 'assign' && e.operator === '=') e = e.right; // `$x[] = $h = fopen(…)`
    else if (e.kind === 'retif' && e.trueExpr === null) e = e.test; // `fopen(…) ?: null`
    else return e;
  }
}

/** The opener call (or `new SplFileObject`) that `expr` evaluates to, directly. */
export function openerCall(expr: PhpNode): HandleSource | null {
  const e = unwrap(expr);
  if (e.kind === 'call') {
    const fn = functionName(e);
    return fn !== null && fn in HANDLE_OPENERS ? e : null;
  }
  if (e.kind === 'new' && e.what.kind === 'name' && HANDLE_CLASSES.has(e.what.name.replace(/^.*\\/, '').toLowerCase())) return e;
  return null;
}

/**
 * The opener whose handle `expr` holds: the expression itself, or a local variable of `scope`
 * that is assigned one (`$h = fopen(…)`, `if (!$h = @fopen(…))`). Null when unknown.
 */
export function handleSourceOf(expr: PhpNode, scope: Scope): HandleSource | null {
  const direct = openerCall(expr);
  if (direct) return direct;
  const e = unwrap(expr);
  if (e.kind !== 'variable' || typeof e.name !== 'string') return null;
  return handleVariable(e.name, scope);
}

/** The opener assigned to local variable `name` in `scope`, if any assignment is one. */
export function handleVariable(name: string, scope: Scope): HandleSource | null {
  if (scope.params.has(name)) return null;
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== name || a.role !== 'assign' || a.via?.kind !== 'assign' || a.via.left !== a.node) continue;
    const src = openerCall(a.via.right);
    if (src) return src;
  }
  return null;
}

/** Does this call close handles: a closer, or a closer passed as a callable (`array_map('fclose', …)`)? */
export function isHandleClose(call: Call): boolean {
  const fn = functionName(call);
  if (fn !== null && HANDLE_CLOSERS.has(fn)) return true;
  return call.arguments.some((a) => {
    const s = stringValue(a);
    return s !== null && HANDLE_CLOSERS.has(s.replace(/^\\/, '').toLowerCase());
  });
}

/** The first call that closes handles in `scope` or in the closures defined in it. */
export function closeIn(scope: Scope): Call | null {
  const stack = [scope];
  while (stack.length > 0) {
    const s = stack.pop()!;
    const c = s.calls.find(isHandleClose);
    if (c) return c;
    stack.push(...s.children);
  }
  return null;
}
