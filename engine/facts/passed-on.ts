import type { Foreach, Parameter, PhpNode } from '../nodes.js';
import { isFunctionLike } from '../nodes.js';
import type { CallerArgument } from '../types.js';
import { WRITE_ROLES } from './access.js';
import { importsAt } from './imports.js';
import { varName } from './names.js';
import type { Scope } from './scopes.js';

// A call site that hands on its own method's parameter unchanged is as open as that method's
// callers: swiftmailer's `StreamBuffer::setWriteTranslations(array $replacements)` passes each
// key of `$replacements` to `createFilter($search, …)`, and every caller of it passes a literal
// map of line endings. The site records which parameter it hands on; the project index follows
// that method's callers (engine/project-callers.ts).

/** Where a method's parameter is reached by its callers, and whether they all live in its class. */
export interface ParameterCallers {
  arg: CallerArgument;
  /** Private or protected: every caller is code of its class (or a subclass), so a caller in its own file is a caller seen. */
  local: boolean;
}

/**
 * The calls and the position that reach `param` of a named class's method; null when callers
 * cannot be joined: a function (its calls are not indexed), a trait's or an anonymous class's
 * method, a variadic parameter or one past `maxPosition`.
 */
export function parameterCallers(param: Parameter, maxPosition: number): ParameterCallers | null {
  const m = param.parent;
  if (!m || m.kind !== 'method' || param.variadic) return null;
  const index = m.arguments.indexOf(param);
  const cls = m.parent;
  if (index < 0 || index > maxPosition || !cls || cls.kind !== 'class' || !cls.name || cls.isAnonymous) return null;
  const own = m.name.name.toLowerCase();
  const ns = importsAt(cls).namespace;
  const fqn = `${ns ? `${ns}\\` : ''}${cls.name.name}`.toLowerCase();
  const calls = m.isStatic ? [`${fqn}::${own}`] : [`${fqn}::${own}`, `->${own}`];
  return { arg: { calls, index, ...(param.value ? {} : { required: true as const }) }, local: m.visibility === 'private' || m.visibility === 'protected' };
}

/**
 * The parameter of the enclosing method that the argument `arg` is, unchanged: the parameter
 * itself, or a key or value of `foreach ($param as $k => $v)` around it. Only when neither is
 * written elsewhere in the method (what the callers pass is then all it holds).
 */
export function passedOnParameter(arg: PhpNode, scope: Scope, maxPosition: number): ParameterCallers | null {
  const name = arg.kind === 'variable' ? varName(arg) : null;
  if (!name || name === 'this' || scope.kind !== 'method') return null;
  const own = scope.params.get(name);
  if (own) return unwritten(scope, name) ? parameterCallers(own, maxPosition) : null;
  const loop = loopOver(arg, name);
  if (!loop || loop.source.kind !== 'variable') return null;
  const source = varName(loop.source);
  const param = source ? scope.params.get(source) : undefined;
  if (!param || !unwritten(scope, source!) || !loop.body?.loc) return null;
  // Written again inside the loop: no longer the element the loop handed over.
  const body = loop.body.loc;
  const rewritten = scope.accesses.some((a) => a.storage === 'var' && a.name === name && WRITE_ROLES.has(a.role) && a.via !== loop
    && a.node.loc !== null && a.node.loc.start.offset >= body.start.offset && a.node.loc.end.offset <= body.end.offset);
  return rewritten ? null : parameterCallers(param, maxPosition);
}

/** Variables written in a scope, found once per scope: a long method passes many variables. */
const writtenIn = new WeakMap<Scope, Set<string>>();

function unwritten(scope: Scope, name: string): boolean {
  let written = writtenIn.get(scope);
  if (!written) {
    written = new Set(scope.accesses.filter((a) => a.storage === 'var' && WRITE_ROLES.has(a.role)).map((a) => a.name));
    writtenIn.set(scope, written);
  }
  return !written.has(name);
}

/** The innermost `foreach` of the method around `n` whose key or value is the variable `name`. */
function loopOver(n: PhpNode, name: string): Foreach | null {
  for (let p = n.parent; p && !isFunctionLike(p); p = p.parent) {
    if (p.kind !== 'foreach') continue;
    if ((p.key?.kind === 'variable' && varName(p.key) === name) || (p.value.kind === 'variable' && varName(p.value) === name)) return p;
  }
  return null;
}
