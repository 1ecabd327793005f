import type { PhpNode, Program } from '../nodes.js';
import { functionName, literalValue, stringValue } from './names.js';
import type { Facts } from './index.js';

// Resolving an expression to a literal when the file says what it is: a literal, a global
// constant (`const X = …` / `define('X', …)`), a class constant of a class in this file, or a
// local variable written exactly once in its function. Anything else is unknown (null):
// rules that must stay exact report only what resolves.

export type Scalar = string | number | boolean;

/** Global constants declared in the file, by name (case-sensitive, namespace stripped). */
export function globalConstants(program: Program, facts: Facts): Map<string, PhpNode> {
  const out = new Map<string, PhpNode>();
  const visit = (nodes: readonly PhpNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'namespace' || n.kind === 'declare') { visit(n.children); continue; }
      if (n.kind !== 'constantstatement') continue;
      for (const c of n.constants) {
        if (c.kind !== 'constant') continue;
        const name = typeof c.name === 'string' ? c.name : (c.name as { name?: string }).name;
        if (name) out.set(name, c.value as PhpNode);
      }
    }
  };
  visit(program.children);
  for (const call of facts.functionCalls.get('define') ?? []) {
    const name = stringValue(call.arguments[0]);
    const value = call.arguments[1];
    if (name && value) out.set(name.replace(/^\\/, ''), value);
  }
  return out;
}

/**
 * The scalar value of `node` if the file determines it, else null. Decide at `program:exit`
 * (variable writes and constants must all have been seen).
 */
export function resolveScalar(node: PhpNode | null | undefined, facts: Facts, constants: ReadonlyMap<string, PhpNode>, depth = 4): Scalar | null {
  if (!node || depth < 0) return null;
  const lit = literalValue(node);
  if (lit !== null) return lit;
  switch (node.kind) {
    case 'cast':
      if (node.type === 'string') { const v = resolveScalar(node.expr, facts, constants, depth - 1); return v === null ? null : String(v); }
      if (node.type === 'int') { const v = resolveScalar(node.expr, facts, constants, depth - 1); return typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && /^\s*[+-]?\d+/.test(v) ? parseInt(v, 10) : null; }
      return null;
    case 'name': {
      const name = node.name.replace(/^\\/, '');
      const short = name.replace(/^.*\\/, '');
      return resolveScalar(constants.get(name) ?? constants.get(short), facts, constants, depth - 1);
    }
    case 'staticlookup': {
      if (node.offset.kind !== 'identifier') return null;
      const w = node.what;
      const here = facts.classOf(node);
      let cls = null;
      if (w.kind === 'selfreference' || w.kind === 'staticreference') cls = here;
      else if (w.kind === 'name') {
        const short = w.name.replace(/^.*\\/, '');
        cls = facts.classes.find((c) => c.name === short) ?? null;
      }
      return cls ? resolveScalar(cls.constants.get(node.offset.name), facts, constants, depth - 1) : null;
    }
    case 'variable': {
      if (typeof node.name !== 'string') return null;
      const scope = facts.scopeOf(node);
      if (scope.params.has(node.name) || scope.globals.has(node.name) || scope.staticVars.has(node.name) || scope.captures.has(node.name)) return null;
      const writes = scope.accesses.filter((a) => a.storage === 'var' && a.name === node.name && a.role !== 'read' && a.role !== 'lookup' && a.role !== 'keyed-read' && a.role !== 'count');
      if (writes.length !== 1) return null;
      const w = writes[0]!;
      if (w.role !== 'assign' || w.via?.kind !== 'assign' || w.via.operator !== '=') return null;
      // The one write must come before the use.
      if ((w.node.loc?.start.offset ?? Infinity) > (node.loc?.start.offset ?? -1)) return null;
      return resolveScalar(w.via.right, facts, constants, depth - 1);
    }
    case 'call':
      // `define('X', …)` is a declaration, never a value we resolve through.
      return functionName(node) === 'constant' ? resolveScalar(constants.get(stringValue(node.arguments[0]) ?? ''), facts, constants, depth - 1) : null;
    default:
      return null;
  }
}
