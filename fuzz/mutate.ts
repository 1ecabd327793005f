import fc from 'fast-check';

// Mutations of real PHP text, as an editor produces them every second: truncations, deletions,
// insertions of PHP tokens and swaps of two slices. Used by the bounded fuzz test in `npm test`
// and by `npm run fuzz -- --time <s>`.

const TOKENS = [
  '(', ')', '[', ']', '{', '}', ';', ',', '=', '=>', '->', '?->', '::', '$', '$a', '"', "'", '#[', '/*', '*/', '//',
  '?>', '<?php ', 'function ', 'fn() => ', 'yield ', 'static ', 'class ', 'enum ', 'match (', 'new ', 'clone(',
  '&', '...', '\\', '<<<EOT\n', '\nEOT;\n', '`', '\r', '\r\n', '\u0000', '\uFEFF', '😀', '\uD800',
];

export type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'delete'; at: number; len: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'swap'; a: number; b: number; len: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })) }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
);

export function applyMutation(text: string, m: Mutation): string {
  const n = text.length;
  if (n === 0) return m.op === 'insert' ? m.text : text;
  switch (m.op) {
    case 'truncate': return text.slice(0, m.at % (n + 1));
    case 'delete': { const at = m.at % n; return text.slice(0, at) + text.slice(at + m.len); }
    case 'insert': { const at = m.at % (n + 1); return text.slice(0, at) + m.text + text.slice(at); }
    case 'swap': {
      let a = m.a % n, b = m.b % n;
      if (a > b) [a, b] = [b, a];
      const len = Math.min(m.len, b - a, n - b);
      if (len <= 0) return text;
      return text.slice(0, a) + text.slice(b, b + len) + text.slice(a + len, b) + text.slice(a, a + len) + text.slice(b + len);
    }
  }
}

/**
 * Edits that keep most PHP parsing, for the --fix property (random token edits rarely leave a
 * file that parses, and only parsing files get fixes): duplicate, drop or move a line, add a
 * statement, a comment or a blank line after a line ending in `;`, `{` or `}`.
 */
export type LineMutation =
  | { op: 'dup-line'; at: number }
  | { op: 'drop-line'; at: number }
  | { op: 'move-line'; from: number; to: number }
  | { op: 'add-line'; at: number; text: string };

const LINES = ['', '// note', '$tmp = [];', '$tmp[] = 1;', 'unset($tmp);', 'gc_collect_cycles();', '/* { */', 'echo "x";', '$this->items = [];', 'return;'];

export const lineMutationArb: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.record({ op: fc.constant('dup-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('move-line' as const), from: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('add-line' as const), at: fc.nat(), text: fc.constantFrom(...LINES) }),
);

export function applyLineMutation(text: string, m: LineMutation): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  const n = lines.length;
  switch (m.op) {
    case 'dup-line': { const at = m.at % n; lines.splice(at, 0, lines[at]!); break; }
    case 'drop-line': { if (n > 1) lines.splice(m.at % n, 1); break; }
    case 'move-line': { const [l] = lines.splice(m.from % n, 1); lines.splice(m.to % Math.max(1, n - 1), 0, l!); break; }
    case 'add-line': {
      const ends = lines.map((l, i) => (/[;{}]\s*$/.test(l) ? i : -1)).filter((i) => i >= 0);
      if (ends.length === 0) break;
      lines.splice(ends[m.at % ends.length]! + 1, 0, m.text);
      break;
    }
  }
  return lines.join(eol);
}
