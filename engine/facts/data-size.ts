import type { Call, Loop, PhpNode } from '../nodes.js';
import { isLoop } from '../nodes.js';
import { isWithin } from './ancestry.js';
import { resolveClassName } from './imports.js';
import { callReceiver, functionName, identifierWords, methodName, staticProperty, stringValue, thisPropertyName, varName } from './names.js';
import { loopCounters } from './loop-bounds.js';
import { nodesUnder } from './subtree.js';
import type { Facts } from './index.js';

// "Does this loop (or array) grow with run-time data?" Rules whose cost is per iteration or per
// element (quadratic merging, copies of a parameter, entities kept by an ORM) report only with
// POSITIVE evidence that the size comes from data: rows fetched from a database, lines or
// records of a file or stream, a loop that pages through an API, a buffer a class fills per
// record. A loop over constants, configured servers, an identifier's parts, class members or
// function arguments is sized by a person: no evidence, no finding. Answers come from the file
// alone and from facts the one walk collected (scopes, accesses, calls); ask at `program:exit`.

/** Why a loop or an array is data-sized: a short phrase for messages, and the node that shows it. */
export interface DataEvidence { what: string; at: PhpNode }

/** Functions whose array result holds one entry per line, record or row of their input. */
const DATA_FUNCTIONS: ReadonlySet<string> = new Set([
  'file', 'mysqli_fetch_all', 'pg_fetch_all', 'pg_fetch_all_columns',
]);
/** Methods that return every row a query selects (Doctrine DBAL/ORM, PDO, mysqli, wpdb, Eloquent). */
const FETCH_ALL_METHODS: ReadonlySet<string> = new Set([
  'fetchall', 'fetchallassociative', 'fetchallnumeric', 'fetchallkeyvalue', 'fetchallassociativeindexed', 'fetchfirstcolumn',
  'iterateassociative', 'iteratenumeric', 'iteratecolumn', 'iteratekeyvalue', 'getresult', 'getarrayresult', 'getscalarresult',
  'toiterable', 'fetch_all', 'get_results', 'get_col', 'cursor', 'lazy', 'lazybyid', 'executequery', 'findall',
]);
/** Calls in a loop's test that take the next row, line or record of a result or stream. */
const FETCH_NEXT_FUNCTIONS: ReadonlySet<string> = new Set([
  'fgets', 'fgetcsv', 'fread', 'stream_get_line', 'feof', 'mysqli_fetch_assoc', 'mysqli_fetch_array', 'mysqli_fetch_row',
  'mysqli_fetch_object', 'pg_fetch_assoc', 'pg_fetch_row', 'pg_fetch_array', 'pg_fetch_object', 'imap_fetchbody',
]);
const FETCH_NEXT_METHODS: ReadonlySet<string> = new Set([
  'fetch', 'fetchassociative', 'fetchnumeric', 'fetchone', 'fetchobject', 'fetchcolumn', 'fetch_assoc', 'fetch_array',
  'fetch_row', 'fetch_object', 'fgets', 'fgetcsv', 'eof',
]);
/** Query-builder calls: a chain holding one of these and ending in `get()`/`all()`/`execute()` returns rows. */
const QUERY_BUILDER_METHODS: ReadonlySet<string> = new Set([
  'where', 'wherein', 'wherenull', 'wherenotnull', 'orwhere', 'wherehas', 'orderby', 'orderbydesc', 'latest', 'oldest',
  'join', 'leftjoin', 'addselect', 'newquery', 'createquerybuilder', 'groupby', 'having', 'withtrashed', 'onlytrashed',
]);
/**
 * Calls that start a query only on a class (`User::query()`, `DB::table('users')`) or on a
 * database connection (`$this->connection->select('node', 'n')`): `$request->query()` is an
 * HTTP bag, `$response->with()` a redirect.
 */
const QUERY_STARTERS: ReadonlySet<string> = new Set(['query', 'table', 'select', 'from', 'with']);
const CONNECTION_NAMES = /^(?:db|database|connection|conn|pdo|wpdb|dbal)$/i;
/** Names of arrays that hold rows, records or lines of data. */
const DATA_NAMES = /^(?:rows|records|lines|csv(?:rows|lines)?|entities|documents|hits|logrecords|messages?lines)$/i;
/** Words a data name ends with (`$csvRows`, `$import_records`, `$fileLines`). */
const DATA_NAME_WORDS: ReadonlySet<string> = new Set(['rows', 'records', 'lines', 'entities']);

/** Is a variable or property name a name of rows, records or lines (`$rows`, `$importRecords`, `$file_lines`)? */
export function isDataName(name: string): boolean {
  if (DATA_NAMES.test(name)) return true;
  const words = identifierWords(name);
  return words.length > 0 && DATA_NAME_WORDS.has(words[words.length - 1]!);
}

/** Does the call return every row or line of data (`$stmt->fetchAll()`, `file($path)`, `$qb->getQuery()->getResult()`)? */
export function dataSourceCall(n: PhpNode, facts: Facts): DataEvidence | null {
  if (n.kind !== 'call') return null;
  const fn = functionName(n);
  if (fn !== null) {
    if (DATA_FUNCTIONS.has(fn)) return { what: `the lines or rows \`${fn}()\` returns`, at: n };
    // `explode("\n", $text)`, `preg_split('/\R/', $text)`: the lines of a text.
    if ((fn === 'explode' || fn === 'preg_split') && isLineSeparator(fn, n.arguments[0]) && readsInput(n.arguments[1], facts)) return { what: `the lines \`${fn}()\` splits`, at: n };
    return null;
  }
  const m = methodName(n);
  if (m === null) return null;
  // `getResult()` is Doctrine's on a query; on anything else (a route's response, a search
  // result object) it says nothing about rows.
  if (DOCTRINE_RESULT_METHODS.has(m) && !onDoctrineQuery(n)) return null;
  if (FETCH_ALL_METHODS.has(m)) return { what: `the rows \`${m}()\` fetches`, at: n };
  // Drupal's `$query->execute()` and PDO's `$db->query('SELECT …')` return a statement of rows.
  if ((m === 'query' && n.arguments.length > 0 && isSelect(n.arguments[0])) || (m === 'execute' && isQueryChain(n))) return { what: `the rows \`${m}()\` returns`, at: n };
  if ((m === 'get' || m === 'all') && n.arguments.length === 0 && isQueryChain(n)) return { what: `the rows the query's \`${m}()\` returns`, at: n };
  // Eloquent: `Invoice::all()`, `Invoice::cursor()` on a class of a `Models` namespace.
  if ((m === 'all' || m === 'get') && n.arguments.length === 0 && n.what.kind === 'staticlookup' && n.what.what.kind === 'name'
    && /\\Models?\\/.test(resolveClassName(n.what.what.name, n))) return { what: `every row \`${m}()\` loads`, at: n };
  return null;
}

const DOCTRINE_RESULT_METHODS: ReadonlySet<string> = new Set(['getresult', 'getarrayresult', 'getscalarresult']);

/** `$qb->getQuery()->getResult()`, `$em->createQuery(…)->getResult()`, `$query->getResult()`. */
function onDoctrineQuery(call: Call): boolean {
  const r = callReceiver(call);
  if (!r) return false;
  if (r.kind === 'call') return /^(?:getquery|createquery|createnativequery|setparameters?|setmaxresults|setfirstresult|sethint)$/.test(methodName(r) ?? '');
  return /query/i.test(varName(r) ?? thisPropertyName(r) ?? '');
}

/** Calls that read a file, a stream or a response body. */
const INPUT_READERS: ReadonlySet<string> = new Set(['file_get_contents', 'stream_get_contents', 'fread', 'getcontents', 'getcontent', 'getbody', 'gzdecode', 'gzuncompress']);

/** Does `arg` hold the text of a file, stream or response (`file_get_contents($path)`, `$response->getBody()`)? */
function readsInput(arg: PhpNode | undefined, facts: Facts): boolean {
  if (!arg) return false;
  const reads = (e: PhpNode): boolean => nodesUnder(e).some((n) => n.kind === 'call' && INPUT_READERS.has(functionName(n) ?? methodName(n) ?? ''));
  if (reads(arg)) return true;
  const v = varName(arg);
  if (v === null) return false;
  // `$text = file_get_contents($path); explode("\n", $text)`.
  return facts.scopeOf(arg).accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && reads(a.via.right));
}

/** A literal SQL `SELECT` (or one that starts a concatenation). */
function isSelect(arg: PhpNode | undefined): boolean {
  if (!arg) return false;
  const s = stringValue(arg);
  if (s !== null) return /^\s*select\b/i.test(s);
  return arg.kind === 'bin' && arg.type === '.' && /^\s*select\b/i.test(stringValue(leftmost(arg)) ?? '');
}

function leftmost(n: PhpNode): PhpNode {
  while (n.kind === 'bin' && n.type === '.') n = n.left;
  return n;
}

function isLineSeparator(fn: string, arg: PhpNode | undefined): boolean {
  if (!arg) return false;
  if (arg.kind === 'name' && arg.name.replace(/^\\/, '') === 'PHP_EOL') return fn === 'explode';
  const s = stringValue(arg);
  if (s === null) return false;
  // A pattern of line breaks only: `/\R/`, `/\r?\n/`, `/(\r\n|\n)/`.
  if (fn === 'preg_split') return /^\/[()\\rRn?|]+\/$/.test(s) && /\\[nR]|\n/.test(s);
  return s === '\n' || s === '\r\n';
}

/** Is the receiver of `call` a query builder chain (`X::where(…)->orderBy(…)->get()`, `$this->db->select(…)->execute()`)? */
function isQueryChain(call: Call): boolean {
  for (let c: Call = call; ;) {
    const w: PhpNode = c.what;
    if (w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup' && w.kind !== 'staticlookup') return false;
    const inner: PhpNode = w.what;
    if (inner.kind !== 'call') return false;
    const m = methodName(inner);
    if (m !== null && QUERY_BUILDER_METHODS.has(m)) return true;
    if (m !== null && QUERY_STARTERS.has(m) && startsOnClassOrConnection(inner)) return true;
    c = inner;
  }
  return false;
}

function startsOnClassOrConnection(call: Call): boolean {
  const w = call.what;
  if (w.kind === 'staticlookup') return w.what.kind === 'name';
  if (w.kind !== 'propertylookup' && w.kind !== 'nullsafepropertylookup') return false;
  const name = varName(w.what) ?? thisPropertyName(w.what);
  return name !== null && CONNECTION_NAMES.test(name);
}

/**
 * Is the array `expr` data-sized: a data source call, a local variable assigned one (or
 * filled element by element in a data-sized loop), a parameter or property named as rows,
 * records or lines, or a property the class appends to per call under such a name (a buffer
 * of log records)? `at` is where the expression is used.
 */
export function dataSizedArray(expr: PhpNode, facts: Facts, depth = 3): DataEvidence | null {
  if (depth < 0) return null;
  const direct = dataSourceCall(expr, facts);
  if (direct) return direct;
  // `(array) $rows`, `array_values($rows)`, `array_filter($rows)`, `$rows ?? []`: the same size.
  if (expr.kind === 'cast') return dataSizedArray(expr.expr, facts, depth);
  if (expr.kind === 'bin' && expr.type === '??') return dataSizedArray(expr.left, facts, depth);
  if (expr.kind === 'call' && ['array_values', 'array_filter', 'array_reverse', 'iterator_to_array'].includes(functionName(expr) ?? '') && expr.arguments[0]) {
    return dataSizedArray(expr.arguments[0], facts, depth - 1);
  }
  const v = varName(expr);
  if (v !== null && v !== 'this') return dataSizedVariable(v, expr, facts, depth);
  // `$catalog = simplexml_load_file($input->getArgument('file')); foreach ($catalog->product as …)`:
  // the records of a document whose path the user gives (a command argument, an upload).
  if ((expr.kind === 'propertylookup' || expr.kind === 'call') && isUserDocument(expr.kind === 'call' ? expr : expr.what, facts)) {
    return { what: 'the records of a document read from a path the user gives', at: expr };
  }
  const prop = thisPropertyName(expr) ?? staticProperty(expr)?.name ?? null;
  if (prop !== null && isDataName(prop) && isAppendedBuffer(prop, expr, facts)) {
    return { what: `\`${prop}\`, which the class appends to on every call`, at: expr };
  }
  return null;
}

function dataSizedVariable(name: string, at: PhpNode, facts: Facts, depth: number): DataEvidence | null {
  const scope = facts.scopeOf(at);
  if (scope.params.has(name)) return isDataName(name) ? { what: `\`$${name}\``, at: scope.params.get(name)! } : null;
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== name) continue;
    if (a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && a.via.operator === '=') {
      const r = a.via.right;
      if (r === at) continue;
      const e = dataSizedArray(r, facts, depth - 1);
      if (e) return e;
    }
    // `foreach ($stmt as $row) { $rows[] = $row; }`: an array filled per row of data.
    if ((a.role === 'append' || a.role === 'keyed') && a.depth === 1) {
      for (let p = a.node.parent; p && p !== scope.node; p = p.parent) {
        if (isLoop(p)) {
          const e = dataSizedLoop(p, facts, depth - 1);
          if (e) return e;
          break;
        }
      }
    }
  }
  return null;
}

const DOCUMENT_LOADERS: ReadonlySet<string> = new Set(['simplexml_load_file', 'file_get_contents']);
/** Where a path comes from the user: a console argument or option, `$argv`, an upload. */
const USER_PATH_METHODS: ReadonlySet<string> = new Set(['getargument', 'getoption']);
const USER_PATH_VARS: ReadonlySet<string> = new Set(['argv', '_FILES']);

/** A variable (or call) holding a document loaded from a path the user gives. */
function isUserDocument(n: PhpNode, facts: Facts): boolean {
  const loaded = (e: PhpNode): boolean => e.kind === 'call' && DOCUMENT_LOADERS.has(functionName(e) ?? '')
    && nodesUnder(e).some((x) => (x.kind === 'call' && USER_PATH_METHODS.has(methodName(x) ?? '')) || USER_PATH_VARS.has(varName(x) ?? ''));
  if (loaded(n)) return true;
  const v = varName(n);
  if (v === null) return false;
  return facts.scopeOf(n).accesses.some((a) => a.storage === 'var' && a.name === v && a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node && loaded(a.via.right));
}

/** Is `$this->records` / `static::$records` appended to (`[] = …`) in a method other than the constructor? */
function isAppendedBuffer(prop: string, at: PhpNode, facts: Facts): boolean {
  const cls = facts.classOf(at);
  if (!cls) return false;
  const ctor = cls.methods.get('__construct');
  return cls.accesses.some((a) => a.name === prop && a.role === 'append' && (!ctor || !isWithin(a.node, ctor)));
}

/**
 * Positive evidence that `loop` runs once per row, line or record of run-time data: a
 * `foreach` over a data-sized array, a `while` that fetches the next row or line in its test,
 * a `for` up to the count of a data-sized array, or a loop that pages through a source
 * (`while ($page = $client->list($offset)) { …; $offset += 100; }`). Else null.
 */
export function dataSizedLoop(loop: Loop, facts: Facts, depth = 3): DataEvidence | null {
  switch (loop.kind) {
    case 'foreach': {
      const e = dataSizedArray(loop.source, facts, depth);
      return e ? { what: e.what, at: e.at } : null;
    }
    case 'for':
      for (const t of loop.test) {
        for (const n of nodesUnder(t)) {
          if (n.kind === 'call' && (functionName(n) === 'count' || functionName(n) === 'sizeof') && n.arguments[0]) {
            const e = dataSizedArray(n.arguments[0], facts, depth);
            if (e) return e;
          }
        }
      }
      return null;
    case 'while': case 'do': {
      const fetch = nodesUnder(loop.test).find((n) => n.kind === 'call' && isFetchNext(n));
      if (fetch) return { what: `each row or line \`${functionName(fetch as Call) ?? methodName(fetch as Call)}()\` reads`, at: fetch };
      // `while ($lines->valid()) { …; $lines->next(); }` over a data-sized iterator.
      for (const n of nodesUnder(loop.test)) {
        if (n.kind === 'call' && methodName(n) === 'valid' && n.what.kind === 'propertylookup') {
          const e = dataSizedArray(n.what.what, facts, depth - 1);
          if (e) return e;
        }
      }
      // `while ($batch = array_splice($ids, 0, 20))`, `while ($row = array_shift($rows))`: a walk over an array.
      for (const n of nodesUnder(loop.test)) {
        if (n.kind === 'call' && TAKERS.has(functionName(n) ?? '') && n.arguments[0]) {
          const e = dataSizedArray(n.arguments[0], facts, depth - 1);
          if (e) return e;
        }
      }
      return pagingCall(loop, facts);
    }
  }
}

/** Builtins that take the next element or chunk off an array. */
const TAKERS: ReadonlySet<string> = new Set(['array_splice', 'array_shift', 'array_pop']);

function isFetchNext(call: Call): boolean {
  const fn = functionName(call);
  if (fn !== null) return FETCH_NEXT_FUNCTIONS.has(fn);
  const m = methodName(call);
  return m !== null && FETCH_NEXT_METHODS.has(m) && call.arguments.length <= 2;
}

/**
 * A while/do loop that pages: a call whose arguments hold a counter the loop advances
 * (`$page++`, `$offset += $limit`), whose result the loop's test looks at.
 */
function pagingCall(loop: Extract<Loop, { kind: 'while' | 'do' }>, facts: Facts): DataEvidence | null {
  const scope = facts.scopeOf(loop);
  const counters = loopCounters(loop, scope);
  const testVars = new Set(nodesUnder(loop.test).map((n) => varName(n)).filter((n): n is string => n !== null));
  for (const n of nodesUnder(loop)) {
    if (n.kind !== 'call' || n.arguments.length === 0) continue;
    const advances = n.arguments.some((arg) => nodesUnder(arg).some((x) => (x.kind === 'post' || x.kind === 'pre') || (varName(x) !== null && counters.has(varName(x)!))));
    if (!advances) continue;
    const holder = n.parent;
    const target = holder?.kind === 'assign' && holder.right === n ? varName(holder.left) : null;
    if (isWithin(n, loop.test) || (target !== null && testVars.has(target))) {
      return { what: `the pages \`${methodName(n) ?? functionName(n) ?? 'the call'}()\` fetches`, at: n };
    }
  }
  return null;
}
