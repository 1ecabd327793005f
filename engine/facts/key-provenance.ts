import type { Parameter, PhpNode } from '../nodes.js';
import { WRITE_ROLES, type Access } from './access.js';
import { isConstantKey } from './array-growth.js';
import { callReceiver, functionName, literalValue, methodName, thisPropertyName, typeNames, varName } from './names.js';
import type { Scope } from './scopes.js';
import type { Facts } from './index.js';
import { dataParameter, isOwnedObject, isRowObject, isSuperglobal, namesPersonId, namesRowId, namesTrafficRow } from './data-evidence.js';

import { identifierWords } from './names.js';
import { namesACodeFile } from './code-files.js';
import { isOwnCall, ownCallArguments } from './own-calls.js';
import { originOfName, type KeyOrigin } from './name-origin.js';

// Where does an array key come from? A cache keyed by something the code or its configuration
// fixes (class names, method names, enum cases, connection or route names, config keys, files
// of the code base) stops growing once every key has been seen; a cache keyed by run-time data
// (ids, rows, request input, URLs, arbitrary strings) grows with the data. Read from the facts
// of the one walk (assignments of local variables, parameters): no walk of its own. The
// decision table is documented in rules/unbounded-cache.md ("Key provenance").

export { originOfName, type KeyOrigin } from './name-origin.js';

export interface Provenance {
  origin: KeyOrigin;
  /** Why, as a noun phrase for messages and tests: "a class name", "the parameter `$value`". */
  why: string;
  /** The key names a unit of the code base, a class (`static::class`, `$className`) or a file (`$file`): a per-class key. */
  isClass?: true;
  /**
   * Data by positive evidence (engine/facts/data-evidence.ts): a parameter of a public API
   * named or typed for data, the id of a row, request input, the identity of objects handed
   * over. Without it a `data` key is only "not known to be code", and unbounded-cache is silent.
   */
  strong?: true;
  /**
   * The id of a user, owner, account or author of the application (`$account->id()`, `$ownerId`):
   * a roster, bounded alone, but the per-person part of a key whose other parts are data (access
   * results per account × entity). engine/facts/data-evidence.ts, `namesPersonId`.
   */
  person?: true;
  /**
   * The id of a row of a table that may be a small catalogue (an email template, a stage, a
   * product): strong evidence of data, but not of growth until the process dies. unbounded-cache
   * caps such findings at `warning` (data-evidence.ts, `namesTrafficRow`).
   */
  catalogue?: true;
  /**
   * The parameters of public APIs the strong evidence comes from, when it comes from nothing
   * else (`$value` of `Str::camel()`, also through `strtolower($value)`, a local, a helper of
   * the class): then what the callers pass decides (engine/facts/call-arguments.ts).
   */
  params?: Parameter[];
}

/** Functions whose result has the provenance of their arguments (a transformed key). */
const TRANSFORMS = new Set([
  'strtolower', 'strtoupper', 'mb_strtolower', 'mb_strtoupper', 'ucfirst', 'lcfirst', 'ucwords', 'trim', 'ltrim', 'rtrim',
  'md5', 'sha1', 'crc32', 'hash', 'serialize', 'json_encode', 'implode', 'join', 'sprintf', 'vsprintf', 'strval', 'intval',
  'enum_value', 'strrchr', 'strstr', 'explode', 'parse_url', 'str_replace', 'preg_replace', 'substr', 'basename', 'dirname', 'realpath', 'str_pad', 'var_export',
]);
/** Functions that name a class of the code base. */
const CLASS_FUNCTIONS = new Set(['get_class', 'get_parent_class', 'get_called_class', 'get_debug_type']);
/** Functions whose result is object identity: an entry per object ever seen. */
const IDENTITY_FUNCTIONS = new Set(['spl_object_id', 'spl_object_hash']);

const MAX_DEPTH = 8;
/** Parameter names that say "some data" without saying what. */
const GENERIC_ARGUMENT = /^(value|values|string|str|text|input|content|contents)$/i;

const code = (why: string, isClass = false): Provenance => (isClass ? { origin: 'code', why, isClass } : { origin: 'code', why });
const CLASS_WORDS = new Set(['class', 'classes', 'cls', 'fqcn', 'fqn', 'classname', 'file', 'filename', 'path', 'module', 'plugin', 'theme', 'bundle', 'extension', 'namespace', 'ns']);
const namesClass = (name: string): boolean => CLASS_WORDS.has(identifierWords(name).pop() ?? '');
const data = (why: string): Provenance => ({ origin: 'data', why });
const strongData = (why: string): Provenance => ({ origin: 'data', why, strong: true });
/** The id of a row named `noun`: full evidence when traffic creates such rows, else a catalogue's. */
const rowId = (why: string, noun: string): Provenance => (namesTrafficRow(noun) ? strongData(why) : { origin: 'data', why, strong: true, catalogue: true });
const personId = (why: string): Provenance => ({ origin: 'data', why, person: true });
/** `id`, `uuid`, `getId`, `user_id`, `ownerId`: the id of something. */
const ID_NAME = /^(get)?(id|uuid|login|username)$|(^|_|[a-z])(Id|ID|_id|_uuid|Uuid|Login|_login|Username|_username)$/;

/**
 * The provenance of an array key: `code` when every value it can take is fixed by the code base
 * or its configuration, `data` otherwise (the default when nothing says code: unknown keys are
 * treated as data).
 */
export function keyProvenance(key: PhpNode, facts: Facts): Provenance {
  return provenanceOf(key, facts, 0, new Set());
}

/** All parts must be code for the whole to be code; the first data part says why not. */
function all(parts: readonly PhpNode[], facts: Facts, depth: number, seen: Set<string>, why: string): Provenance {
  if (parts.length === 1) return provenanceOf(parts[0]!, facts, depth + 1, seen);
  let firstData: Provenance | null = null;
  const catalogues: Provenance[] = [];
  for (const [i, p] of parts.entries()) {
    const r = provenanceOf(p, facts, depth + 1, seen);
    if (r.strong && !r.catalogue) return r.params ? withOtherParts(r, parts.slice(i + 1), facts, depth, seen) : r;
    if (r.strong) catalogues.push(r);
    if (r.origin === 'data') firstData ??= r;
  }
  const catalogue = catalogues[0];
  if (!catalogue) return firstData ?? code(why);
  return catalogues.every((c) => c.params) ? { ...catalogue, params: catalogues.flatMap((c) => c.params!) } : withoutParams(catalogue);
}

/** `r` comes from parameters: so does the whole only if every other part with evidence of data does too. */
function withOtherParts(r: Provenance, rest: readonly PhpNode[], facts: Facts, depth: number, seen: Set<string>): Provenance {
  const params = [...r.params!];
  for (const p of rest) {
    const o = provenanceOf(p, facts, depth + 1, seen);
    if (!o.strong) continue;
    if (!o.params) return withoutParams(r);
    params.push(...o.params);
  }
  return { ...r, params };
}

function withoutParams(r: Provenance): Provenance {
  const { params: _, ...rest } = r;
  return rest;
}

/** Strong evidence derived from `from` (a part of it, an element of it): from the same parameters. */
const derivedData = (why: string, from: Provenance): Provenance => ({ ...strongData(why), ...(from.params ? { params: from.params } : {}) });

function provenanceOf(n: PhpNode, facts: Facts, depth: number, seen: Set<string>): Provenance {
  if (depth > MAX_DEPTH) return data('a value computed too far away to follow');
  if (isConstantKey(n)) {
    const cls = (n.kind === 'staticlookup' && n.offset.kind === 'identifier' && n.offset.name.toLowerCase() === 'class') || n.kind === 'call';
    return code(cls ? 'a class name' : 'a literal or constant', cls);
  }
  switch (n.kind) {
    case 'retif':
      // `is_object($x) ? $x::class : $x`: a class name either way.
      if (n.test.kind === 'call' && functionName(n.test) === 'is_object' && n.trueExpr?.kind === 'staticlookup'
        && n.trueExpr.offset.kind === 'identifier' && n.trueExpr.offset.name.toLowerCase() === 'class') return code('a class name', true);
      {
        // `$u->hasId() ? $u->getId() : spl_object_hash($u)`: the identity stands in for the
        // key an object has not got yet, so the keys are those of the other branch.
        const fallback = identityFallback(n.trueExpr ?? n.test, n.falseExpr);
        if (fallback) return provenanceOf(fallback, facts, depth + 1, seen);
      }
      // `$short ? 'short' : 'long'`: the test does not matter, only what can come out.
      return all([n.trueExpr ?? n.test, n.falseExpr], facts, depth, seen, 'a choice between fixed keys');
    case 'bin':
      if (n.type === '.' || n.type === '??' || n.type === '?:') return all([n.left, n.right], facts, depth, seen, 'a key built from fixed parts');
      return data('a computed value');
    case 'encapsed':
      return all(n.value.map((p) => (p.kind === 'encapsedpart' ? p.expression : p)), facts, depth, seen, 'a key built from fixed parts');
    case 'string': case 'number': return code('a literal');
    case 'cast': return n.type === 'string' || n.type === 'int' ? provenanceOf(n.expr, facts, depth + 1, seen) : data('a computed value');
    case 'staticlookup':
      // `$object::class`: the class of some object is a class of the code base.
      if (n.offset.kind === 'identifier' && n.offset.name.toLowerCase() === 'class') return code('a class name', true);
      return data('a static property');
    case 'call': return callProvenance(n, facts, depth, seen);
    case 'propertylookup': case 'nullsafepropertylookup': {
      const prop = n.offset.kind === 'identifier' ? n.offset.name : null;
      if (!prop) return data('a dynamic property');
      // `$post->ID`, `$row->id`, `$user->uuid`: the id of a row.
      const holder = varName(n.what);
      if ((/^(id|uuid)$/i.test(prop) || namesRowId(prop)) && isRowObject(holder)) return rowId(`\`$${holder}->${prop}\`, the id of a row`, namesRowId(prop) ? prop : holder ?? prop);
      if (/^(id|uuid)$/i.test(prop) ? namesPersonId(holder ?? '') : namesPersonId(prop) && ID_NAME.test(prop)) return personId(`\`$${holder ?? 'this'}->${prop}\` (a user's id)`);
      // `$case->name` of an enum case; `$this->component`, `$event->eventName`; `$screen->id`.
      const o = originOfName(prop);
      if (o === 'code' || (prop === 'name' && !thisPropertyName(n))) return code(`\`->${prop}\`, a name the code defines`, namesClass(prop));
      const owner = varName(n.what);
      if (/^(id|name|key|slug|value)$/i.test(prop) && owner && owner !== 'this' && originOfName(owner) === 'code') return code(`\`$${owner}->${prop}\`, a name the code defines`);
      return data(`\`->${prop}\``);
    }
    case 'offsetlookup': {
      // `$parameters['locale']`, `$options['connection']`: an element named like code.
      const k = n.offset === false ? null : n.offset;
      const s = k && k.kind === 'string' ? k.value : null;
      if (s && originOfName(s) === 'code') return code(`the \`${s}\` element`, namesClass(s));
      let base: PhpNode = n.what;
      while (base.kind === 'offsetlookup') base = base.what;
      if (isSuperglobal(base)) return strongData(`request input (\`$${varName(base)}\`)`);
      // `$m[1]` of preg_match($re, $line, $m), `$row['slug']` of a row of data: a part of data.
      if (base.kind === 'variable') {
        const whole = provenanceOf(base, facts, depth + 1, seen);
        if (whole.strong) return derivedData(`part of ${whole.why}`, whole);
      }
      return data('an array element');
    }
    case 'variable': return variableProvenance(n, facts, depth, seen);
    // `$c[$name = $reflector->name]`: what is assigned.
    case 'assign': return n.operator === '=' ? provenanceOf(n.right, facts, depth + 1, seen) : data('a computed value');
    default: return data('a computed value');
  }
}

/** Of two branches, the one keyed by the object when the other is the identity of that same object. */
function identityFallback(a: PhpNode, b: PhpNode): PhpNode | null {
  const identityOf = (n: PhpNode): string | null => {
    if (n.kind !== 'call' || !IDENTITY_FUNCTIONS.has(functionName(n) ?? '')) return null;
    const arg = n.arguments[0];
    return arg?.kind === 'variable' ? varName(arg) : null;
  };
  const keyedBy = (n: PhpNode, v: string): boolean => {
    const on = n.kind === 'call' ? callReceiver(n) : n.kind === 'propertylookup' || n.kind === 'nullsafepropertylookup' ? n.what : null;
    return on?.kind === 'variable' && varName(on) === v;
  };
  const ia = identityOf(a);
  if (ia !== null && keyedBy(b, ia)) return b;
  const ib = identityOf(b);
  return ib !== null && keyedBy(a, ib) ? a : null;
}

function callProvenance(n: Extract<PhpNode, { kind: 'call' }>, facts: Facts, depth: number, seen: Set<string>): Provenance {
  const fn = functionName(n);
  if (fn) {
    if (CLASS_FUNCTIONS.has(fn)) return code('a class name', true);
    if (IDENTITY_FUNCTIONS.has(fn)) {
      // The identity of an object the owner holds (`spl_object_hash($this->conn)`) is as many as the owners.
      const arg = n.arguments[0];
      if (isOwnedObject(arg)) return data('the identity of an object the owner holds');
      // `spl_object_id($field)` of a field of a compiled entity definition, a route, a service:
      // objects built once from the code and its configuration, as many as the code has.
      const def = definitionObject(arg, facts);
      return def ? code(`the identity of ${def}, an object built from the code`) : strongData('object identity (every object ever seen)');
    }
    if (fn === 'getenv' || fn === 'config' || fn === 'env') return code('a configuration value');
    if (fn === 'spl_autoload_functions' || fn === 'get_object_vars') return code('code');
    if (TRANSFORMS.has(fn)) {
      const args = n.arguments.filter((a) => a.kind !== 'variadic');
      return args.length > 0 ? all(args, facts, depth, seen, 'a key built from fixed parts') : data('a computed value');
    }
    return data(`the result of \`${fn}()\``);
  }
  const m = methodName(n);
  // `$this->getCacheKey($class, $context)`: the class's own key function, from its arguments.
  if (m && isOwnCall(n) && /(key|hash|id)$/i.test(m) && n.arguments.length > 0) {
    return all(n.arguments.filter((a) => a.kind !== 'variadic'), facts, depth, seen, 'a key built from fixed parts');
  }
  if (m) {
    const recv0 = callReceiver(n);
    const recv0Name = recv0 ? varName(recv0) : null;
    // `$user->getId()`, `$account->id()`, `$entity->uuid()`: the id of a row.
    const w0 = n.what;
    const asWritten = (w0.kind === 'propertylookup' || w0.kind === 'nullsafepropertylookup' || w0.kind === 'staticlookup') && w0.offset.kind === 'identifier' ? w0.offset.name : m;
    if (/^(get)?(id|uuid)$/i.test(m) && isRowObject(recv0Name)) return rowId(`\`$${recv0Name}->${asWritten}()\`, the id of a row`, recv0Name ?? '');
    if (/^(get)?(id|uuid)$/i.test(m) && recv0Name && namesPersonId(recv0Name)) return personId(`\`$${recv0Name}->${asWritten}()\` (a user's id)`);
    // `$request->get('q')`, `$request->query->get('page')`: what the client sent.
    const root = recv0 && (recv0.kind === 'propertylookup' || recv0.kind === 'nullsafepropertylookup') ? recv0.what : recv0;
    if (root && /^request$/i.test(varName(root) ?? '') && /^(get|input|query|post|cookie|header|all|string|integer|json|route|segment|path|getpathinfo|getrequesturi|geturi|getclientip|ip|url|fullurl)$/i.test(m)) {
      const via = recv0 !== root && recv0 && (recv0.kind === 'propertylookup' || recv0.kind === 'nullsafepropertylookup') && recv0.offset.kind === 'identifier' ? `${recv0.offset.name}->` : '';
      return strongData(`request input (\`$${varName(root)}->${via}${asWritten}()\`)`);
    }
    // `$event->mutatorName()`, `$route->getName()`, `$this->getDefaultDriver()`.
    const w = n.what;
    const written = (w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup' || w.kind === 'staticlookup') && w.offset.kind === 'identifier' ? w.offset.name : m;
    if (originOfName(written) === 'code' || /^get(default)?(driver|connection|name|class)$/i.test(written)) return code(`\`${written}()\`, a name the code defines`);
    // `$entity_type->id()`, `$plugin->getPluginId()`: the id of a thing the code defines.
    const recv = callReceiver(n);
    const recvName = recv ? varName(recv) ?? (recv.kind === 'propertylookup' && recv.offset.kind === 'identifier' ? recv.offset.name : null) : null;
    if (/^(get)?(id|name|key)$/i.test(written) && recvName && recvName !== 'this' && originOfName(recvName) === 'code') return code(`\`$${recvName}->${written}()\`, a name the code defines`);
    return data(`the result of \`${written}()\``);
  }
  return data('the result of a call');
}

/**
 * The accesses of a scope's variable, by name. Keys are traced for every argument of every
 * method call when a file is summarized (engine/facts/call-arguments.ts), so a long method would
 * otherwise be scanned once per variable. Accesses are only ever appended during the walk: an
 * index built from fewer of them is rebuilt.
 */
const varIndex = new WeakMap<Scope, { size: number; byName: Map<string, Access[]> }>();
function varAccesses(scope: Scope, name: string): readonly Access[] {
  let ix = varIndex.get(scope);
  if (!ix || ix.size !== scope.accesses.length) {
    const byName = new Map<string, Access[]>();
    for (const a of scope.accesses) {
      if (a.storage !== 'var') continue;
      const list = byName.get(a.name);
      if (list) list.push(a); else byName.set(a.name, [a]);
    }
    ix = { size: scope.accesses.length, byName };
    varIndex.set(scope, ix);
  }
  return ix.byName.get(name) ?? [];
}

/**
 * Last words of names and types of objects built once from the code or its configuration:
 * definitions, metadata, fields of a schema, routes, services. Their identities are as many as
 * the code defines; entities, requests and messages are not among them.
 */
const DEFINITION_WORDS = new Set([
  'field', 'definition', 'metadata', 'constraint', 'type', 'route', 'schema', 'column', 'table', 'property', 'mapping',
  'descriptor', 'reflection', 'reflector', 'method', 'class', 'closure', 'callable', 'callback', 'listener', 'subscriber',
  'handler', 'extension', 'plugin', 'service', 'command', 'rule', 'validator', 'normalizer', 'serializer', 'transformer',
  'resolver', 'loader', 'provider', 'factory', 'strategy', 'container', 'kernel', 'connection', 'platform', 'driver',
  'adapter', 'pool', 'logger', 'dispatcher', 'manager', 'template', 'config', 'configuration',
]);

/** `$field` or `Field $f` (a parameter or local): "`$field`" when its name or declared type says it is a definition. */
export function definitionObject(arg: PhpNode | undefined, facts: Facts): string | null {
  const name = arg ? varName(arg) : null;
  if (!arg || !name || name === 'this') return null;
  const last = (s: string): string => identifierWords(s.replace(/^.*\\/, '')).pop() ?? '';
  if (DEFINITION_WORDS.has(last(name))) return `\`$${name}\``;
  const param = facts.scopeOf(arg).params.get(name);
  return typeNames(param?.type ?? null).some((t) => DEFINITION_WORDS.has(last(t))) ? `\`$${name}\`` : null;
}

function variableProvenance(n: PhpNode, facts: Facts, depth: number, seen: Set<string>, inScope?: Scope): Provenance {
  const name = varName(n);
  if (!name) return data('a variable variable');
  const scope = inScope ?? facts.scopeOf(n);
  const id = `${name}@${scopeId(scope)}`;
  if (seen.has(id)) return code('a loop of assignments');
  seen.add(id);
  const param = scope.params.get(name);
  const sources: PhpNode[] = [];
  let fromForeach: PhpNode | null = null;
  for (const a of varAccesses(scope, name)) {
    if (a.role === 'assign' && a.via?.kind === 'assign' && a.via.left === a.node) {
      sources.push(a.via.operator === '=' || a.via.operator === '??=' ? a.via.right : a.via);
    } else if (a.via?.kind === 'foreach') {
      fromForeach = a.via;
    } else if (a.role === 'byref-call' && a.via?.kind === 'call' && /^preg_match(_all)?$/.test(functionName(a.via) ?? '') && a.via.arguments[1]) {
      // preg_match($re, $line, $m): the captures are parts of the subject.
      sources.push(a.via.arguments[1]);
    } else if (a.role === 'assign' || a.role === 'assign-ref' || a.role === 'byref-call') {
      // list() targets, `$m = &…`: not followed.
      sources.push(a.node);
    }
  }
  if (fromForeach && fromForeach.kind === 'foreach') {
    const src = fromForeach.source;
    if (src.kind === 'array') return all(src.items.map((i) => (i.kind === 'entry' ? (fromForeach!.kind === 'foreach' && fromForeach.key && varName(fromForeach.key) === name ? i.key ?? i.value : i.value) : i)), facts, depth, seen, 'an element of a fixed list');
    if (isConstantKey(src)) return code('an element of a constant');
    // `foreach ($this->voters as $key => $voter)`: a key of an array the object already holds.
    const isKey = fromForeach.key !== null && varName(fromForeach.key) === name;
    if (isKey && (thisPropertyName(src) !== null || (src.kind === 'call' && isOwnCall(src)))) return code('a key of an array the object holds');
    const o = originOfName(name);
    if (o === 'code') return code(`\`$${name}\`, a name the code defines`);
    // `foreach ($urls as $url)` over data handed to a public API: an element of data.
    const from = provenanceOf(src, facts, depth + 1, seen);
    if (from.strong) return derivedData(`\`$${name}\` in ${from.why}`, from);
    return data(`\`$${name}\`, an element of what the loop reads`);
  }
  const own = sources.filter((s) => s !== n);
  // A local named for a name of the code (`$className = $value::class`) says what it holds,
  // unless what it is given is data by evidence (`$namespace = spl_object_hash($conn)`).
  if (!param && originOfName(name) === 'code') {
    const given = own.length > 0 ? all(own, facts, depth, seen, '') : null;
    if (given && given.origin === 'data' && given.strong) return given;
    return code(`\`$${name}\`, a name the code defines`, namesClass(name));
  }
  if (param) {
    if (namesACodeFile(name, scope)) return code(`\`$${name}\`, the name of one of the code base's PHP files (checked to exist)`);
    const declared = paramProvenance(param, name, scope);
    // A helper's parameter (`private function getId($key)`) is what its callers in the class pass.
    // Reassigned in the function (`if ($ip === null) { $ip = $this->fromRequest(); }`): what the
    // callers pass is not all it holds, so they cannot decide it (engine/facts/call-arguments.ts).
    const reassigned = varAccesses(scope, name).some((a) => WRITE_ROLES.has(a.role));
    const fromCallers = (p: Provenance): Provenance => (reassigned && p.params ? withoutParams(p) : p);
    if (declared.origin === 'data' && !declared.strong) { const c = callersProvenance(param, scope, facts, depth, seen); return c ? fromCallers(c) : declared; }
    if (declared.origin === 'data') return fromCallers(declared);
    // `$name = enum_value($name) ?: $this->getDefaultDriver()` keeps a code-named parameter code.
    return own.length > 0 ? all(own, facts, depth, seen, declared.why) : declared;
  }
  if (own.length > 0) return all(own, facts, depth, seen, 'a key built from fixed parts');
  // A variable an arrow function or a closure's `use` takes from the enclosing function.
  if (scope.parent && (scope.kind === 'arrowfunc' || scope.captures.has(name))) return variableProvenance(n, facts, depth + 1, seen, scope.parent);
  const o = originOfName(name);
  return o === 'code' ? code(`\`$${name}\`, a name the code defines`, namesClass(name)) : data(`\`$${name}\``);
}

/**
 * The provenance of a private or protected method's parameter from the arguments its own class
 * passes at each call (`$this->getId($key)` in the public `hasItem($key)`): strong evidence at
 * any call site is evidence for the parameter, except the id of a row of a table that may be a
 * catalogue (an email template's id handed to a helper with its body). Null without such evidence.
 */
function callersProvenance(param: Extract<PhpNode, { kind: 'parameter' }>, scope: Scope, facts: Facts, depth: number, seen: Set<string>): Provenance | null {
  const m = scope.node;
  if (param.variadic || m.kind !== 'method') return null;
  for (const { arg } of ownCallArguments(scope, param) ?? []) {
    if (!arg || arg.kind === 'variadic') continue;
    const p = provenanceOf(arg, facts, depth + 1, seen);
    // A catalogue's row id passed down (an email template's id) is not enough across a call.
    if (p.strong && !p.catalogue) return { ...p, why: `${p.why} via \`${m.name.name}()\`` };
  }
  return null;
}

function paramProvenance(param: Extract<PhpNode, { kind: 'parameter' }>, name: string, scope: Scope): Provenance {
  const types = typeNames(param.type).map((t) => t.replace(/^\\/, '').toLowerCase());
  if (types.some((t) => t === 'unitenum' || t === 'backedenum')) return code('an enum case');
  if (types.length > 0 && types.every((t) => t === 'bool' || t === 'false' || t === 'true')) return code('a boolean');
  if (types.length === 0 && param.value && typeof literalValue(param.value) === 'boolean') return code('a boolean');
  const o = originOfName(name);
  if (o === 'code') return code(`the parameter \`$${name}\`, a name the code defines`, namesClass(name));
  if (namesPersonId(name) && ID_NAME.test(name)) return personId(`the parameter \`$${name}\` (a user's id)`);
  const evidence = dataParameter(param, name, scope);
  // `split_ns(string $string)`, `format($value)`: a function named for a name of the code says
  // what its generic argument is.
  if (evidence && GENERIC_ARGUMENT.test(name) && scope.name && originOfName(scope.name) === 'code') return data(`the parameter \`$${name}\``);
  if (!evidence) return data(`the parameter \`$${name}\``);
  // `int $emailId`, `int $id`: a row's id; `int $orderId`: a row traffic creates.
  const words = identifierWords(name);
  const p = /^(id|ids|uuid|uuids|guid)$/i.test(words[words.length - 1] ?? '') ? rowId(evidence, name) : strongData(evidence);
  return { ...p, params: [param] };
}

const scopeIds = new WeakMap<Scope, number>();
let nextScopeId = 0;
function scopeId(s: Scope): number {
  let id = scopeIds.get(s);
  if (id === undefined) scopeIds.set(s, (id = nextScopeId++));
  return id;
}
