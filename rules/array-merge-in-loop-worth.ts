import type { Call, Loop, PhpNode } from '../engine/nodes.js';
import { isFunctionLike } from '../engine/nodes.js';
import { dataSizedArray, dataSourceCall, type DataEvidence } from '../engine/facts/data-size.js';
import { callReceiver, functionName, methodName, stringValue, type Facts } from '../engine/facts/index.js';

// A loop that runs once per row or line of data can still copy too little for anyone to change
// the code, when the accumulator is a local that dies with the call. The reviews judged every one of these "no" (wordpress `export_wp()`, mautic
// `ConnectwiseApi::fetchAllRecords()`, shopware `ApiRequestContextResolver::fetchPermissions()`,
// drupal `WordLevelDiff::_split()`, pixelfed `HitHighlighter`):
// - each iteration makes a round trip (a query, an HTTP request, a page of an API): copying k
//   parts costs about a nanosecond per element, a round trip a millisecond or more, so the
//   copies overtake the I/O only past a million accumulated elements, where memory is the
//   problem and not the copying;
// - the rows are those of one owner: a query narrowed by equality on one bound id (the roles of
//   a user, the lines of an order), a count a person makes, not a stream of data;
// - the only evidence is a parameter's name (`$lines`, `$hits`) and no caller in the file hands
//   it data: how much reaches the function is the caller's business.

/** Why the copying in `loop` is not worth a finding, or null when it is. */
export function copyingDwarfed(loop: Loop, evidence: DataEvidence, local: boolean, facts: Facts): string | null {
  // A property, static or global accumulator outlives the call: its copies grow with
  // everything the process ever merged, whatever each call costs.
  if (!local) return null;
  // A page taken from a client, a repository or a queue (`$client->page($n++)`) is a round
  // trip; a page cut from an array in memory (`array_slice($all, $offset, 100)`) is not.
  if (roundTripIn(loop, facts) || (evidence.what.startsWith('the pages') && evidence.at.kind === 'call' && methodName(evidence.at) !== null)) return 'round trip per iteration';
  if (evidence.at.kind === 'call' && oneOwnersRows(evidence.at)) return "one owner's rows";
  if (evidence.at.kind === 'parameter' && !fedDataByCaller(evidence.at, facts)) return 'parameter name only';
  return null;
}

/** Functions and methods that make a round trip to a database, a server or a remote API. */
const ROUND_TRIP_FUNCTIONS: ReadonlySet<string> = new Set([
  'curl_exec', 'curl_multi_exec', 'file_get_contents', 'mysqli_query', 'pg_query', 'pg_query_params', 'fsockopen', 'stream_socket_client',
]);
const ROUND_TRIP_METHODS: ReadonlySet<string> = new Set([
  'request', 'sendrequest', 'send', 'get_col', 'get_results', 'get_row', 'get_var', 'executequery', 'executestatement',
]);

/**
 * Does every iteration of `loop` make a round trip: a query that returns rows, an HTTP request,
 * the next page of an API (a call in the test or body that advances a page counter)? Not
 * `fetch()`/`fgets()`: they take the next row or line of a result already on its way.
 */
function roundTripIn(loop: Loop, facts: Facts): boolean {
  const stack: PhpNode[] = [loop];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n !== loop && isFunctionLike(n)) continue;
    if (n.kind === 'call') {
      const fn = functionName(n);
      if (fn !== null ? ROUND_TRIP_FUNCTIONS.has(fn) : ROUND_TRIP_METHODS.has(methodName(n) ?? '')) return true;
      if (dataSourceCall(n, facts) && !isRowSource(n, loop)) return true;
    }
    for (const c of childrenOf(n)) stack.push(c);
  }
  return false;
}

/** The call that gives a `foreach` its rows runs once, before the first iteration. */
function isRowSource(call: Call, loop: Loop): boolean {
  return loop.kind === 'foreach' && (loop.source === call || isWithinNode(call, loop.source));
}

function isWithinNode(n: PhpNode, root: PhpNode): boolean {
  for (let p: PhpNode | undefined = n; p; p = p.parent) if (p === root) return true;
  return false;
}

function childrenOf(n: PhpNode): PhpNode[] {
  const out: PhpNode[] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'parent' || k === 'loc' || k === 'leadingComments' || k === 'trailingComments') continue;
    if (Array.isArray(v)) { for (const x of v) if (x && typeof x === 'object' && 'kind' in x) out.push(x as PhpNode); }
    else if (v && typeof v === 'object' && 'kind' in v) out.push(v as PhpNode);
  }
  return out;
}

/** `col = :id`, `m.user_id = ?`: equality on one bound value. */
const EQUALS_ONE_PARAM = /^\s*[\w.`"]+\s*=\s*(?::\w+|\?)\s*$/;
/** Calls that widen a query beyond one owner's rows. */
const WIDENING = /^(orwhere|wherein|orwherein|wherebetween|wherenotin|having)$/;

/**
 * Is the query behind `fetch` narrowed to the rows of one owner: exactly one `where`
 * condition, an equality on one bound value (`->where('mapping.user_id = :userId')`, Eloquent's
 * `->where('user_id', $id)`), and nothing that widens it?
 */
function oneOwnersRows(fetch: Call): boolean {
  let equalities = 0;
  for (let c: PhpNode | null = callReceiver(fetch); c && c.kind === 'call'; c = callReceiver(c)) {
    const m = methodName(c);
    if (m === null) break;
    if (WIDENING.test(m)) return false;
    if (m !== 'where' && m !== 'andwhere') continue;
    const [first, second, third] = c.arguments;
    const cond = first ? stringValue(first) : null;
    if (cond === null) return false;
    // Doctrine: `'m.user_id = :userId'`; Eloquent: `('user_id', $id)`, `('user_id', '=', $id)`.
    // A literal value (`('status', 'active')`) picks a category of rows, not one owner's.
    const value = third !== undefined ? (stringValue(second!) === '=' ? third : null) : second;
    const ok = value === undefined ? EQUALS_ONE_PARAM.test(cond) : value !== null && !isLiteral(value) && /^[\w.]+$/.test(cond);
    if (!ok) return false;
    equalities++;
  }
  return equalities === 1;
}

function isLiteral(n: PhpNode): boolean {
  return n.kind === 'string' || n.kind === 'number' || n.kind === 'boolean' || n.kind === 'nullkeyword';
}

/**
 * Does a caller in this file hand the parameter a data-sized array
 * (`allRoutes($db->query('SELECT …')->fetchAll())`)?
 */
function fedDataByCaller(param: PhpNode, facts: Facts): boolean {
  const fn = param.parent;
  if (!fn || (fn.kind !== 'function' && fn.kind !== 'method')) return false;
  const index = fn.arguments.indexOf(param as (typeof fn.arguments)[number]);
  const raw = (fn as { name: string | { name: string } }).name;
  const name = (typeof raw === 'string' ? raw : raw.name).toLowerCase();
  const calls = fn.kind === 'function' ? facts.functionCalls.get(name) ?? [] : facts.methodCalls.get(name) ?? [];
  return calls.some((c) => {
    const arg = c.arguments[index];
    if (!arg || arg.kind === 'variadic') return false;
    // Another parameter's name (the caller's own `$rows`, a recursive call) is no more than a name.
    const e = dataSizedArray(arg, facts);
    return e !== null && e.at.kind !== 'parameter';
  });
}
