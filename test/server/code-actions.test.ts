import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic } from 'vscode-languageserver/node.js';
import { fixUntilStable } from '../../engine/fixes.js';
import { lintText } from '../../engine/lint.js';
import { rules } from '../../rules/index.js';
import { hasPhp, phpLint } from '../helpers/php.js';
import { applyWorkspaceEdit, fixtureCases } from './fixture-cases.js';
import { LspClient, pullCapabilities, pushCapabilities, repoRoot, tempRoot } from './lsp-client.js';

// Code actions over real stdio: every quick fix the rules offer on their fixtures, the ignore
// comment, fix-all (the CLI's fix loop), and actions answered from the last analysis while typing.

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');

let push: LspClient;
let pull: LspClient;
beforeAll(async () => {
  push = await LspClient.start({ capabilities: pushCapabilities, settings: { debounceMs: 0 } });
  pull = await LspClient.start({ capabilities: pullCapabilities, initializationOptions: { diagnosticMode: 'push' }, settings: { debounceMs: 0 } });
});
afterAll(async () => { await Promise.all([push.stop(), pull.stop()]); });

let nextVersion = 1;
async function openDoc(c: LspClient, uri: string, text: string): Promise<{ version: number; diagnostics: Diagnostic[] }> {
  const version = nextVersion++;
  await c.open(uri, text, version);
  return { version, diagnostics: await c.diagnosticsFor(uri, version) };
}
async function setText(c: LspClient, uri: string, text: string): Promise<Diagnostic[]> {
  const version = nextVersion++;
  await c.change(uri, version, [{ text }]);
  return c.diagnosticsFor(uri, version);
}
function actionsAt(c: LspClient, uri: string, d: Diagnostic, only?: string[]): Promise<CodeAction[]> {
  return c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], ...(only ? { only } : {}) } });
}

describe('quick fixes of the rules, on their fixtures', () => {
  const cases = fixtureCases();
  it('finds fixture cases to try', () => { expect(cases.length).toBeGreaterThan(0); });
  let tried = 0;
  for (const fc of cases) {
    it(`${fc.ruleId}: ${fc.name}: every fix applies, parses, passes php -l and silences the finding`, async () => {
      // Each case in its own folder with a phpleak.json giving the fixture's context.
      const root = tempRoot();
      const rule = rules.find((r) => r.meta.id === fc.ruleId)!;
      writeFileSync(join(root, 'phpleak.json'), JSON.stringify({
        ...(fc.longRunning ? { longRunning: ['**'] } : {}),
        ...(fc.options ? { rules: { [fc.ruleId]: [rule.meta.severity, fc.options] } } : {}),
      }));
      const file = join(root, fc.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, fc.text);
      const uri = pathToFileURL(file).href;
      const { diagnostics } = await openDoc(push, uri, fc.text);
      const mine = diagnostics.filter((d) => d.code === fc.ruleId);
      expect(mine.length, 'the case has findings').toBeGreaterThan(0);
      for (const d of mine) {
        const fixes = (await actionsAt(push, uri, d)).filter((a) => a.kind === 'quickfix' && a.diagnostics?.[0]?.range.start.line === d.range.start.line && !a.title.startsWith('Ignore '));
        for (const a of fixes) {
          tried++;
          const fixed = applyWorkspaceEdit(uri, fc.text, a.edit!);
          expect(fixed, a.title).not.toBe(fc.text);
          const after = await setText(push, uri, fixed);
          expect(after.filter((x) => x.code === 'parse-error'), `${a.title}: parses`).toEqual([]);
          expect(after.filter((x) => x.code === fc.ruleId).length, `${a.title}: one finding less`).toBeLessThan(mine.length);
          if (mine.length === 1) expect(after.filter((x) => x.code === fc.ruleId), `${a.title}: clean`).toEqual([]);
          if (hasPhp) expect(phpLint(fixed), `${a.title}: php -l`).toBeNull();
          await setText(push, uri, fc.text);
        }
        const preferred = fixes.filter((a) => a.isPreferred);
        expect(preferred.length).toBeLessThanOrEqual(1);
        if (preferred[0]) expect(preferred[0].title).not.toMatch(/unsafe/);
      }
      await push.close(uri);
    });
  }
  it('tried at least one rule fix', () => {
    const fixable = rules.filter((r) => r.meta.fixable !== 'never');
    if (fixable.length > 0) expect(tried).toBeGreaterThan(0);
  });
});

describe('ignore comments, fix-all, edits and versions', () => {
  it('"Ignore <rule> on this line" inserts the comment with the line\'s indentation and line endings, and joins an existing one', async () => {
    const crlf = demo.replace(/\n/g, '\r\n').replace(/    /g, '\t');
    const uri = push.write('src/Crlf.php', crlf);
    const { diagnostics } = await openDoc(push, uri, crlf);
    const evalDiag = diagnostics.find((d) => d.code === 'eval-in-loop')!;
    const ignore = (await actionsAt(push, uri, evalDiag)).find((a) => a.title === 'Ignore eval-in-loop on this line')!;
    expect(ignore.kind).toBe('quickfix');
    expect(ignore.edit!.changes).toBeDefined();
    const once = applyWorkspaceEdit(uri, crlf, ignore.edit!);
    expect(once).toContain('\r\n\t\t\t// phpleak-ignore-next-line eval-in-loop\r\n\t\t\teval(');
    const after = await setText(push, uri, once);
    expect(after.map((d) => d.code)).not.toContain('eval-in-loop');
    // a second rule on the line below an existing ignore joins it
    const twice = once.replace("eval($row['code']);", "eval($row['code']); gc_disable();");
    const ds = await setText(push, uri, twice);
    const gc = ds.find((d) => d.code === 'gc-disabled' && d.range.start.line === evalDiag.range.start.line + 1)!;
    const join2 = (await actionsAt(push, uri, gc)).find((a) => a.title === 'Ignore gc-disabled on this line')!;
    const joined = applyWorkspaceEdit(uri, twice, join2.edit!);
    expect(joined).toContain('\t\t\t// phpleak-ignore-next-line eval-in-loop, gc-disabled\r\n');
    const clean = await setText(push, uri, joined);
    expect(clean.filter((d) => d.range.start.line === evalDiag.range.start.line + 1)).toEqual([]);
    await push.close(uri);
  });

  it('source.fixAll.phpleak applies every safe fix exactly as the CLI\'s fix loop does', async () => {
    const text = [
      '<?php', '', '// phpleak-ignore-next-line gc-disabled', '$x = 1;', '',
      'function solve(array $jobs): array', '{', '    gc_disable();', '    $result = [];', '    foreach ($jobs as $job) {',
      '        $result[] = $job->run();', '    }', '    gc_enable();', '', '    return $result;', '}', '',
    ].join('\n');
    const uri = push.write('src/FixAll.php', text);
    await openDoc(push, uri, text);
    const actions = await push.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] },
    });
    expect(actions.map((a) => a.kind)).toEqual(['source.fixAll.phpleak']);
    const fixed = applyWorkspaceEdit(uri, text, actions[0]!.edit!);
    const ids = new Set(rules.map((r) => r.meta.id));
    const lint = (t: string) => lintText({ path: join(push.root, 'src/FixAll.php'), text: t, rules: rules.map((rule) => ({ rule })), knownRuleIds: ids, isTestFile: false });
    expect(fixed).toBe(fixUntilStable(text, lint, { allowUnsafe: false }).text);
    expect(fixed).not.toContain('phpleak-ignore-next-line');
    expect(fixed).toContain('} finally {');
    const after = await setText(push, uri, fixed);
    expect(after.filter((d) => d.code === 'gc-disabled' || d.code === 'unused-ignore')).toEqual([]);
    if (hasPhp) expect(phpLint(fixed)).toBeNull();
    await push.close(uri);
  });

  it('sends versioned documentChanges to clients that support them, and marks the main fix preferred', async () => {
    const text = ['<?php', 'function f(array $jobs): void', '{', '    gc_disable();', '    foreach ($jobs as $j) {', '        $j->run();', '    }', '    gc_enable();', '}', ''].join('\n');
    const uri = pull.write('src/Versioned.php', text);
    const { version, diagnostics } = await openDoc(pull, uri, text);
    const gc = diagnostics.find((d) => d.code === 'gc-disabled')!;
    const actions = await actionsAt(pull, uri, gc);
    const fix = actions.find((a) => a.isPreferred)!;
    expect(fix.title).toBe('Re-enable the cycle collector in finally');
    expect(fix.diagnostics).toEqual([gc]);
    expect(fix.edit!.documentChanges).toEqual([expect.objectContaining({ textDocument: { uri, version } })]);
    expect(fix.edit!.changes).toBeUndefined();
    await pull.close(uri);
  });

  it('while the user types, answers hover and code actions at once from the last analysis, moved onto the current text (never ContentModified)', async () => {
    // A debounce longer than the test: the edited text is never analysed meanwhile.
    const c = await LspClient.start({ capabilities: pushCapabilities, settings: { debounceMs: 60_000 } });
    try {
      const uri = c.write('src/Stale.php', demo);
      await c.open(uri, demo, 1);
      const ds = await c.diagnosticsFor(uri, 1);
      const gc = ds.find((d) => d.code === 'gc-disabled')!;
      expect(gc.range).toEqual({ start: { line: 8, character: 8 }, end: { line: 8, character: 20 } });
      const ask = (range: Diagnostic['range']) => c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], only: ['quickfix'] } });
      const before = await ask(gc.range);
      // A line typed above the finding: everything moves down one line.
      await c.change(uri, 2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '// typed\n' }]);
      const down = (r: Diagnostic['range']) => ({ start: { ...r.start, line: r.start.line + 1 }, end: { ...r.end, line: r.end.line + 1 } });
      const p = ask(down(gc.range));
      const hover = c.request<{ range: Diagnostic['range']; contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: down(gc.range).start });
      // Typing goes on while the requests are answered.
      await c.change(uri, 3, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: ' ' }]);
      const after = await p;
      expect(before.length).toBeGreaterThan(0);
      const moved = JSON.parse(JSON.stringify(before), (k, v: unknown) => (k === 'line' && typeof v === 'number' ? v + 1 : v)) as CodeAction[];
      // The same actions, every line (finding, diagnostics, edits) one further down.
      expect(after).toEqual(moved);
      const h = await hover;
      expect(h.range).toEqual(down(gc.range));
      expect(h.contents.value).toContain('gc-disabled');
      // The text of version 2 is still never analysed: the answers came from version 1.
      expect(c.publishesFor(uri).map((x) => x.version)).toEqual([1]);
    } finally {
      await c.stop();
    }
  });
});
