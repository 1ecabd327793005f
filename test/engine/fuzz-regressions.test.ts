import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { checkFindings } from '../../fuzz/properties.js';
import { rules } from '../../rules/index.js';

// Inputs `npm run fuzz` found, minimised: each once broke an invariant of fuzz/properties.ts.

const all = rules.map((rule) => ({ rule }));

describe('fuzz regressions', () => {
  it.each([
    // file-read-into-array's generator fix: the fclose() statement swallows `return $rows;`,
    // and moving it into `finally` overlapped the edit that removes the return
    ['<?php\nfunction y{$rows=[]\nwhile$f=fgetcsv()){$rows[]=a}fclose(n return$rows;'],
  ])('%j: ranges inside the text, fixes apply', (text) => {
    expect(checkFindings(text, lintText({ path: 'fuzz.php', text, rules: all }))).toEqual([]);
  });
});
