import type {
  Call, ClassLike, FunctionLike, Method, New, Parameter, PhpNode, Program, Property, PropertyStatement,
  Return, StaticVariable, Variable, Yield, YieldFrom,
} from '../nodes.js';
import type { Access } from './access.js';

export type ScopeKind = 'program' | 'function' | 'method' | 'closure' | 'arrowfunc';

/** A function-like body (or the file's top level) with what happens directly in it. */
export interface Scope {
  node: FunctionLike | Program;
  kind: ScopeKind;
  /** Lower-cased function/method name; null for closures and the top level. */
  name: string | null;
  parent: Scope | null;
  cls: ClassFacts | null;
  params: Map<string, Parameter>;
  /** Complete once the scope's node has been exited. */
  isGenerator: boolean;
  yields: (Yield | YieldFrom)[];
  returns: Return[];
  /** Accesses to local variables, properties and static properties, in source order. */
  accesses: Access[];
  calls: Call[];
  news: New[];
  /** `static $x = 1;` gives its staticvariable node; `static $x;` (no default) its bare variable. */
  staticVars: Map<string, StaticVariable | Variable>;
  globals: Set<string>;
  /** For closures: captured variable names, `true` when captured by reference. */
  captures: Map<string, boolean>;
  /** Scopes of closures/arrow functions defined directly in this one. */
  children: Scope[];
}

export interface PropertyInfo { node: Property; statement: PropertyStatement; isStatic: boolean }

/** A class-like declaration with its members and every access to its own properties. */
export interface ClassFacts {
  node: ClassLike;
  /** Declared name; null for anonymous classes. */
  name: string | null;
  properties: Map<string, PropertyInfo>;
  /** Keyed by lower-cased name. */
  methods: Map<string, Method>;
  /** Class constants by name, with their value nodes. */
  constants: Map<string, PhpNode>;
  /** `$this->p…` and `self::$p`/`static::$p`/`OwnName::$p` accesses, in source order. */
  accesses: Access[];
  /** Method scopes, filled as methods are exited. */
  scopes: Scope[];
}

export function newScope(node: FunctionLike | Program, parent: Scope | null, cls: ClassFacts | null): Scope {
  const kind: ScopeKind = node.kind === 'program' ? 'program' : node.kind;
  let name: string | null = null;
  if (node.kind === 'function' || node.kind === 'method') name = declaredName(node.name)?.toLowerCase() ?? null;
  const params = new Map<string, Parameter>();
  if (node.kind !== 'program') {
    for (const p of node.arguments) if (p.name) params.set(p.name.name, p);
  }
  return {
    node, kind, name, parent, cls, params, isGenerator: false, yields: [], returns: [], accesses: [], calls: [],
    news: [], staticVars: new Map(), globals: new Set(), captures: new Map(), children: [],
  };
}

/** A declaration's name: php-parser gives a string or an identifier, and on broken code neither. */
export function declaredName(n: unknown): string | null {
  if (typeof n === 'string') return n || null;
  const inner = (n as { name?: unknown } | null)?.name;
  return typeof inner === 'string' && inner !== '' ? inner : null;
}

export function newClassFacts(node: ClassLike): ClassFacts {
  const name = declaredName(node.name);
  return { node, name, properties: new Map(), methods: new Map(), constants: new Map(), accesses: [], scopes: [] };
}
