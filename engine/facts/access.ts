import type { Call, PhpNode } from '../nodes.js';
import { functionName, staticProperty, thisPropertyName, varName } from './names.js';

/**
 * How an expression uses a storage location (a local variable, `$this->prop` or a static
 * property), seen from the outermost `[...]` chain built on it:
 * - assign: `$a = …` (whole replacement);     - compound: `$a .= …`, `$a++`
 * - keyed: `$a[$k] = …`, `$a[$k] .= …`;        - append: `$a[] = …`, `$a[$k][] = …`
 * - keyed-coalesce: `$a[$k] ??= …`            - unset: `unset($a)`; unset-element: `unset($a[$k])`
 * - byref-call: passed to a by-reference builtin (`sort($a)`, `array_push($a, …)`)
 * - foreach-ref: `foreach ($a as &$v)`;       - assign-ref: `$a = &…`, `$x = &$a[…]`
 * - lookup: `isset($a[$k])`, `$a[$k] ?? …`, `array_key_exists($k, $a)`
 * - keyed-read: `… $a[$k] …` read;            - count: `count($a)`; read: anything else
 */
export type AccessRole =
  | 'assign' | 'compound' | 'keyed' | 'append' | 'keyed-coalesce' | 'unset' | 'unset-element'
  | 'byref-call' | 'foreach-ref' | 'assign-ref' | 'lookup' | 'keyed-read' | 'count' | 'read';

export const WRITE_ROLES: ReadonlySet<AccessRole> = new Set<AccessRole>([
  'assign', 'compound', 'keyed', 'append', 'keyed-coalesce', 'unset', 'unset-element', 'byref-call', 'foreach-ref', 'assign-ref',
]);
/** Roles that can make an array grow. */
export const GROW_ROLES: ReadonlySet<AccessRole> = new Set<AccessRole>(['keyed', 'append', 'keyed-coalesce']);

export type StorageKind = 'var' | 'prop' | 'static-prop';

export interface Access {
  storage: StorageKind;
  /** Variable or property name, without `$`. */
  name: string;
  /** For static properties: the class as written (`self`, `static`, `Foo`). */
  cls?: string;
  role: AccessRole;
  /** Number of `[...]` levels between the location and the outer expression. */
  depth: number;
  /** The variable / property lookup node itself. */
  node: PhpNode;
  /** The outermost `[...]` expression built on it (== node when depth is 0). */
  outer: PhpNode;
  /** For byref-call and count: the call; for assigns: the assign node. */
  via?: PhpNode;
  /** For byref-call: the lower-cased builtin name. */
  callee?: string;
}

/**
 * Builtins that take an array by reference, with the 0-based index of that parameter.
 * Used for writes to parameters (copy-on-write) and evictions (array_shift on a cache).
 */
export const BYREF_BUILTINS: Readonly<Record<string, number>> = {
  sort: 0, rsort: 0, usort: 0, uasort: 0, uksort: 0, ksort: 0, krsort: 0, asort: 0, arsort: 0,
  natsort: 0, natcasesort: 0, shuffle: 0, array_multisort: 0, array_push: 0, array_pop: 0,
  array_shift: 0, array_unshift: 0, array_splice: 0, array_walk: 0, array_walk_recursive: 0,
  settype: 0, preg_match: 2, preg_match_all: 2, parse_str: 1, end: 0, reset: 0, next: 0, prev: 0,
  each: 0, extract: 0,
};

/** Identify the storage location a node denotes, if it is one. */
export function storageOf(node: PhpNode): { storage: StorageKind; name: string; cls?: string } | null {
  const v = varName(node);
  if (v !== null) {
    // `$this` in `$this->x` is not itself accessed as storage.
    if (v === 'this') return null;
    // The `$x` of `Foo::$x` names a static property, not a local variable.
    if (node.parent?.kind === 'staticlookup' && node.parent.offset === node) return null;
    return { storage: 'var', name: v };
  }
  const p = thisPropertyName(node);
  if (p !== null) return { storage: 'prop', name: p };
  const s = staticProperty(node);
  if (s !== null) return { storage: 'static-prop', name: s.name, cls: s.cls };
  return null;
}

/** Classify how `node` (a storage location) is used. Looks only upward: valid on enter. */
export function classifyAccess(node: PhpNode): Access | null {
  const id = storageOf(node);
  if (!id) return null;
  // A variable that is the receiver of a member access is read, not written, even when the
  // member is (`$obj->x[] = 1` writes $obj's property, not $obj).
  let outer: PhpNode = node;
  let depth = 0;
  let appends = false;
  while (outer.parent && outer.parent.kind === 'offsetlookup' && outer.parent.what === outer) {
    outer = outer.parent;
    depth++;
    if (outer.kind === 'offsetlookup' && outer.offset === false) appends = true;
  }
  // Built once per access without spreads: this runs for every variable in every file.
  const parent = outer.parent;
  const mk = (role: AccessRole, extra?: { via?: PhpNode; callee?: string }): Access => {
    const a: Access = { storage: id.storage, name: id.name, role, depth, node, outer };
    if (id.cls !== undefined) a.cls = id.cls;
    if (extra?.via) a.via = extra.via;
    if (extra?.callee) a.callee = extra.callee;
    return a;
  };
  if (!parent) return mk('read');

  switch (parent.kind) {
    case 'assign':
      if (parent.left === outer) {
        if (parent.operator === '=') return mk(depth === 0 ? 'assign' : appends ? 'append' : 'keyed', { via: parent });
        if (parent.operator === '??=') return mk(depth === 0 ? 'compound' : 'keyed-coalesce', { via: parent });
        return mk(depth === 0 ? 'compound' : 'keyed', { via: parent });
      }
      break;
    case 'assignref':
      if (parent.left === outer) return mk(depth === 0 ? 'assign-ref' : appends ? 'append' : 'keyed', { via: parent });
      return mk('assign-ref', { via: parent });
    case 'pre': case 'post':
      return mk(depth === 0 ? 'compound' : 'keyed', { via: parent });
    case 'unset':
      return mk(depth === 0 ? 'unset' : 'unset-element', { via: parent });
    case 'isset':
      return mk(depth > 0 ? 'lookup' : 'read', { via: parent });
    case 'bin':
      if (parent.type === '??' && parent.left === outer && depth > 0) return mk('lookup', { via: parent });
      break;
    case 'byref':
      if (parent.parent?.kind === 'foreach' && parent.parent.value === parent) break;
      return mk('assign-ref', { via: parent });
    case 'foreach':
      if (parent.source === outer && isByRefTarget(parent.value)) return mk('foreach-ref', { via: parent });
      if (parent.value === outer || parent.key === outer) return mk(depth === 0 ? 'assign' : appends ? 'append' : 'keyed', { via: parent });
      break;
    case 'entry': {
      // Destructuring: `[$a, $b[]] = …` / `list(...) = …` writes its targets.
      const container = parent.parent;
      if (container && (container.kind === 'list' || container.kind === 'array') && isAssignTarget(container)) {
        return mk(depth === 0 ? 'assign' : appends ? 'append' : 'keyed', { via: container });
      }
      if (parent.byRef && parent.value === outer) return mk('assign-ref', { via: parent });
      break;
    }
    case 'call': {
      const call = parent as Call;
      const fn = functionName(call);
      const idx = call.arguments.indexOf(outer);
      if (fn !== null && idx >= 0) {
        if (depth === 0 && BYREF_BUILTINS[fn] === idx) return mk('byref-call', { via: call, callee: fn });
        if (depth === 0 && (fn === 'count' || fn === 'sizeof') && idx === 0) return mk('count', { via: call, callee: fn });
        if (depth === 0 && (fn === 'array_key_exists' || fn === 'key_exists') && idx === 1) return mk('lookup', { via: call, callee: fn });
      }
      break;
    }
    default:
      break;
  }
  if (depth > 0) {
    const last = outer as { offset?: unknown };
    if (last.offset !== false) return mk('keyed-read');
  }
  return mk('read');
}

function isByRefTarget(n: PhpNode | null): boolean {
  return !!n && ((n.kind === 'variable' && n.byref === true) || n.kind === 'byref');
}

function isAssignTarget(container: PhpNode): boolean {
  let c: PhpNode = container;
  // nested destructuring: [[$a, $b], $c] = …
  while (c.parent && c.parent.kind === 'entry' && c.parent.parent && (c.parent.parent.kind === 'array' || c.parent.parent.kind === 'list')) {
    c = c.parent.parent;
  }
  const p = c.parent;
  if (!p) return false;
  if (p.kind === 'assign' && p.left === c) return true;
  if (p.kind === 'foreach' && p.value === c) return true;
  return false;
}

/** A class's `$this->…` accesses grouped by property name (what per-property rules walk). */
export function accessesByProperty(accesses: readonly Access[]): Map<string, Access[]> {
  const byProp = new Map<string, Access[]>();
  for (const a of accesses) {
    if (a.storage !== 'prop') continue;
    const list = byProp.get(a.name);
    if (list) list.push(a); else byProp.set(a.name, [a]);
  }
  return byProp;
}
