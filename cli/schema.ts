import { configSchema } from '../engine/config.js';
import type { AnyRule } from '../engine/rule.js';
import { docSections, readRuleDocs } from '../engine/rule-docs.js';

// phpleak.schema.json as published: the schema the CLI validates with (engine/config.ts), plus
// each option's description from its rule's docs. Written by `npm run schema`
// (scripts/schema.mjs); test/cli/schema.test.ts checks the committed file equals this.

export function publishedSchemaText(registry: readonly AnyRule[]): string {
  const docs = new Map<string, Map<string, string>>();
  const optionDoc = (id: string, option: string): string | undefined => {
    if (!docs.has(id)) docs.set(id, optionDocs(readRuleDocs(id) ?? ''));
    return docs.get(id)!.get(option);
  };
  return JSON.stringify(configSchema(registry, optionDoc), null, 2) + '\n';
}

/** `- \`name\` (type, default x): text` bullets of the Options section, continuation lines joined. */
function optionDocs(md: string): Map<string, string> {
  const out = new Map<string, string>();
  const section = docSections(md).get('Options') ?? '';
  for (const item of section.split(/^- /m).slice(1)) {
    const m = /^`([A-Za-z0-9_]+)`[^:]*:\s*([\s\S]*)$/.exec(item.split(/\n\s*\n/)[0]!.trim());
    if (m) out.set(m[1]!, m[2]!.replace(/\s+/g, ' ').trim().replace(/^./, (c) => c.toUpperCase()));
  }
  return out;
}
