import { Growable, KEY_INT, KEY_OTHER, T_ARRAY, T_OBJECT, type HeapGraph } from './graph.js';

// Names every node by its shortest path from a root, in the words of the source code:
// `$service->cache->items` (a global), `EventRecorder::$events` (a static property),
// `$events->listeners['terminate'][]{$this}` (what a closure in a listener list binds as $this).
// Run-time keys are collapsed to `[]` (integer keys, and string keys of arrays with many
// entries: a cache keyed by user id), so the same container has the same name in two dumps
// even though every address differs. Paths are interned in a trie: one id per distinct name.

/** String keys of arrays with at most this many entries are kept in names (`['terminate']`). */
export const NAMED_KEYS_MAX_ENTRIES = 32;

const SEG_LIST = 0, SEG_PROP = 1, SEG_KEY = 2, SEG_BOUND = 3;

export interface PathIndex {
  /** BFS parent of each node; -1 for a node reached first as a root, -2 when no root reaches it. */
  parent: Int32Array;
  /** The edge from the parent (index into edgeTo/edgeKey), or -(root index + 1) for a root. */
  via: Int32Array;
  /** Collapsed path id of each node (-1 when unreachable). */
  pathId: Int32Array;
  trie: PathTrie;
}

export class PathTrie {
  readonly parent = new Growable(Int32Array, 1024);
  readonly seg = new Growable(Int32Array, 1024);
  /** Root label of each top-level path id (undefined for deeper ones). */
  readonly rootLabel = new Map<number, RootLabel>();
  private readonly children = new Map<number, number>();
  private readonly rootIds = new Map<string, number>();
  private readonly names = new Map<number, string>();

  constructor(private readonly keyName: (id: number) => string) {}

  root(label: RootLabel): number {
    const k = label.text;
    let id = this.rootIds.get(k);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(-1);
      this.seg.push(-1);
      this.rootIds.set(k, id);
      this.rootLabel.set(id, label);
    }
    return id;
  }

  child(parent: number, seg: number): number {
    const k = parent * 0x100000 + seg;
    let id = this.children.get(k);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(parent);
      this.seg.push(seg);
      this.children.set(k, id);
    }
    return id;
  }

  /** The path's text. */
  name(id: number): string {
    const cached = this.names.get(id);
    if (cached !== undefined) return cached;
    const parts: string[] = [];
    let p = id;
    while (p >= 0 && this.parent.data[p]! >= 0) { parts.push(this.segText(this.seg.data[p]!)); p = this.parent.data[p]!; }
    const text = (p >= 0 ? this.rootLabel.get(p)?.text ?? '?' : '?') + parts.reverse().join('');
    this.names.set(id, text);
    return text;
  }

  /** The root path id above `id`. */
  rootOf(id: number): number {
    let p = id;
    while (this.parent.data[p]! >= 0) p = this.parent.data[p]!;
    return p;
  }

  depth(id: number): number {
    let d = 0;
    for (let p = id; this.parent.data[p]! >= 0; p = this.parent.data[p]!) d++;
    return d;
  }

  segText(seg: number): string {
    if (seg === SEG_LIST) return '[]';
    const kind = seg & 3, name = this.keyName(seg >>> 2);
    if (kind === SEG_PROP) return `->${name}`;
    if (kind === SEG_BOUND) return `{$${name}}`;
    return `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
}

export type RootKind = 'global' | 'static' | 'local';
export interface RootLabel { kind: RootKind; text: string; /** global/local variable, or static property */ name: string; /** static: the class; local: the function frame */ scope?: string }

/** Superglobals and the script's arguments: PHP's own, never the application's growth. */
export const PHP_GLOBALS = new Set(['_GET', '_POST', '_COOKIE', '_FILES', '_SERVER', '_ENV', '_REQUEST', '_SESSION', 'GLOBALS', 'argv', 'argc', 'http_response_header']);

export function rootLabel(symbol: string, frame: string): RootLabel {
  if (frame === '<CLASS_STATIC_MEMBER>') {
    const i = symbol.lastIndexOf('::');
    const cls = i >= 0 ? symbol.slice(0, i) : '';
    const name = i >= 0 ? symbol.slice(i + 2) : symbol;
    return { kind: 'static', text: `${cls}::$${name.replace(/^\$/, '')}`, name: name.replace(/^\$/, ''), scope: cls };
  }
  const name = symbol.replace(/^\$/, '');
  if (frame === '<GLOBAL>' || frame === '') return { kind: 'global', text: `$${name}`, name };
  return { kind: 'local', text: `$${name} in ${frame}()`, name, scope: frame };
}

/** Is the node a Closure object (its children are what it binds: $this and `use` variables)? */
export function isClosure(g: HeapGraph, node: number): boolean {
  return g.type[node] === T_OBJECT && g.strings.get(g.cls[node]!) === 'Closure';
}

/** The collapsed segment for the edge e out of node p. */
export function segmentOf(g: HeapGraph, p: number, e: number, closureClass: number): number {
  const key = g.edgeKey[e]!;
  const t = g.type[p]!;
  if (t === T_OBJECT) {
    if (key < 0) return SEG_LIST;
    return (key << 2) | (g.cls[p] === closureClass ? SEG_BOUND : SEG_PROP);
  }
  if (t === T_ARRAY && key >= 0 && key !== KEY_OTHER && key !== KEY_INT && g.edgeStart[p + 1]! - g.edgeStart[p]! <= NAMED_KEYS_MAX_ENTRIES) return (key << 2) | SEG_KEY;
  return SEG_LIST;
}

export function buildPaths(g: HeapGraph): PathIndex {
  const n = g.nodeCount;
  const parent = new Int32Array(n).fill(-2);
  const via = new Int32Array(n);
  const pathId = new Int32Array(n).fill(-1);
  const trie = new PathTrie((id) => g.strings.get(id));
  const closureClass = g.strings.list.indexOf('Closure');
  const queue = new Int32Array(n);
  let head = 0, tail = 0;
  g.roots.forEach((r, i) => {
    if (parent[r.node] !== -2) return;
    parent[r.node] = -1;
    via[r.node] = -(i + 1);
    pathId[r.node] = trie.root(rootLabel(g.strings.get(r.symbol), g.strings.get(r.frame)));
    queue[tail++] = r.node;
  });
  while (head < tail) {
    const v = queue[head++]!;
    const pv = pathId[v]!;
    for (let e = g.edgeStart[v]!, end = g.edgeStart[v + 1]!; e < end; e++) {
      const w = g.edgeTo[e]!;
      if (parent[w] !== -2) continue;
      parent[w] = v;
      via[w] = e;
      pathId[w] = trie.child(pv, segmentOf(g, v, e, closureClass));
      queue[tail++] = w;
    }
  }
  return { parent, via, pathId, trie };
}

/** The segment kind of a path id's last step. */
export function segKind(trie: PathTrie, id: number): 'root' | 'list' | 'prop' | 'key' | 'bound' {
  if (trie.parent.data[id]! < 0) return 'root';
  const s = trie.seg.data[id]!;
  if (s === SEG_LIST) return 'list';
  return (['list', 'prop', 'key', 'bound'] as const)[s & 3]!;
}

/** The name a segment's key holds (property, key or bound variable). */
export function segName(trie: PathTrie, id: number, keyName: (id: number) => string): string {
  return keyName(trie.seg.data[id]! >>> 2);
}
