import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../engine/fixes.js';
import { lintWith } from '../helpers/lint.js';
import { hasPhp, phpLint } from '../helpers/php.js';

// What the fixture runner cannot express: it applies each finding's FIRST fix (make the
// allocation owned); the second fix (free at the end) and the safety marks are checked here.
const id = 'ffi-unowned-allocation';

function second(text: string): { text: string; safety: string } | null {
  const [f] = lintWith(text, [id]).filter((x) => x.ruleId === id);
  const fix = f?.fixes[1];
  if (!fix) return null;
  return { text: applyEdits(text, fix.edits)!, safety: fix.safety };
}

describe(id, () => {
  it('frees at the end of the function (the talk\'s example)', () => {
    const r = second('<?php\nfunction iWillLeakMemory() {\n    $a = FFI::new("long[1024]", false);\n}\n');
    expect(r).toEqual({ text: '<?php\nfunction iWillLeakMemory() {\n    $a = FFI::new("long[1024]", false);\n    FFI::free($a);\n}\n', safety: 'safe' });
    expect(lintWith(r!.text, [id])).toEqual([]);
    if (hasPhp) expect(phpLint(r!.text)).toBeNull();
  });

  it('frees before a final return that does not use the pointer, spelling the class as the call does', () => {
    const text = '<?php\nnamespace App;\nfunction sum(array $xs): int {\n\t$p = \\FFI::new("int", false);\n\tforeach ($xs as $x) {\n\t\t$p->cdata += $x;\n\t}\n\t$n = $p->cdata;\n\treturn $n;\n}\n';
    const r = second(text);
    expect(r?.text).toBe('<?php\nnamespace App;\nfunction sum(array $xs): int {\n\t$p = \\FFI::new("int", false);\n\tforeach ($xs as $x) {\n\t\t$p->cdata += $x;\n\t}\n\t$n = $p->cdata;\n\t\\FFI::free($p);\n\treturn $n;\n}\n');
    expect(lintWith(r!.text, [id])).toEqual([]);
  });

  it('is not offered when the final return reads the pointer, or an early return leaks too', () => {
    expect(second('<?php\nfunction s(\\FFI $f) {\n    $b = $f->new("char[8]", false);\n    return \\FFI::string($b);\n}\n')).toBeNull();
    expect(second('<?php\nfunction s($x) {\n    $b = FFI::new("int", false);\n    if ($x) {\n        return 1;\n    }\n    return 2;\n}\n')).toBeNull();
  });

  it('marks the fixes unsafe when the pointer goes to C code', () => {
    const [f] = lintWith('<?php\nfunction s(\\FFI $lib) {\n    $b = $lib->new("char[8]", false);\n    $lib->fill($b);\n}\n', [id]);
    expect(f!.fixes.map((x) => x.safety)).toEqual(['unsafe', 'unsafe']);
  });

  it('makes a persistent allocation owned by turning false into true', () => {
    const [f] = lintWith('<?php\nfunction p() {\n    FFI::new("long[1024]", false, true);\n}\n', [id]);
    expect(applyEdits('<?php\nfunction p() {\n    FFI::new("long[1024]", false, true);\n}\n', f!.fixes[0]!.edits)).toBe('<?php\nfunction p() {\n    FFI::new("long[1024]", true, true);\n}\n');
  });
});
