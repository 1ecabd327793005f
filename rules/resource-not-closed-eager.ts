import type { Call, Loop, PhpNode } from '../engine/nodes.js';
import { isWithin } from '../engine/facts/ancestry.js';
import { dataSizedLoop, type DataEvidence } from '../engine/facts/data-size.js';
import { fixedIterationCount } from '../engine/facts/fixed-iterations.js';
import { HANDLE_OPENERS, isHandleClose, type HandleSource } from '../engine/facts/handles.js';
import { stopsAtCount } from '../engine/facts/loop-bounds.js';
import { isEndless } from '../engine/facts/long-running.js';
import { functionName, methodName, stringValue, varName, type Access, type Facts, type Scope } from '../engine/facts/index.js';
import { nodesUnder } from '../engine/facts/subtree.js';

// Descriptors opened eagerly, one per item, before any is closed (issue 12, 9b): a local array
// filled with file handles by a loop over data (the files of a directory, the rows of a query)
// holds every one of them open at the loop's end. PHP frees them when the function returns, so
// this is no leak between jobs: it is one job that dies at the descriptor limit (often 1,024)
// once the input has that many items ("Too many open files", measured in the rule doc). Only
// handles on files are meant (`fopen`, `tmpfile`, `gzopen`, `bzopen`, `new SplFileObject`):
// curl handles and child processes started together are a concurrency choice of the code.

const FILE_OPENERS: ReadonlySet<string> = new Set(Object.entries(HANDLE_OPENERS).filter(([, k]) => k === 'file').map(([f]) => f));
/** Builtins that list a directory: one entry per file in it. */
const DIRECTORY_LISTINGS: ReadonlySet<string> = new Set(['glob', 'scandir']);
const DIRECTORY_ITERATORS = /^(?:DirectoryIterator|FilesystemIterator|RecursiveDirectoryIterator|GlobIterator|RecursiveIteratorIterator)$/;
/** Calls that take elements out of the array again: a window of open files, not all of them. */
const TAKING_CALLS: ReadonlySet<string> = new Set(['array_pop', 'array_shift', 'array_splice']);

export interface EagerOpen { loop: Loop; evidence: DataEvidence }

/**
 * `$streams[] = fopen($path, 'r')` (or an array literal holding the handle) in a loop over
 * data-sized input, where nothing in the loop closes a handle, takes entries out of the array or
 * checks for an entry already there (a handle per key, opened once, is a cache, not one per item).
 */
export function eagerOpen(a: Access, scope: Scope, source: HandleSource, facts: Facts): EagerOpen | null {
  if (a.storage !== 'var' || (a.role !== 'append' && a.role !== 'keyed' && a.role !== 'byref-call')) return null;
  if (!opensFile(source)) return null;
  const loop = innermostLoop(a.via ?? a.node);
  if (!loop || isEndless(loop) || !isWithin(source, loop)) return null;
  if (nodesUnder(loop).some((n) => n.kind === 'call' && isHandleClose(n))) return null;
  if (scope.accesses.some((x) => x.storage === 'var' && x.name === a.name && x !== a && isWithin(x.node, loop) && takesOut(x))) return null;
  if (fixedIterationCount(loop, scope) !== null || stopsAtCount(loop, scope)) return null;
  const evidence = dataSizedLoop(loop, facts) ?? directoryLoop(loop, scope);
  return evidence ? { loop, evidence } : null;
}

/** An opener of a file on disk: not a `php://memory`/`php://temp` buffer or a standard stream. */
function opensFile(source: HandleSource): boolean {
  if (source.kind === 'new') return true;
  const fn = functionName(source);
  if (fn === null || !FILE_OPENERS.has(fn)) return false;
  const target = source.arguments[0] ? stringValue(source.arguments[0]) : null;
  return target === null || !target.startsWith('php://');
}

function innermostLoop(node: PhpNode): Loop | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.kind === 'function' || p.kind === 'method' || p.kind === 'closure' || p.kind === 'arrowfunc') return null;
    if (p.kind === 'foreach' || p.kind === 'for' || p.kind === 'while' || p.kind === 'do') return p;
  }
  return null;
}

/** `unset($h[$k])`, `array_shift($h)`, `$h = []`, or an `isset($h[$k])` guard. */
function takesOut(x: Access): boolean {
  if (x.role === 'unset' || x.role === 'unset-element' || x.role === 'assign') return true;
  if (x.role === 'byref-call' && x.callee !== undefined && TAKING_CALLS.has(x.callee)) return true;
  return x.node.parent?.kind === 'isset' || (x.outer.parent?.kind === 'isset') || (x.outer.parent?.kind === 'call' && functionName(x.outer.parent) === 'array_key_exists');
}

/**
 * A loop over the entries of a directory: `foreach (glob(…) as …)`, over a local assigned one,
 * over a directory iterator or a Finder (`->files()->in($dir)`), or `while (($f = readdir($d)) !== false)`.
 */
function directoryLoop(loop: Loop, scope: Scope): DataEvidence | null {
  if (loop.kind === 'while' || loop.kind === 'do') {
    const read = nodesUnder(loop.test).find((n) => n.kind === 'call' && functionName(n) === 'readdir');
    return read ? { what: 'the entries `readdir()` lists', at: read } : null;
  }
  if (loop.kind !== 'foreach') return null;
  const listing = (e: PhpNode): DataEvidence | null => {
    if (e.kind === 'call') {
      const fn = functionName(e);
      if (fn !== null && DIRECTORY_LISTINGS.has(fn)) return { what: `the files \`${fn}()\` lists`, at: e };
      const chain = nodesUnder(e).filter((n) => n.kind === 'call').map((n) => methodName(n as Call));
      if (chain.includes('in') && chain.includes('files')) return { what: 'the files a Finder lists', at: e };
    }
    if (e.kind === 'new' && e.what.kind === 'name' && DIRECTORY_ITERATORS.test(e.what.name.replace(/^.*\\/, ''))) return { what: `the entries of a \`${e.what.name.replace(/^.*\\/, '')}\``, at: e };
    return null;
  };
  const direct = listing(loop.source);
  if (direct) return direct;
  const v = varName(loop.source);
  if (v === null || scope.params.has(v)) return null;
  for (const x of scope.accesses) {
    if (x.storage !== 'var' || x.name !== v || x.role !== 'assign' || x.via?.kind !== 'assign' || x.via.left !== x.node) continue;
    const e = listing(x.via.right);
    if (e) return e;
  }
  return null;
}
