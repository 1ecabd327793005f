import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../engine/fixes.js';
import { lintText } from '../../engine/lint.js';
import { rules } from '../../rules/index.js';
import { DUMPS } from '../helpers/heap.js';
import { hasPhp, phpLint } from '../helpers/php.js';
import { repoRoot, serverMain } from './lsp-client.js';

// End-to-end in a real editor: Neovim 0.7 (Debian's; it has no pull diagnostics, so these are
// pushed) runs phpleak-lsp headless on a fixture; test/server/nvim/e2e.lua drives it.

const hasNvim = spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status === 0;

interface NvimDiagnostic { lnum: number; col: number; end_lnum: number; end_col: number; severity: number; source: string; message: string; code: string; href: string | null }
interface NvimResult {
  error: string | null;
  server_name: string;
  capabilities: { codeActionKinds: string[]; diagnosticProvider: boolean };
  before: NvimDiagnostic[];
  menu: string[];
  fixed_lines: string[];
  rule_gone: boolean;
  after: NvimDiagnostic[];
}

describe.skipIf(!hasNvim)('Neovim (headless) with phpleak-lsp', () => {
  it('shows the diagnostics on the right lines and applies the preferred quick fix', () => {
    const root = mkdtempSync(join(tmpdir(), 'phpleak-nvim-'));
    const text = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Worker.php'), 'utf8');
    mkdirSync(join(root, 'src'));
    const file = join(root, 'src', 'Worker.php');
    writeFileSync(file, text);
    const out = join(root, 'result.json');
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(repoRoot, 'test', 'server', 'nvim', 'e2e.lua')}`], {
      cwd: root, timeout: 90_000, encoding: 'utf8',
      env: {
        ...process.env, PHPLEAK_SERVER: serverMain, PHPLEAK_FILE: file, PHPLEAK_ROOT: root, PHPLEAK_OUT: out, PHPLEAK_FIX_RULE: 'gc-disabled',
        XDG_CACHE_HOME: join(root, 'cache'), XDG_STATE_HOME: join(root, 'state'), XDG_DATA_HOME: join(root, 'data'), XDG_CONFIG_HOME: join(root, 'config'),
      },
    });
    let res: NvimResult;
    try {
      res = JSON.parse(readFileSync(out, 'utf8')) as NvimResult;
    } catch {
      throw new Error(`nvim wrote no result (status ${r.status}, signal ${r.signal}): ${r.stdout}${r.stderr}`);
    }
    expect(res.error, JSON.stringify(res)).toBeNull();
    expect(res.capabilities.diagnosticProvider).toBe(false);
    expect(res.capabilities.codeActionKinds).toContain('quickfix');

    // The same findings the engine reports, on the same lines and columns (Neovim: 0-based).
    const ids = new Set(rules.map((x) => x.meta.id));
    const findings = lintText({ path: file, text, rules: rules.map((rule) => ({ rule })), knownRuleIds: ids, isTestFile: false });
    const seen = res.before.map((d) => [d.code, d.lnum, d.col]).sort();
    expect(seen).toEqual(findings.map((f) => [f.ruleId, f.range.start.line - 1, f.range.start.column]).sort());
    const gc = res.before.find((d) => d.code === 'gc-disabled')!;
    expect(gc.lnum).toBe(text.split('\n').findIndex((l) => l.includes('gc_disable();')));
    expect(gc.source).toBe('phpleak');
    expect(gc.href).toBe('https://github.com/phpleak/phpleak/blob/main/rules/gc-disabled.md');
    expect(res.before.find((d) => d.code === 'memory-limit-disabled')!.lnum).toBe(text.split('\n').findIndex((l) => l.includes("ini_set('memory_limit'")));

    // The preferred quick fix, applied by Neovim, is exactly the rule's fix.
    const fix = findings.find((f) => f.ruleId === 'gc-disabled')!.fixes.find((x) => x.safety === 'safe')!;
    expect(res.menu).toEqual(expect.arrayContaining([fix.title, 'Ignore gc-disabled on this line']));
    const fixed = res.fixed_lines.join('\n') + '\n';
    expect(fixed).toBe(applyEdits(text, fix.edits));
    expect(fixed).toContain('} finally {');
    expect(res.rule_gone).toBe(true);
    expect(res.after.map((d) => d.code)).toEqual(['memory-limit-disabled']);
    if (hasPhp) expect(phpLint(fixed)).toBeNull();
  });

  it('works with the Neovim 0.7 set-up of docs/editors.md, with phpleak-lsp on PATH', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'editors.md'), 'utf8');
    const snippet = /-- phpleak-lsp for PHP buffers \(Neovim 0\.7\+\)\n[\s\S]*?(?=```)/.exec(docs)?.[0];
    expect(snippet, 'the Neovim 0.7 snippet in docs/editors.md').toBeDefined();
    const root = mkdtempSync(join(tmpdir(), 'phpleak-nvim-docs-'));
    writeFileSync(join(root, 'snippet.lua'), snippet!);
    // `phpleak-lsp` as npm would install it: an executable on PATH.
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'phpleak-lsp'), `#!/bin/sh\nexec "${process.execPath}" "${serverMain}" "$@"\n`);
    chmodSync(join(root, 'bin', 'phpleak-lsp'), 0o755);
    writeFileSync(join(root, 'phpleak.json'), '{}');
    const text = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Worker.php'), 'utf8');
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'Worker.php'), text);
    const out = join(root, 'result.json');
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(repoRoot, 'test', 'server', 'nvim', 'docs-snippet.lua')}`], {
      cwd: root, timeout: 90_000, encoding: 'utf8',
      env: {
        ...process.env, PATH: `${join(root, 'bin')}:${process.env.PATH ?? ''}`,
        PHPLEAK_SNIPPET: join(root, 'snippet.lua'), PHPLEAK_FILE: join(root, 'src', 'Worker.php'), PHPLEAK_OUT: out,
        XDG_CACHE_HOME: join(root, 'cache'), XDG_STATE_HOME: join(root, 'state'), XDG_DATA_HOME: join(root, 'data'), XDG_CONFIG_HOME: join(root, 'config'),
      },
    });
    let res: { error: string | null; diagnostics: { lnum: number; code: string }[]; clients: number };
    try {
      res = JSON.parse(readFileSync(out, 'utf8')) as typeof res;
    } catch {
      throw new Error(`nvim wrote no result (status ${r.status}, signal ${r.signal}): ${r.stdout}${r.stderr}`);
    }
    expect(res.error, JSON.stringify(res)).toBeNull();
    expect(res.clients).toBe(1);
    const ids = new Set(rules.map((x) => x.meta.id));
    const findings = lintText({ path: join(root, 'src', 'Worker.php'), text, rules: rules.map((rule) => ({ rule })), knownRuleIds: ids, isTestFile: false });
    expect(res.diagnostics.map((d) => [d.code, d.lnum]).sort()).toEqual(findings.map((f) => [f.ruleId, f.range.start.line - 1]).sort());
    expect(res.diagnostics.map((d) => d.code)).toContain('gc-disabled');
  });

  type HeapResult = { error: string | null; diagnostics: { lnum: number; col: number; severity: number; message: string; code: string; related: string[] }[]; hover?: string };
  /** Neovim on a heap scenario's code, with phpleak.json heapDumps naming its two shared dumps. */
  const heapInNvim = (scenario: string): HeapResult => {
    const root = mkdtempSync(join(tmpdir(), 'phpleak-nvim-heap-'));
    mkdirSync(join(root, 'src'));
    const file = join(root, 'src', `${scenario}.php`);
    writeFileSync(file, readFileSync(join(repoRoot, 'fixtures', 'heap', scenario, `${scenario}.php`), 'utf8'));
    writeFileSync(join(root, 'phpleak.json'), JSON.stringify({ heapDumps: [join(DUMPS!, `${scenario}-1000.json`), join(DUMPS!, `${scenario}-2000.json`)] }));
    const out = join(root, 'result.json');
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(repoRoot, 'test', 'server', 'nvim', 'heap.lua')}`], {
      cwd: root, timeout: 90_000, encoding: 'utf8',
      env: {
        ...process.env, PHPLEAK_SERVER: serverMain, PHPLEAK_FILE: file, PHPLEAK_ROOT: root, PHPLEAK_OUT: out,
        XDG_CACHE_HOME: join(root, 'cache'), XDG_STATE_HOME: join(root, 'state'), XDG_DATA_HOME: join(root, 'data'), XDG_CONFIG_HOME: join(root, 'config'),
      },
    });
    let res: HeapResult;
    try {
      res = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      throw new Error(`nvim wrote no result (status ${r.status}, signal ${r.signal}): ${r.stdout}${r.stderr}`);
    }
    expect(res.error, JSON.stringify(res)).toBeNull();
    return res;
  };

  it.skipIf(!DUMPS)('shows heap evidence from phpleak.json heapDumps: on the findings and in the hover', () => {
    const res = heapInNvim('static-registry');
    expect(res.diagnostics.filter((d) => d.code === 'unbounded-cache').sort((a, b) => a.lnum - b.lnum).map((d) => [d.lnum, d.related.filter((m) => m.startsWith('heap:'))])).toEqual([
      [5, ['heap: +1,000 entries in EventRecorder::$events between the dumps, 237.3 KB retained (+119.1 KB)']],
      [12, ['heap: +1,000 entries in Slugger::$memo between the dumps, 65.4 KB retained (+33.2 KB)']],
    ]);
    expect(res.diagnostics.filter((d) => d.code === 'heap-growth')).toEqual([]);
    expect(res.hover).toContain('*Heap dump:* +1,000 entries in Slugger::$memo between the dumps, 65.4 KB retained (+33.2 KB)');
  });

  it.skipIf(!DUMPS)('shows growth no rule flags as a heap-growth information diagnostic at the declaration', () => {
    const res = heapInNvim('listeners');
    const growth = res.diagnostics.filter((d) => d.code === 'heap-growth');
    expect(growth.map((d) => [d.lnum, d.col, d.severity])).toEqual([[4, 12, 3]]);
    expect(growth[0]!.message).toMatch(/^Dispatcher::\$listeners grew between the heap dumps and no rule flags it/);
    expect(res.hover).toBeUndefined();
  });
});
