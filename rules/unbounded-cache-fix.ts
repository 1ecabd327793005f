import type { Access } from '../engine/facts/access.js';
import { growingWrite, isConstantKey, isEmptyArray, keyChain } from '../engine/facts/array-growth.js';
import { bodyInsertPoint, bracesOnOwnLine, classBodyOpen, memberIndent, statementEnd } from '../engine/facts/class-layout.js';
import { closestAncestor, enclosingStatement, functionName, typeNames, varName, type ClassFacts, type Facts } from '../engine/facts/index.js';
import { phpAtLeast } from '../engine/config.js';
import type { Fixer } from '../engine/fixes.js';
import type { ClassLike, PhpNode } from '../engine/nodes.js';
import type { SourceFile } from '../engine/source.js';
import { evictionVerdict } from './unbounded-cache-pure.js';
import type { Fix, TextEdit } from '../engine/types.js';

// The fixes of unbounded-cache (kept apart from its detection): bound the array by evicting the
// oldest entry, or key an object-keyed instance cache by a \WeakMap.

/** One array that outlives the call that fills it. */
export interface CacheStore {
  kind: 'static-prop' | 'prop' | 'static-local';
  name: string;
  accesses: Access[];
  decl: PhpNode;
  cls: ClassFacts | null;
}

const SCALAR_TYPES = new Set(['int', 'float', 'string', 'bool', 'array', 'iterable', 'callable', 'mixed', 'null', 'false', 'true', 'void', 'never']);

/** The fixes offered for the growing write `w` (whose growing expression is `at`) into `s`. */
export function cacheFixes(f: Fixer, facts: Facts, s: CacheStore, w: Access, at: PhpNode, max: number, phpVersion: string | null = null): Fix[] {
  const fixes: Fix[] = [];
  const weak = s.kind === 'prop' ? weakMapFix(f, facts, s) : null;
  if (weak) fixes.push(weak);
  const bound = boundFix(f, s, w, at, max, phpVersion);
  if (bound) fixes.push(bound);
  return fixes;
}

function constantName(name: string): string {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `MAX_${snake.toUpperCase()}_ENTRIES`;
}

/** Insert `if (count($c) >= LIMIT) { unset($c[array_key_first($c)]); }` before the growing write. */
function boundFix(f: Fixer, s: CacheStore, w: Access, at: PhpNode, max: number, phpVersion: string | null): Fix | null {
  const file = f.file;
  const verdict = evictionVerdict(file, s);
  if (verdict === 'no-fix') return null;
  const stmt = enclosingStatement(at);
  const okStmt = stmt.kind === 'expressionstatement' || stmt.kind === 'return' || stmt.kind === 'echo';
  const p = stmt.parent;
  if (!okStmt || !p || !(p.kind === 'block' || p.kind === 'program' || p.kind === 'namespace' || p.kind === 'case' || p.kind === 'declare')) return null;
  const ref = file.textOf(w.node);
  const edits: TextEdit[] = [];
  let limit = String(max);
  // In a class the limit gets a name; a plain function's static has nowhere to put one, nor
  // has a trait unless the project is on PHP 8.2+ (a constant in a trait is a fatal error
  // before): both keep the number.
  const inClass = s.cls && (s.cls.node.kind !== 'trait' || phpAtLeast(phpVersion, '8.2')) && (s.kind !== 'static-local' || closestAncestor(at, (n) => n.kind === 'method', true));
  if (s.cls && inClass) {
    const name = uniqueConstantName(file.text, constantName(s.name));
    limit = `self::${name}`;
    const at2 = constantInsertPoint(file, s.cls.node);
    if (at2 === null) return null;
    edits.push(f.insertAt(at2, `${f.eol}${memberIndent(file, s.cls.node, f.indentUnit)}private const ${name} = ${max};${f.eol}`));
  }
  const indent = f.indentAt(stmt);
  const eol = f.eol;
  // A property with no initial value is null until the first write: count(null) throws.
  const counted = mayBeNull(s) ? `${ref} ?? []` : ref;
  edits.push(f.insertAt(file.spanOf(stmt).start,
    `if (count(${counted}) >= ${limit}) {${eol}${indent}${f.indentUnit}unset(${ref}[array_key_first(${ref})]);${eol}${indent}}${eol}${indent}`));
  const title = `Evict the oldest entry when ${ref} reaches ${limit === String(max) ? max : limit} entries`;
  return verdict === 'safe' ? f.fix(title, edits, 'safe') : f.fix(`${title} (not a pure cache: ${verdict.unsafe})`, edits, 'unsafe');
}

/**
 * A name no constant, class or anything else in the file uses: a parent class or interface in
 * the file with the same constant would make `private const` a fatal error.
 */
function uniqueConstantName(text: string, base: string): string {
  const used = (n: string): boolean => new RegExp(`\\b${n}\\b`).test(text);
  if (!used(base)) return base;
  for (let i = 2; ; i++) if (!used(`${base}_${i}`)) return `${base}_${i}`;
}

/** After the body's `{`, or after the last `use Trait;` (PSR-12: traits, then constants). */
function constantInsertPoint(file: SourceFile, cls: ClassLike): number | null {
  const uses = cls.body.filter((m) => m.kind === 'traituse');
  const last = uses[uses.length - 1];
  if (!last) return classBodyOpen(file, cls);
  return statementEnd(file, last);
}

/** Can the store be null (or unset) when the fix counts it? */
function mayBeNull(s: CacheStore): boolean {
  const d = s.decl;
  if (d.kind === 'property' && !d.value) return true;
  if ((d.kind === 'staticvariable' && !d.defaultValue) || d.kind === 'variable') return true;
  return s.accesses.some((a) => a.depth === 0 && (a.role === 'unset'
    || (a.role === 'assign' && a.via?.kind === 'assign' && a.via.right.kind !== 'array')));
}

/** The object an array key stands for: `spl_object_id($o)`, `(string) $o`, `$o` for an object-typed parameter. */
function objectOfKey(facts: Facts, key: PhpNode): PhpNode | null {
  if (key.kind === 'call') {
    const fn = functionName(key);
    return (fn === 'spl_object_id' || fn === 'spl_object_hash') && key.arguments.length === 1 && key.arguments[0]!.kind !== 'variadic' ? key.arguments[0]! : null;
  }
  const inner = key.kind === 'cast' && key.type === 'string' ? key.expr : key;
  const v = varName(inner);
  if (v === null) return null;
  const param = facts.scopeOf(inner).params.get(v);
  if (!param || param.nullable || param.variadic) return null;
  const names = typeNames(param.type).map((t) => t.toLowerCase());
  return names.length > 0 && names.every((t) => !SCALAR_TYPES.has(t)) ? inner : null;
}

/** Switch an object-keyed instance cache to a \WeakMap: entries go when their key object does. */
function weakMapFix(f: Fixer, facts: Facts, s: CacheStore): Fix | null {
  const file = f.file;
  const cls = s.cls;
  const decl = s.decl;
  if (!cls || decl.kind !== 'property' || decl.readonly || decl.nullable) return null;
  const stmt = decl.parent;
  if (!stmt || stmt.kind !== 'propertystatement' || stmt.properties.length !== 1 || stmt.visibility === 'public') return null;
  if (decl.value && !isEmptyArray(decl.value)) return null;
  const edits: TextEdit[] = [];
  let keyed = false;
  for (const a of s.accesses) {
    if (a.depth === 0) {
      if (a.role === 'count') continue;
      if (a.role === 'assign' && a.via?.kind === 'assign' && isEmptyArray(a.via.right)) { edits.push(f.replace(a.via.right, 'new \\WeakMap()')); continue; }
      return null;
    }
    if (!['keyed', 'keyed-coalesce', 'lookup', 'keyed-read', 'unset-element'].includes(a.role)) return null;
    const key = keyChain(a)[0];
    if (!key) return null;
    const obj = objectOfKey(facts, key);
    if (!obj) return null;
    keyed = true;
    if (obj !== key) edits.push(f.replace(key, file.textOf(obj)));
  }
  if (!keyed) return null;
  if (decl.type) edits.push(f.replace(decl.type, '\\WeakMap'));
  else edits.push(f.insertBefore(decl.name, '\\WeakMap '));
  if (decl.value) edits.push({ start: file.spanOf(decl.name).end, end: file.spanOf(decl.value).end, text: '' });
  const init = `$this->${s.name} = new \\WeakMap();`;
  const ctor = cls.methods.get('__construct');
  if (ctor) {
    const at = bodyInsertPoint(file, ctor, f.indentUnit);
    if (!at) return null;
    edits.push(f.insertAt(at.offset, `${f.eol}${at.indent}${init}`));
  } else {
    // A new constructor would stop the parent's from running.
    if (cls.node.kind !== 'class' || cls.node.extends) return null;
    const semi = file.text.indexOf(';', file.spanOf(stmt).end);
    if (semi < 0) return null;
    const mi = memberIndent(file, cls.node, f.indentUnit);
    const eol = f.eol;
    const open = bracesOnOwnLine(file, [...cls.methods.values()]) ? `${eol}${mi}{` : ' {';
    edits.push(f.insertAt(semi + 1, `${eol}${eol}${mi}public function __construct()${open}${eol}${mi}${f.indentUnit}${init}${eol}${mi}}`));
  }
  return f.fix(`Key $this->${s.name} by object with a \\WeakMap (an entry goes when its key object is freed)`, edits, 'unsafe');
}
