import type { Method, Parameter, PhpNode } from '../nodes.js';
import { resolveClassName } from './imports.js';
import { docblockOf, thisPropertyName, varName } from './names.js';
import type { Facts } from './index.js';

// "Which class is this receiver?" from what the file itself declares: a parameter's type, a
// property's type (declared, promoted in the constructor, or `@var` in its docblock), or a
// local variable assigned `new X` in the same function. No inference beyond that: a rule that
// needs more asks by name. Valid from `program:exit` (class members declared after their use).

const BUILTIN_TYPES = new Set(['array', 'string', 'int', 'float', 'bool', 'mixed', 'object', 'iterable', 'callable', 'null', 'void', 'never', 'false', 'true', 'self', 'static', 'parent']);

/**
 * Fully qualified class names (no leading `\`) that `expr` is declared as or constructed from:
 * `$p` (a parameter of the enclosing function, or a local assigned `new X`), `$this->p`,
 * `(new X)`. Empty when the file does not say.
 */
export function declaredClassesOf(expr: PhpNode, facts: Facts): string[] {
  if (expr.kind === 'new' && expr.what.kind === 'name') return [resolveClassName(expr.what.name, expr)];
  const v = varName(expr);
  if (v !== null && v !== 'this') return variableClasses(v, expr, facts);
  const p = thisPropertyName(expr);
  if (p !== null) return propertyClasses(p, expr, facts);
  return [];
}

/** Does `expr` denote an instance of a class whose short name (case-insensitive) is in `shortNames`? */
export function isDeclaredAs(expr: PhpNode, facts: Facts, shortNames: ReadonlySet<string>): boolean {
  return declaredClassesOf(expr, facts).some((c) => shortNames.has(c.slice(c.lastIndexOf('\\') + 1).toLowerCase()));
}

function variableClasses(name: string, at: PhpNode, facts: Facts): string[] {
  const scope = facts.scopeOf(at);
  const out = new Set<string>();
  const param = scope.params.get(name);
  if (param) for (const c of paramClasses(param)) out.add(c);
  for (const a of scope.accesses) {
    if (a.storage !== 'var' || a.name !== name || a.role !== 'assign' || !a.via || a.via.kind !== 'assign') continue;
    const right = a.via.right;
    if (right.kind === 'new' && right.what.kind === 'name') out.add(resolveClassName(right.what.name, right));
  }
  return [...out];
}

function paramClasses(param: Parameter): string[] {
  return classTypes(param.type, param);
}

/** Class names in a (union/intersection) type, resolved. `typeNames` drops the leading `\`: read the names as written. */
function classTypes(type: PhpNode | null, at: PhpNode): string[] {
  if (!type) return [];
  if (type.kind === 'uniontype' || type.kind === 'intersectiontype') return type.types.flatMap((t) => classTypes(t, at));
  if (type.kind !== 'name' || typeof type.name !== 'string' || BUILTIN_TYPES.has(type.name.replace(/^\\/, '').toLowerCase())) return [];
  return [resolveClassName(type.name, at)];
}

function propertyClasses(name: string, at: PhpNode, facts: Facts): string[] {
  const cls = facts.classOf(at);
  if (!cls) return [];
  const prop = cls.properties.get(name);
  if (prop) {
    const declared = classTypes(prop.node.type, prop.node);
    if (declared.length > 0) return declared;
    const doc = docblockOf(prop.statement) ?? docblockOf(prop.node);
    const m = doc ? /@var\s+\??([\\\w]+(?:\s*\|\s*[\\\w]+)*)/.exec(doc) : null;
    if (m) return m[1]!.split('|').map((t) => t.trim()).filter((t) => t && !BUILTIN_TYPES.has(t.toLowerCase())).map((t) => resolveClassName(t, prop.node));
    return [];
  }
  // Constructor promotion: `public function __construct(private EntityManagerInterface $em)`.
  const ctor = cls.methods.get('__construct') as Method | undefined;
  const param = ctor?.arguments.find((p) => p.name?.name === name && (p.flags ?? 0) !== 0);
  return param ? paramClasses(param) : [];
}
