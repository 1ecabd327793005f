import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../engine/fixes.js';
import type { Finding } from '../../engine/types.js';
import { diffEdit, ignoreEdit } from '../../server/edits.js';

// The server's own edit builders (pure functions): fix-all's minimal edit and the ignore comment.

function findingAt(text: string, needle: string, ruleId = 'gc-disabled'): Finding {
  const offset = text.indexOf(needle);
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  const at = { line: before.length, column: before.at(-1)!.length, offset };
  return { ruleId, severity: 'warning', message: 'm', range: { start: at, end: at }, related: [], fixes: [] };
}

describe('diffEdit', () => {
  it.each([
    ['abc', 'abc'], ['abc', 'abXc'], ['abc', ''], ['', 'x'], ['a\r\nb', 'a\nb'], ['x😀y', 'x😁y'], ['aaaa', 'aa'], ['line1\r\nline2\r\n', 'line1\r\nnew\r\nline2\r\n'],
  ])('%j → %j is one edit that applies', (from, to) => {
    const e = diffEdit(from, to);
    expect(applyEdits(from, [e])).toBe(to);
    // never inside a surrogate pair or a CRLF
    for (const o of [e.start, e.end]) {
      expect(/[\uDC00-\uDFFF]/.test(from[o] ?? '') && o > 0 && /[\uD800-\uDBFF]/.test(from[o - 1]!)).toBe(false);
      expect(from[o - 1] === '\r' && from[o] === '\n').toBe(false);
    }
  });
});

describe('ignoreEdit', () => {
  it('inserts the comment above with the line\'s indentation and the file\'s line ending', () => {
    const text = '<?php\r\nfunction f() {\r\n\t  gc_disable();\r\n}\r\n';
    const out = applyEdits(text, [ignoreEdit(text, findingAt(text, 'gc_disable'))!]);
    expect(out).toBe('<?php\r\nfunction f() {\r\n\t  // phpleak-ignore-next-line gc-disabled\r\n\t  gc_disable();\r\n}\r\n');
  });

  it('adds the rule to an ignore comment on the line above, before its reason', () => {
    const text = '<?php\n    // phpleak-ignore-next-line eval-in-loop -- generated code\n    gc_disable(); eval($x);\n';
    const out = applyEdits(text, [ignoreEdit(text, findingAt(text, 'gc_disable'))!]);
    expect(out).toContain('// phpleak-ignore-next-line eval-in-loop, gc-disabled -- generated code\n');
  });

  it('offers nothing on a line that opens PHP', () => {
    const text = '<?php gc_disable();\n';
    expect(ignoreEdit(text, findingAt(text, 'gc_disable'))).toBeNull();
  });
});
