import type { NodeKind, PhpNode } from './nodes.js';
import { VISITOR_KEYS } from './visitor-keys.js';

export type Handler = (node: PhpNode) => void;

/** Handlers per kind, on enter and on exit. Built once per file from every rule's visitors. */
export interface Dispatch {
  enter: Map<NodeKind, Handler[]>;
  exit: Map<NodeKind, Handler[]>;
  /** Called for every node (the engine's fact collectors use it). */
  anyEnter?: Handler;
  anyExit?: Handler;
}

function isNode(v: unknown): v is PhpNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/**
 * The one walk of a file. Iterative with an explicit stack: real code nests thousands of
 * levels deep (a Drupal fixture has 1,692 chained calls) and recursion would overflow.
 * Sets `parent` on every node before its enter handlers run, so handlers may look upward.
 */
export function walk(root: PhpNode, dispatch: Dispatch): void {
  // Each entry is a node to enter, or (exit marker) a node to leave.
  const nodes: PhpNode[] = [root];
  const exiting: boolean[] = [false];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const isExit = exiting.pop()!;
    const kind = node.kind;
    if (isExit) {
      dispatch.anyExit?.(node);
      const hs = dispatch.exit.get(kind);
      if (hs) for (const h of hs) h(node);
      continue;
    }
    dispatch.anyEnter?.(node);
    const hs = dispatch.enter.get(kind);
    if (hs) for (const h of hs) h(node);
    nodes.push(node);
    exiting.push(true);
    const keys = VISITOR_KEYS[kind];
    if (!keys) continue; // an unknown kind from a newer php-parser: visit, do not descend
    // Push children in reverse so they pop in source order.
    for (let k = keys.length - 1; k >= 0; k--) {
      const value = (node as unknown as Record<string, unknown>)[keys[k]!];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          const child = value[i];
          if (isNode(child)) { child.parent = node; nodes.push(child); exiting.push(false); }
        }
      } else if (isNode(value)) {
        value.parent = node;
        nodes.push(value);
        exiting.push(false);
      }
    }
  }
}

/** Children of a node in source order, per VISITOR_KEYS (for facts that look one level down). */
export function childrenOf(node: PhpNode): PhpNode[] {
  const out: PhpNode[] = [];
  for (const key of VISITOR_KEYS[node.kind] ?? []) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) { for (const c of value) if (isNode(c)) out.push(c); }
    else if (isNode(value)) out.push(value);
  }
  return out;
}
