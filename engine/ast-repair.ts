import type { NodeKind } from './nodes.js';
import { VISITOR_KEYS } from './visitor-keys.js';

// php-parser's error recovery builds nodes with holes: an `expressionstatement` without its
// expression, a `bin` without its right operand, `undefined` inside argument lists (measured on
// 4,000 fuzzed fixtures: 40 kinds of hole, the commonest in 5,841 statements). Rules are typed
// against nodes.ts, where a child is either required (`N`) or nullable (`Maybe<N>`). This makes
// the AST true to those types as each node is built, so no rule has to defend against holes
// and no second pass over the tree is needed:
// - a missing required child becomes a zero-width `noop` at the end of its parent;
// - a missing nullable child becomes `null`; holes in child lists are dropped;
// - a name that is not a string becomes '' (a namespace's name node becomes its name).

/** Children that may be null (mirrors `Maybe<…>` in nodes.ts). */
const NULLABLE: Partial<Record<NodeKind, readonly string[]>> = {
  variable: [], retif: ['trueExpr'], clone: ['properties'], entry: ['key'], exit: ['expression'], yield: ['key', 'value'],
  matcharm: ['conds'], parameter: ['name', 'type', 'value'], function: ['type', 'body'], method: ['type', 'body'],
  closure: ['type', 'body'], arrowfunc: ['type'], class: ['name', 'extends', 'implements'], enum: ['valueType'],
  enumcase: ['value'], property: ['value', 'type'], propertyhook: ['parameter', 'body'], classconstant: ['type'],
  traituse: ['adaptations'], traitalias: ['trait', 'as'], traitprecedence: ['trait'], if: ['body', 'alternate'],
  while: ['body'], do: ['body'], for: ['body'], foreach: ['key', 'body'], case: ['test', 'body'], break: ['level'],
  continue: ['level'], return: ['expr'], try: ['always'], catch: ['variable'], staticvariable: ['defaultValue'],
  useitem: ['alias'], constant: ['value'], declaredirective: ['value'], literal: ['value'],
};

const NAMED_KINDS = new Set(['identifier', 'name', 'typereference']);

type Point = { line: number; column: number; offset: number };
interface RawNode { kind: string; loc?: { start?: Point; end: Point } | null; [k: string]: unknown }

function isNode(v: unknown): v is RawNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** What to do with each child key of a kind, worked out once per kind instead of per node. */
interface KeyPlan { key: string; nullable: boolean; ifMissing: 'null' | 'false' | 'empty' | 'placeholder' }
const PLANS = new Map<string, readonly KeyPlan[] | null>();

function planOf(kind: NodeKind): readonly KeyPlan[] | null {
  let plan = PLANS.get(kind);
  if (plan !== undefined) return plan;
  const keys = VISITOR_KEYS[kind];
  const nullable = NULLABLE[kind] ?? [];
  plan = keys ? keys.map((key): KeyPlan => {
    const isNullable = nullable.includes(key);
    const ifMissing = isNullable ? 'null'
      : kind === 'offsetlookup' && key === 'offset' ? 'false' // `$a[` reads as an append
      : kind === 'variable' && key === 'name' ? 'empty'
      : 'placeholder';
    return { key, nullable: isNullable, ifMissing };
  }) : null;
  PLANS.set(kind, plan);
  return plan;
}

export function repairNode(node: RawNode): void {
  const kind = node.kind as NodeKind;
  const plan = planOf(kind);
  if (!plan) return;
  // Runs for every node php-parser builds: plain loops, no closures.
  for (let k = 0; k < plan.length; k++) {
    const p = plan[k]!;
    const v = node[p.key];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!isNode(v[i])) { node[p.key] = v.filter(isNode); break; }
      }
      continue;
    }
    if (v === undefined || (v === null && !p.nullable)) {
      node[p.key] = p.ifMissing === 'null' ? null : p.ifMissing === 'false' ? false : p.ifMissing === 'empty' ? '' : placeholder(node);
    }
  }
  if (NAMED_KINDS.has(kind) && typeof node.name !== 'string') node.name = '';
  // In graceful mode php-parser gives a namespace its name node instead of the name.
  if (kind === 'namespace' && typeof node.name !== 'string') {
    const inner = (node.name as { name?: unknown } | null)?.name;
    node.name = typeof inner === 'string' ? inner : '';
  }
}

function placeholder(parent: RawNode): RawNode {
  const end = parent.loc?.end;
  return { kind: 'noop', loc: end ? { start: { ...end }, end: { ...end } } : null };
}

/**
 * Wraps every node constructor of a php-parser AST factory so each node is repaired as it is
 * built. The wrapper keeps the original prototype (php-parser creates nodes with
 * `Object.create(ctor.prototype)` and then applies the constructor) and inherits its statics.
 */
export function repairOnBuild(ast: Record<string, unknown>): void {
  for (const kind of Object.keys(VISITOR_KEYS)) {
    const ctor = ast[kind];
    if (typeof ctor !== 'function') continue;
    // `arguments`, not a rest array: this runs for every node php-parser builds.
    const wrapped = function (this: RawNode): void {
      // eslint-disable-next-line prefer-rest-params
      (ctor as (...a: unknown[]) => void).apply(this, arguments as unknown as unknown[]);
      repairNode(this);
    };
    wrapped.prototype = (ctor as { prototype: unknown }).prototype;
    // The parser also reads statics off the constructors (`ast.typereference.types`).
    Object.setPrototypeOf(wrapped, ctor as object);
    ast[kind] = wrapped;
  }
}
