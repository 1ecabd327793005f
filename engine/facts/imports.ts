import type { Attribute, Name, PhpNode } from '../nodes.js';

// Class-name resolution as PHP does it at compile time: the enclosing namespace and its `use`
// imports. Read from the top-level statements of the file (never a walk of the tree), once per
// namespace, so rules can ask "is this `new BufferHandler` Monolog's?" from any visitor.

export interface ImportTable {
  /** The namespace name without a leading backslash; '' for the global namespace. */
  namespace: string;
  /** Lower-cased alias (last segment or `as` name) → fully qualified class name, no leading `\`. */
  classes: Map<string, string>;
  /** Lower-cased alias → fully qualified function name (`use function`), no leading `\`. */
  functions: Map<string, string>;
}

const cache = new WeakMap<PhpNode, ImportTable>();
const SPECIAL = new Set(['self', 'static', 'parent']);

/** The namespace-like container of `node`: its `namespace` statement, else the program. */
function containerOf(node: PhpNode): PhpNode {
  let n: PhpNode = node;
  while (n.parent) {
    if (n.kind === 'namespace') return n;
    n = n.parent;
  }
  return n;
}

/** Imports in effect where `node` is (requires parent links: valid from any visitor). */
export function importsAt(node: PhpNode): ImportTable {
  const c = containerOf(node);
  const hit = cache.get(c);
  if (hit) return hit;
  const imports: ImportTable = { namespace: c.kind === 'namespace' ? c.name.replace(/^\\/, '') : '', classes: new Map(), functions: new Map() };
  const children = c.kind === 'namespace' || c.kind === 'program' ? c.children : [];
  for (const st of children) {
    if (st.kind !== 'usegroup') continue;
    const prefix = st.name ? st.name.replace(/^\\/, '') + '\\' : '';
    for (const item of st.items) {
      if (item.kind !== 'useitem') continue;
      const type = item.type ?? st.type;
      if (type !== null && type !== 'class' && type !== 'function') continue;
      const fqn = (prefix + item.name).replace(/^\\/, '');
      const alias = item.alias && item.alias.kind === 'identifier' ? item.alias.name : fqn.replace(/^.*\\/, '');
      (type === 'function' ? imports.functions : imports.classes).set(alias.toLowerCase(), fqn);
    }
  }
  cache.set(c, imports);
  return imports;
}

/**
 * Fully qualified name (no leading `\`) of a class name as written at `at`:
 * `\A\B` → `A\B`; `B` → its import or `<namespace>\B`; `Alias\C` → import of Alias + `\C`.
 * `self`/`static`/`parent` come back as written (lower-cased).
 */
export function resolveClassName(written: string, at: PhpNode): string {
  if (written.startsWith('\\')) return written.slice(1);
  const lower = written.toLowerCase();
  if (SPECIAL.has(lower)) return lower;
  const imp = importsAt(at);
  if (lower.startsWith('namespace\\')) return joinNs(imp.namespace, written.slice('namespace\\'.length));
  const slash = written.indexOf('\\');
  const head = (slash < 0 ? written : written.slice(0, slash)).toLowerCase();
  const imported = imp.classes.get(head);
  if (imported) return slash < 0 ? imported : imported + written.slice(slash);
  return joinNs(imp.namespace, written);
}

function joinNs(ns: string, name: string): string {
  return ns ? `${ns}\\${name}` : name;
}

/** Resolved name of a `name` node (class references in `new`, `extends`, types, static calls). */
export function resolvedName(node: PhpNode | null | undefined): string | null {
  if (!node || node.kind !== 'name') return null;
  return resolveClassName((node as Name).name, node);
}

/** Last segment of a class name (`Monolog\Handler\BufferHandler` → `BufferHandler`). */
export function shortClassName(fqn: string): string {
  return fqn.replace(/^.*\\/, '');
}

/** Does a resolved name denote `fqn` (case-insensitive, as PHP class names are)? */
export function isClass(resolved: string | null, fqn: string): boolean {
  return resolved !== null && resolved.toLowerCase() === fqn.toLowerCase();
}

/** Resolved names of the attributes on a declaration (class, method, function, parameter, property). */
export function attributesOf(node: PhpNode): { name: string; node: Attribute }[] {
  const groups = (node as { attrGroups?: PhpNode[] }).attrGroups;
  if (!groups) return [];
  const out: { name: string; node: Attribute }[] = [];
  for (const g of groups) {
    if (g.kind !== 'attrgroup') continue;
    for (const a of g.attrs) if (a.kind === 'attribute') out.push({ name: resolveClassName(a.name, node), node: a });
  }
  return out;
}

// ---- a stateful variant, fed node by node during the walk (kept for callers written against it) ----

