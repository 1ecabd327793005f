import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { defineRule } from '../../engine/rule.js';

// A test rule: flags every `$leak = …` assignment. Real rules are tested by the fixture runner.
const leak = defineRule({
  meta: { id: 'leak', severity: 'warning', fixable: 'never', description: 'test', messages: { m: 'leak' } },
  defaultOptions: {},
  create(ctx) {
    return {
      assign(node) {
        if (node.left.kind === 'variable' && node.left.name === 'leak') ctx.report({ at: node, messageId: 'm' });
      },
    };
  },
});
const other = defineRule({
  meta: { id: 'other', severity: 'warning', fixable: 'never', description: 'test', messages: { m: 'other' } },
  defaultOptions: {},
  create: () => ({}),
});

const lint = (text: string) =>
  lintText({ path: 'x.php', text, rules: [{ rule: leak }, { rule: other }] })
    .map((f) => `${f.ruleId}@${f.range.start.line}:${f.range.start.column}`);

describe('ignore comments', () => {
  it('next-line ignores the following line only, and needs the rule id', () => {
    expect(lint('<?php\n// phpleak-ignore-next-line leak -- request-scoped\n$leak = 1;\n$leak = 2;\n')).toEqual(['leak@4:0']);
  });
  it('line ignores its own line', () => {
    expect(lint('<?php\n$leak = 1; // phpleak-ignore-line leak\n')).toEqual([]);
  });
  it('several ids separated by commas', () => {
    expect(lint('<?php\n$leak = 1; // phpleak-ignore-line other, leak\n')).toEqual(['unused-ignore@2:34']);
  });
  it('a docblock @phpleak-ignore covers the whole declaration', () => {
    const text = '<?php\n/** @phpleak-ignore leak */\nfunction f() {\n  $leak = 1;\n  $leak = 2;\n}\n$leak = 3;\n';
    expect(lint(text)).toEqual(['leak@7:0']);
  });
  it('a docblock before attributes and a method', () => {
    const text = '<?php\nclass A {\n  /** @phpleak-ignore leak */\n  #[Attr]\n  public function m() { $leak = 1; }\n}\n';
    expect(lint(text)).toEqual([]);
  });
  it('a bare ignore (no id) is reported and ignores nothing', () => {
    expect(lint('<?php\n// phpleak-ignore-next-line\n$leak = 1;\n')).toEqual(['invalid-ignore@2:0', 'leak@3:0']);
  });
  it('an unknown id is reported', () => {
    expect(lint('<?php\n// phpleak-ignore-next-line lek\n$leak = 1;\n')).toEqual(['invalid-ignore@2:28', 'leak@3:0']);
  });
  it('an ignore that suppresses nothing is unused-ignore (info) with a fix that removes it', () => {
    const fs = lintText({ path: 'x.php', text: '<?php\n// phpleak-ignore-next-line leak\n$ok = 1;\n', rules: [{ rule: leak }] });
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ ruleId: 'unused-ignore', severity: 'info' });
    expect(fs[0]!.fixes[0]!.edits).toEqual([{ start: 6, end: 39, text: '' }]);
  });
  it('a rule that is not running does not make its ignores unused', () => {
    const fs = lintText({ path: 'x.php', text: '<?php\n// phpleak-ignore-next-line leak\n$ok = 1;\n', rules: [], knownRuleIds: new Set(['leak']) });
    expect(fs).toEqual([]);
  });
});

describe('a rule that throws', () => {
  it('becomes an internal-error finding and the other rules go on', () => {
    const boom = defineRule({
      meta: { id: 'boom', severity: 'warning', fixable: 'never', description: 'test', messages: { m: 'x' } },
      defaultOptions: {},
      create: () => ({ assign() { throw new Error('kaboom'); } }),
    });
    const fs = lintText({ path: 'x.php', text: '<?php $leak = 1; $leak = 2;', rules: [{ rule: boom }, { rule: leak }] });
    expect(fs.map((f) => f.ruleId)).toEqual(['internal-error', 'leak', 'leak']);
    expect(fs[0]!.message).toContain('rule boom failed on this file (kaboom)');
  });
});
