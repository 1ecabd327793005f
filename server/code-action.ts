import { CodeActionKind, CodeActionTriggerKind, LSPErrorCodes, ResponseError, type CodeAction, type CodeActionParams, type Range } from 'vscode-languageserver/node.js';
import { ENGINE_IDS } from '../engine/config.js';
import type { Finding } from '../engine/types.js';
import { FIX_ALL_KIND } from './capabilities.js';
import { sameDiagnostic, toLspRange } from './diagnostics.js';
import type { OpenDocument } from './documents.js';
import { diffEdit, ignoreEdit, toLspEdits, workspaceEdit } from './edits.js';
import { HEAP_RULE_ID } from './heap-evidence.js';
import { answerNow, type Answer } from './mapped-result.js';
import type { Server } from './server.js';

// Quick fixes (the rules' own fixes: data on each finding), "Ignore <rule> on this line", and
// source.fixAll.phpleak (every safe fix, with fixUntilStable: the code the CLI's --fix runs).
// Quick fixes come from the last analysis mapped onto the current text (server/mapped-result.ts),
// so they answer at once while the user types; their edits are for the text the client has.
// Fix-all runs the fix loop on the current text in a worker: if the text changes meanwhile, it
// is left out (or, when it is all that was asked for, the request fails with ContentModified)
// rather than answer with edits for text the client no longer has.

const ENGINE = new Set<string>(ENGINE_IDS);

export function registerCodeActions(server: Server): void {
  server.connection.onCodeAction(async (params, token) => {
    const d = server.documents.get(params.textDocument.uri);
    if (!d || !server.caps.codeActionLiterals) return [];
    const r = await server.answerFor(d, token, (a) => a.findings.some((f) => hits(f, a, params)));
    if (!r) return [];
    const version = d.doc.version;
    const actions = quickFixes(server, d, r, params);
    if (wants(params, FIX_ALL_KIND) && offerFixAll(params, r)) {
      const all = await fixAll(server, d);
      if (d.doc.version !== version) {
        if (!wants(params, CodeActionKind.QuickFix)) throw new ResponseError(LSPErrorCodes.ContentModified, 'the document changed while fix-all was computed');
        // Typed on meanwhile: the quick fixes again, for the text the client has now, without fix-all.
        const again = answerNow(d, (f) => server.diagnosticsOf(d, f));
        return again ? quickFixes(server, d, again, params) : [];
      }
      if (all) actions.push(all);
    }
    return actions;
  });
}

function wants(params: CodeActionParams, kind: string): boolean {
  const only = params.context.only;
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** Fix-all runs the fix loop in a worker: do it when asked for, or when there is something to fix and the user looks. */
function offerFixAll(params: CodeActionParams, r: Answer): boolean {
  if (params.context.only) return true;
  if (params.context.triggerKind === CodeActionTriggerKind.Automatic) return false;
  return r.findings.some((f) => f.fixes.some((x) => x.safety === 'safe'));
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function hits(f: Finding, r: Answer, params: CodeActionParams): boolean {
  return overlaps(toLspRange(f.range), params.range) || params.context.diagnostics.some((x) => sameDiagnostic(x, f));
}

function quickFixes(server: Server, d: OpenDocument, r: Answer, params: CodeActionParams): CodeAction[] {
  if (!wants(params, CodeActionKind.QuickFix)) return [];
  const text = d.doc.getText();
  // Ranked, then listed in that order: clients show the list as it comes (Neovim's
  // vim.lsp.buf.code_action numbers it), so the safe fix a user most likely wants is first and an
  // unsafe one is never above a safe one. 0: preferred, 1: other safe fixes, 2: unsafe, 3: ignore.
  const out: { rank: number; action: CodeAction }[] = [];
  r.findings.forEach((f, i) => {
    if (!hits(f, r, params)) return;
    const diagnostics = [r.diagnostics[i]!];
    const preferred = f.fixes.findIndex((x) => x.safety === 'safe');
    f.fixes.forEach((fix, j) => {
      if (fix.edits.length === 0) return;
      out.push({
        rank: j === preferred ? 0 : fix.safety === 'safe' ? 1 : 2,
        action: {
          title: fix.safety === 'unsafe' ? `${fix.title} (unsafe: changes behaviour)` : fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics,
          ...(j === preferred ? { isPreferred: true } : {}),
          edit: workspaceEdit(d.doc, toLspEdits(d.doc, fix.edits), server.caps.documentChanges),
        },
      });
    });
    const ignore = ignorable(f) ? ignoreEdit(text, f) : null;
    if (ignore) {
      out.push({
        rank: 3,
        action: {
          title: `Ignore ${f.ruleId} on this line`,
          kind: CodeActionKind.QuickFix,
          diagnostics,
          edit: workspaceEdit(d.doc, toLspEdits(d.doc, [ignore]), server.caps.documentChanges),
        },
      });
    }
  });
  // Array.prototype.sort is stable: within a rank, findings and fixes keep their order.
  return out.sort((a, b) => a.rank - b.rank).map((x) => x.action);
}

// Heap evidence (server/heap-evidence.ts) is no rule: an ignore comment cannot name it.
function ignorable(f: Finding): boolean { return !ENGINE.has(f.ruleId) && f.ruleId !== HEAP_RULE_ID; }

async function fixAll(server: Server, d: OpenDocument): Promise<CodeAction | null> {
  const text = d.doc.getText();
  const plan = server.config.forDocument(d.uri, text);
  if ('skip' in plan) return null;
  const fixed = await server.pool.fix(plan.job, { allowUnsafe: false });
  if (!fixed || fixed.applied.length === 0 || fixed.text === text) return null;
  const n = fixed.applied.length;
  return {
    title: `Fix all safe phpleak problems (${n} fix${n === 1 ? '' : 'es'})`,
    kind: FIX_ALL_KIND,
    edit: workspaceEdit(d.doc, toLspEdits(d.doc, [diffEdit(text, fixed.text)]), server.caps.documentChanges),
  };
}
