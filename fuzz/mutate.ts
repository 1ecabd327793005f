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
