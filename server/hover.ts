import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node.js';
import { docSections, readRuleDocs, ruleDocsUrl } from '../engine/rule-docs.js';
import type { Finding } from '../engine/types.js';
import { documented, toLspRange } from './diagnostics.js';
import { heapNotes } from './heap-evidence.js';
import { markdownToPlainText } from './plaintext.js';
import type { Server } from './server.js';

// Hover on a finding: its message, details (why, measured cost, long-running note) and tip,
// then the rule's explanation from rules/<id>.md (What it does / Why is this bad? / Use instead).

const SECTIONS = ['What it does', 'Why is this bad?', 'Use instead'] as const;

export function registerHover(server: Server): void {
  server.connection.onHover(async (params, token): Promise<Hover | null> => {
    const d = server.documents.get(params.textDocument.uri);
    if (!d) return null;
    // The last analysis, mapped onto the current text: no waiting while the user types.
    const r = await server.answerFor(d, token, (a) => a.findings.some((f) => contains(f, params.position)));
    if (!r) return null;
    const hits = r.findings.filter((f) => contains(f, params.position));
    if (hits.length === 0) return null;
    const value = hits.map(explain).join('\n\n---\n\n');
    return {
      contents: server.caps.markdownHover
        ? { kind: MarkupKind.Markdown, value }
        : { kind: MarkupKind.PlainText, value: markdownToPlainText(value) },
      range: toLspRange(hits[0]!.range),
    };
  });
}

function contains(f: Finding, p: Position): boolean {
  const r = toLspRange(f.range);
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

const cache = new Map<string, string | null>();

/** The rule's explanation as Markdown (cached: the docs do not change while the server runs). */
function ruleExplanation(id: string): string | null {
  if (cache.has(id)) return cache.get(id)!;
  const md = readRuleDocs(id);
  let out: string | null = null;
  if (md) {
    const sections = docSections(md);
    const parts = SECTIONS.flatMap((h) => {
      const body = sections.get(h);
      return body ? [`#### ${h}\n\n${body}`] : [];
    });
    out = parts.length > 0 ? parts.join('\n\n') : null;
  }
  cache.set(id, out);
  return out;
}

export function explain(f: Finding): string {
  const head = documented(f.ruleId) ? `**phpleak** [\`${f.ruleId}\`](${ruleDocsUrl(f.ruleId)})` : `**phpleak** \`${f.ruleId}\``;
  const lines = [head, '', f.message];
  if (f.details) lines.push('', f.details);
  if (f.tip) lines.push('', `*Instead:* ${f.tip}`);
  for (const n of heapNotes(f)) lines.push('', `*Heap dump:* ${n.replace(/^heap: /, '')}`);
  const more = ruleExplanation(f.ruleId);
  if (more) lines.push('', more);
  return lines.join('\n');
}
