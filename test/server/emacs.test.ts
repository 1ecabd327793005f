import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../engine/lint.js';
import { rules } from '../../rules/index.js';
import { repoRoot, serverMain } from './lsp-client.js';

// Emacs with eglot and php-mode (Debian: emacs-nox + elpa-eglot + elpa-php-mode, as
// docs/editors.md says) runs the set-up of docs/editors.md in batch mode against phpleak-lsp: the
// snippet is the user's init file, the real php-mode is the file's mode. Skipped where Emacs or
// eglot is missing; fails where php-mode is (the documented set-up has it).

const hasEglot = spawnSync('emacs', ['--batch', '--eval', "(progn (package-activate-all) (require 'eglot))"], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasEglot)('Emacs eglot with phpleak-lsp', () => {
  it('shows the diagnostics with the set-up of docs/editors.md', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'editors.md'), 'utf8');
    const snippet = /## Emacs \(eglot\)\n[^#]*?```elisp\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(snippet, 'the eglot snippet in docs/editors.md').toBeDefined();
    const root = mkdtempSync(join(tmpdir(), 'phpleak-eglot-'));
    mkdirSync(join(root, '.emacs.d'));
    writeFileSync(join(root, '.emacs.d', 'init.el'), snippet!);
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'phpleak-lsp'), `#!/bin/sh\nexec "${process.execPath}" "${serverMain}" "$@"\n`);
    chmodSync(join(root, 'bin', 'phpleak-lsp'), 0o755);
    const text = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Worker.php'), 'utf8');
    mkdirSync(join(root, 'src'));
    const file = join(root, 'src', 'Worker.php');
    writeFileSync(file, text);
    const out = join(root, 'out.txt');
    const r = spawnSync('emacs', ['--batch', '-l', join(repoRoot, 'test', 'server', 'emacs', 'eglot-e2e.el')], {
      cwd: root, timeout: 90_000, encoding: 'utf8',
      env: { ...process.env, HOME: root, PATH: `${join(root, 'bin')}:${process.env.PATH ?? ''}`, PHPLEAK_FILE: file, PHPLEAK_OUT: out },
    });
    expect(existsSync(out), `emacs wrote no result (status ${r.status}): ${r.stdout}${r.stderr}`).toBe(true);
    const [mode, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    expect(mode).toBe('MODE php-mode');
    const seen = lines.filter(Boolean).map((l) => {
      const m = /^(\d+) phpleak \[([a-z-]+)\]: /.exec(l);
      return m ? [m[2]!, Number(m[1])] : [l, 0];
    });
    const ids = new Set(rules.map((x) => x.meta.id));
    const findings = lintText({ path: file, text, rules: rules.map((rule) => ({ rule })), knownRuleIds: ids, isTestFile: false });
    expect(seen.sort()).toEqual(findings.map((f) => [f.ruleId, f.range.start.line]).sort());
  });
});
