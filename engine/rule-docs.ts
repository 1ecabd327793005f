import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundled } from './bundle.js';

// Where a rule's documentation lives: rules/<id>.md in the package (shipped: package.json
// "files") and the same file on GitHub for links (LSP codeDescription, SARIF helpUri).
// The one place that knows the URL.

export const DOCS_BASE_URL = 'https://github.com/phpleak/phpleak/blob/main/rules/';

/** A stable link to a rule's docs. */
export function ruleDocsUrl(id: string): string {
  return `${DOCS_BASE_URL}${encodeURIComponent(id)}.md`;
}

// This file runs from engine/ (sources under vitest) and from dist/engine/ (built): the
// package root is one or two levels up.
const here = dirname(fileURLToPath(import.meta.url));
const rulesDirs = [join(here, '..', 'rules'), join(here, '..', '..', 'rules')];

/** Path of rules/<id>.md, or null when the rule has no docs (engine findings). */
export function ruleDocsFile(id: string): string | null {
  if (!/^[a-z0-9-]+$/.test(id)) return null;
  if (bundled) return Object.hasOwn(bundled.ruleDocs, id) ? `rules/${id}.md` : null;
  for (const d of rulesDirs) {
    const p = join(d, `${id}.md`);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The markdown of a rule's docs, or null. */
export function readRuleDocs(id: string): string | null {
  if (bundled) return Object.hasOwn(bundled.ruleDocs, id) ? bundled.ruleDocs[id]! : null;
  const p = ruleDocsFile(id);
  if (!p) return null;
  try { return readFileSync(p, 'utf8'); } catch { return null; }
}

/** `## Heading` sections of a rule's docs, by heading text (without `## `), in order. */
export function docSections(md: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = md.split(/^## +/m);
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const heading = (nl < 0 ? part : part.slice(0, nl)).trim();
    out.set(heading, nl < 0 ? '' : part.slice(nl + 1).trim());
  }
  return out;
}
