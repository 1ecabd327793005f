import type { Call, CommentNode, PhpNode, StaticLookup } from '../nodes.js';

// Small readers of the AST shared by facts and rules: names of callees, properties, literals.

/** Lower-cased name of a plain function call (`foo()`, `\foo()`), else null. */
export function functionName(call: Call): string | null {
  const w = call.what;
  if (w.kind === 'name' && typeof w.name === 'string') return w.name.replace(/^\\/, '').toLowerCase();
  return null;
}

/** Lower-cased method name of `$x->m()`, `$x?->m()`, `X::m()`, else null. */
export function methodName(call: Call): string | null {
  const w = call.what;
  if ((w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup' || w.kind === 'staticlookup') && w.offset.kind === 'identifier' && typeof w.offset.name === 'string') {
    return w.offset.name.toLowerCase();
  }
  return null;
}

/** The object or class a method is called on, else null. */
export function callReceiver(call: Call): PhpNode | null {
  const w = call.what;
  return w.kind === 'propertylookup' || w.kind === 'nullsafepropertylookup' || w.kind === 'staticlookup' ? w.what : null;
}

/** Plain variable name (without `$`), else null (`$$x`, `${expr}`). */
export function varName(node: PhpNode | null | undefined | false): string | null {
  return node && node.kind === 'variable' && typeof node.name === 'string' ? node.name : null;
}

export function isThis(node: PhpNode | null | undefined): boolean {
  return varName(node) === 'this';
}

/** Name of `$this->name` (also `$this?->name`), else null. */
export function thisPropertyName(node: PhpNode | null | undefined): string | null {
  if (!node || (node.kind !== 'propertylookup' && node.kind !== 'nullsafepropertylookup')) return null;
  if (!isThis(node.what)) return null;
  return node.offset.kind === 'identifier' ? node.offset.name : null;
}

/** For `self::$x`, `static::$x`, `Foo::$x`: the class as written and the property name. */
export function staticProperty(node: PhpNode | null | undefined): { cls: string; name: string } | null {
  if (!node || node.kind !== 'staticlookup') return null;
  const sl = node as StaticLookup;
  if (sl.offset.kind !== 'variable' || typeof sl.offset.name !== 'string') return null;
  const w = sl.what;
  let cls: string | null = null;
  if (w.kind === 'selfreference') cls = 'self';
  else if (w.kind === 'staticreference') cls = 'static';
  else if (w.kind === 'parentreference') cls = 'parent';
  else if (w.kind === 'name' && typeof w.name === 'string') cls = w.name.replace(/^\\/, '');
  return cls ? { cls, name: sl.offset.name } : null;
}

/** Name of a class constant reference `self::NAME`/`static::NAME`/`Foo::NAME`. */
export function classConstantName(node: PhpNode | null | undefined): string | null {
  if (!node || node.kind !== 'staticlookup' || node.offset.kind !== 'identifier') return null;
  return node.offset.name;
}

/** The value of a string literal (single/double-quoted without interpolation, nowdoc). */
export function stringValue(node: PhpNode | null | undefined): string | null {
  if (!node) return null;
  if (node.kind === 'string') return node.value;
  if (node.kind === 'nowdoc') return node.value;
  return null;
}

/** A literal scalar as PHP would read it for simple checks: strings, numbers (with sign), bools. */
export function literalValue(node: PhpNode | null | undefined): string | number | boolean | null {
  if (!node) return null;
  switch (node.kind) {
    case 'string': case 'nowdoc': return node.value;
    case 'number': return Number(node.value);
    case 'boolean': return node.value;
    case 'unary':
      if ((node.type === '-' || node.type === '+') && node.what.kind === 'number') {
        return node.type === '-' ? -Number(node.what.value) : Number(node.what.value);
      }
      return null;
    default: return null;
  }
}

/** Arguments of a call with named arguments and spreads unwrapped: positional list + names. */
export function argumentAt(call: { arguments: PhpNode[] }, index: number, name?: string): PhpNode | null {
  const args = call.arguments;
  if (name) {
    for (const a of args) if (a.kind === 'namedargument' && a.name === name) return a.value;
  }
  const a = args[index];
  if (!a || a.kind === 'namedargument' || a.kind === 'variadic') return null;
  return a;
}

/** Name of a type node (`array`, `\Foo\Bar`, `?array`), lower-cased for builtins, or null. */
export function typeName(node: PhpNode | null | undefined): string | null {
  if (!node) return null;
  if (typeof (node as { name?: unknown }).name !== 'string') return null;
  if (node.kind === 'typereference') return node.name.toLowerCase();
  if (node.kind === 'name') return node.name.replace(/^\\/, '');
  return null;
}

/** All type names in a (possibly union/nullable/intersection) type. */
export function typeNames(node: PhpNode | null | undefined): string[] {
  if (!node) return [];
  if (node.kind === 'uniontype' || node.kind === 'intersectiontype') return node.types.flatMap((t) => typeNames(t));
  const n = typeName(node);
  return n ? [n] : [];
}

/**
 * Told of every docblock read, while a file is analysed (engine/lint.ts): what is read of a
 * comment is part of what the analysis depends on (SourceFile `reads`). A hook rather than a
 * parameter because facts and rules read docblocks from nodes alone; analyses never overlap in
 * a thread.
 */
export const docblockReads: { sink: ((c: CommentNode) => void) | null } = { sink: null };

/**
 * The docblock text of a declaration (last leading block comment starting with `/**`). Its
 * readers look at tags only (`@var`, `@param`, `@return`), and match blanks as `\s`: the prose
 * before the first `@` and blanks at the end of a line change nothing they read. A new reader
 * that depends on either must say so to `docblockReads` (engine/incremental-reuse.ts relies on it).
 */
export function docblockOf(node: PhpNode): string | null {
  const cs = node.leadingComments;
  if (!cs || cs.length === 0) return null;
  for (let i = cs.length - 1; i >= 0; i--) {
    const c = cs[i]!;
    if (c.kind === 'commentblock' && c.value.startsWith('/**')) {
      docblockReads.sink?.(c);
      return c.value;
    }
  }
  return null;
}

/** Lower-cased words of an identifier: `castType` → [cast, type], `route_name` → [route, name], `WXR_Parser` → [wxr, parser]. */
export function identifierWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}
