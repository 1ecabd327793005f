// Random edits for the incremental-equals-full property test (test/engine/incremental.test.ts):
// seeded, so a failure replays from the seed it prints.

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Edit { at: number; remove: number; insert: string; kind: string; removed?: string }

// Tokens a user types: most keep the file valid inside a method body (statements, names,
// comments), some break it (`{`, a quote, `/*`, `?>`), some cross members (`}` then a method).
const STATEMENTS = ['$this->cache[$key] = $value;', 'return;', 'foreach ($rows as $row) { $this->seen[] = $row; }', '$x = new \\SplObjectStorage();', 'unset($this->items[$id]);', 'while (true) { $job = $queue->pop(); }', 'static $memo = [];', '$this->handlers[] = function () use ($x) { return $x; };'];
const TOKENS = ['$x', ';', '{', '}', '(', ')', "'", '"', '/*', '*/', '// note', '#', '?>', '<?php', '->', '::', '[', ']', 'function', 'public function extra() { return 1; }', 'private array $added = [];', '} public function split() {', 'const C = 1;', '#[Attr]', '/** @var array<int> */', 'static', 'fn() => 1', '<<<EOT\nx\nEOT;\n'];

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** One random edit of `text`: characters, tokens, statements or whole lines inserted or deleted. */
export function randomEdit(r: Rng, text: string): Edit {
  const at = Math.floor(r() * (text.length + 1));
  const x = r();
  if (x < 0.1) return { at, remove: 0, insert: pick(r, [' ', '\n', 'a', '_', '1', '$', ';', '\t']), kind: 'insert char' };
  if (x < 0.2) return { at, remove: Math.min(text.length - at, 1 + Math.floor(r() * 4)), insert: '', kind: 'delete chars' };
  if (x < 0.35) return { at, remove: 0, insert: pick(r, TOKENS), kind: 'insert token' };
  if (x < 0.5) {
    // At a line's end, as the editor bench types (bench/lsp-bench-modes.ts).
    const le = text.indexOf('\n', at);
    return { at: le < 0 ? text.length : le, remove: 0, insert: pick(r, [' ', '\n', ' // why', '\n\n    ']), kind: 'line end' };
  }
  if (x < 0.7) {
    // A statement after a `;` or `{` (where a user adds one): keeps the file valid, so the
    // next edits run on a cached parse.
    const semi = text.indexOf(';', at);
    const p = semi < 0 ? at : semi + 1;
    return { at: p, remove: 0, insert: ` ${pick(r, STATEMENTS)}`, kind: 'insert statement' };
  }
  if (x < 0.75) {
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    const le = text.indexOf('\n', at);
    return { at: ls, remove: (le < 0 ? text.length : le + 1) - ls, insert: '', kind: 'delete line' };
  }
  if (x < 0.8) {
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    const le = text.indexOf('\n', at);
    const line = text.slice(ls, le < 0 ? text.length : le + 1);
    return { at: ls, remove: 0, insert: line, kind: 'duplicate line' };
  }
  if (x < 0.88) {
    // A word typed into a comment (an explanation, a docblock's prose or tags): no tree changes.
    const c = /\/\/|\/\*|^\s*\*|#/gm;
    c.lastIndex = at;
    const hit = c.exec(text);
    if (hit) {
      const le = text.indexOf('\n', hit.index);
      const end = le < 0 ? text.length : le;
      const p = Math.min(end, hit.index + hit[0].length + Math.floor(r() * (end - hit.index - hit[0].length + 1)));
      return { at: p, remove: 0, insert: pick(r, ['x', ' ', ' why', '@', 'phpleak', '*/', '?>', '$a']), kind: 'comment char' };
    }
  }
  if (x < 0.93) {
    // A blank between tokens, mid-line: no tree changes either.
    const c = /[,=(]/g;
    c.lastIndex = at;
    const hit = c.exec(text);
    if (hit) return { at: hit.index + 1, remove: 0, insert: pick(r, [' ', '\t', '  ']), kind: 'blank' };
  }
  // Rename inside an identifier: the commonest keystroke in a method body.
  const m = /[A-Za-z_]\w*/g;
  m.lastIndex = at;
  const hit = m.exec(text);
  return hit ? { at: hit.index + Math.floor(hit[0].length / 2), remove: 0, insert: pick(r, ['x', 'Y', '_2']), kind: 'rename' } : { at, remove: 0, insert: ' ', kind: 'insert char' };
}

export function applyEdit(text: string, e: Edit): string {
  e.removed = text.slice(e.at, e.at + e.remove);
  return text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
}
