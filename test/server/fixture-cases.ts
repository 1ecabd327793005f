import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver/node.js';
import { lintText } from '../../engine/lint.js';
import { parsePhp } from '../../engine/parse.js';
import { rules } from '../../rules/index.js';
import { repoRoot } from './lsp-client.js';

// The rules' fixture cases, each as a standalone PHP file, for the quick-fix tests: a case of a
// `bad-*.php` fixture is the file's head (`<?php`, header comments) plus that case's text, or
// the whole file when its cases do not parse on their own (cases inside one class).

export interface FixtureCase {
  ruleId: string;
  name: string;
  text: string;
  path: string;
  longRunning: boolean;
  options?: unknown;
}

export function fixtureCases(): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const rule of rules) {
    const dir = join(repoRoot, 'fixtures', 'rules', rule.meta.id);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.startsWith('bad-') && x.endsWith('.php') && !x.endsWith('.fixed.php') && !x.endsWith('.driver.php')).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      const head = text.split('\n').slice(0, 4).join('\n');
      const options = /\/\/ options: (\{.*\})/.exec(head)?.[1];
      const path = /\/\/ path: (\S+)/.exec(head)?.[1] ?? `src/${f}`;
      const parts = text.split(/^(?=[ \t]*\/\/ case:)/m);
      let prefix = parts.length > 1 ? parts[0]! : '';
      let bodies = parts.length > 1 ? parts.slice(1) : parts;
      // A case stands alone when it parses alone and the rule finds in it what it finds there in
      // the whole file (cases inside one class, or that need the rest of the file, do not):
      // otherwise the whole file is one case.
      const lr = /\/\/ long-running\b/.test(head);
      const opts = options ? JSON.parse(options) as unknown : undefined;
      const count = (t: string): number => lintText({ path, text: t, rules: [{ rule, options: opts }], longRunning: lr }).filter((x) => x.ruleId === rule.meta.id).length;
      if (bodies.length > 1 && (bodies.some((b) => !parses(prefix + b)) || bodies.reduce((n, b) => n + count(prefix + b), 0) !== count(text))) {
        prefix = '';
        bodies = [text];
      }
      bodies.forEach((body, i) => out.push({
        ruleId: rule.meta.id, name: `${f}#${i + 1}`, text: prefix + body, path,
        longRunning: /\/\/ long-running\b/.test(head), ...(options ? { options: JSON.parse(options) as unknown } : {}),
      }));
    }
  }
  return out;
}

function parses(text: string): boolean {
  const r = parsePhp(text, 'case.php');
  return r.ok && r.problems.length === 0;
}

/** Applies a workspace edit for one document as a client would. */
export function applyWorkspaceEdit(uri: string, text: string, edit: WorkspaceEdit): string {
  let edits: TextEdit[] = [];
  if (edit.changes) edits = edit.changes[uri] ?? [];
  else if (edit.documentChanges) {
    for (const dc of edit.documentChanges) if ('textDocument' in dc && dc.textDocument.uri === uri) edits.push(...(dc.edits as TextEdit[]));
  }
  return TextDocument.applyEdits(TextDocument.create(uri, 'php', 0, text), edits);
}
