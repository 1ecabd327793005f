import { describe, expect, it } from 'vitest';
import type { Finding } from '../../engine/types.js';
import { matchMarkers, readMarkers } from './markers.js';

function finding(line: number, column: number, endColumn: number, ruleId = 'unbounded-cache'): Finding {
  return {
    ruleId, severity: 'warning', message: 'm', related: [], fixes: [],
    range: { start: { line, column, offset: 0 }, end: { line, column: endColumn, offset: 0 } },
  };
}

const text = [
  '<?php',
  '    $this->c[$k] = $v; // expect: unbounded-cache',
  '//  ^^^^^^^^^^^^^^^^^ expect: unbounded-cache',
  '$x = 1;',
].join('\n');

describe('fixture markers', () => {
  it('reads line and caret markers', () => {
    expect(readMarkers(text)).toEqual([
      { line: 2, ruleId: 'unbounded-cache' },
      { line: 2, ruleId: 'unbounded-cache', startColumn: 4, endColumn: 21 },
    ]);
  });
  it('passes when findings and markers agree, columns included', () => {
    expect(matchMarkers([finding(2, 4, 21)], readMarkers(text))).toEqual([]);
  });
  it('fails on a missing finding', () => {
    expect(matchMarkers([], readMarkers(text))).toContain('missing finding: unbounded-cache on line 2');
  });
  it('fails on an extra finding', () => {
    expect(matchMarkers([finding(2, 4, 21), finding(4, 0, 2)], readMarkers(text))).toEqual([
      'unexpected finding: unbounded-cache at 4:1: m',
    ]);
  });
  it('fails on a finding at the wrong columns', () => {
    expect(matchMarkers([finding(2, 5, 21)], readMarkers(text))[0]).toMatch(/no unbounded-cache finding starts at column 5 of line 2/);
    expect(matchMarkers([finding(2, 4, 20)], readMarkers(text))).toEqual(['unbounded-cache on line 2 ends at column 21, expected 22']);
  });
});
