import type { Access } from '../engine/facts/access.js';
import { growingWrite } from '../engine/facts/array-growth.js';
import { typeNames, varName, type Facts, type Scope } from '../engine/facts/index.js';
import { originOfName } from '../engine/facts/key-provenance.js';
import type { PhpNode } from '../engine/nodes.js';

// Registration of code is not growth with data: a registry holds as many macros, extensions or
// listeners as the code registers (usually once, at boot). Registration of data (events,
// messages, `$this`) is not exempt.

/** Last words of parameters that hand over code to register: `$macro`, `$extension`, `$listener`. */
export const REGISTRABLE = /(macro|extension|listener|handler|subscriber|provider|resolver|callback|callable|closure|fn|middleware|driver|plugin|hook|formatter|loader|factory|creator|strategy|rule|transformer|normalizer|visitor|pass|command|mixin|filter|guard|observer|decorator|renderer|compiler|engine|directive|component|helper|service|class|concrete|binding|route|type|format|path|dir|directory|namespace)s?$/i;

/**
 * A registration API: the write stores code handed over by its caller (`static::$macros[] =
 * $macro`, `$this->extensions[] = $extension`, `self::$resolvers[] = fn () => …`, `Foo::class`).
 * It grows with the code that registers (usually once, at boot), not with the data the process
 * handles. Registration of data (`self::$events[] = $event`, `self::$record[$key][] = 1`,
 * `self::$instances[] = $this`) is not exempt. (A write whose keys are all fixed by the code is
 * not growth at all: see keysFromCode.)
 */
export function isRegistration(facts: Facts, w: Access): boolean {
  const write = growingWrite(w);
  if (!write) return false;
  const values = write.kind === 'call' ? write.arguments.slice(1) : write.kind === 'assign' || write.kind === 'assignref' ? [write.right] : [];
  if (values.length === 0) return false;
  const scope = facts.scopeOf(w.node);
  return values.every((v) => isCodeValue(v, scope));
}

/**
 * A store named for code it registers (`$macros`, `$extensions`, `$optimizeCommands`) written
 * with what the method was given, as it is (`static::$macros[$parameters[0]] = $parameters[1]`).
 */
export function storesArgument(facts: Facts, w: Access): boolean {
  const write = growingWrite(w);
  if (!write || (write.kind !== 'assign' && write.kind !== 'assignref')) return false;
  let v = write.right;
  while (v.kind === 'offsetlookup') v = v.what;
  const n = varName(v);
  return n !== null && facts.scopeOf(w.node).params.has(n);
}

/** Is `v` code rather than data: a closure, a class name, or a parameter that hands over a callable or a service? */
function isCodeValue(v: PhpNode, scope: Scope): boolean {
  if (v.kind === 'closure' || v.kind === 'arrowfunc') return true;
  if (v.kind === 'staticlookup' && v.offset.kind === 'identifier' && v.offset.name.toLowerCase() === 'class') return true;
  // `[$this, 'method']`, `[Foo::class, 'method']`: a callable.
  if (v.kind === 'array' && v.items.length === 2) {
    const [a, b] = v.items.map((i) => (i.kind === 'entry' ? i.value : i));
    if (b?.kind === 'string' && a && (varName(a) !== null || (a.kind === 'staticlookup' && a.offset.kind === 'identifier'))) return true;
  }
  if (v.kind === 'array') return v.items.length > 0 && v.items.every((i) => isCodeValue(i.kind === 'entry' ? i.value : i, scope));
  if (v.kind === 'retif') return !!v.trueExpr && isCodeValue(v.trueExpr, scope) && isCodeValue(v.falseExpr, scope);
  while (v.kind === 'offsetlookup') v = v.what;
  const n = varName(v);
  if (n === null || n === 'this') return false;
  let param = scope.params.get(n);
  if (!param) {
    // `foreach ((array) $patterns as $p) self::$patterns[] = $p;`: what the parameter handed over.
    const loop = scope.accesses.find((a) => a.storage === 'var' && a.name === n && a.via?.kind === 'foreach')?.via;
    let src: PhpNode | undefined = loop?.kind === 'foreach' ? loop.source : undefined;
    while (src && src.kind === 'cast') src = src.expr;
    const from = src ? varName(src) : null;
    param = from ? scope.params.get(from) : undefined;
    if (!param || !from) return false;
    return REGISTRABLE.test(from) || originOfName(from) === 'code';
  }
  const types = typeNames(param.type).map((t) => t.replace(/^\\/, '').toLowerCase());
  if (types.some((t) => t === 'callable' || t === 'closure')) return true;
  // An object handed over is code when it is named for a role (`$extension`, `$listener`); an
  // `$event` or a `$message` object is data. A string is code when it names code (`$className`).
  const isString = types.every((t) => t === 'string');
  return REGISTRABLE.test(n) || (isString && originOfName(n) === 'code');
}

