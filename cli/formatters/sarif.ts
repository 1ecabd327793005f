import { pathToFileURL } from 'node:url';
import type { Location, Log, Result } from 'sarif';
import type { Severity } from '../../engine/types.js';
import { fingerprints, lineCol, type Formatter } from '../report.js';

// SARIF 2.1.0 as GitHub code scanning reads it: tool.driver.rules[] with the docs as help,
// results with 1-based regions and artifact URIs relative to the working directory
// (%SRCROOT%), and partialFingerprints from the finding identity (engine/identity.ts), which
// survive line moves and runs from another folder. With --shard, the shard is
// the run's automationDetails category, so shard uploads stay separate analyses.

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** A relative path as a URI reference: each segment percent-encoded (spaces, quotes, Unicode). */
export function relativeUri(path: string): string {
  return path.split('/').map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s))).join('/');
}

export const sarif: Formatter = (report) => {
  const index = new Map(report.rules.map((r, i) => [r.id, i]));
  const results = report.files.flatMap((file) => {
    const prints = fingerprints(file, report.root);
    return file.findings.map((f, i): Result => {
      const lc = lineCol(f);
      const location = (line: number, column: number, endLine: number, endColumn: number, path = file.path): Location => ({
        physicalLocation: {
          artifactLocation: { uri: relativeUri(path), uriBaseId: '%SRCROOT%' },
          region: { startLine: line, startColumn: column, endLine, endColumn },
        },
      });
      return {
        ruleId: f.ruleId,
        ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId)! } : {}),
        level: LEVEL[f.severity],
        // The one-line message first (the alert's title), then why and what to do.
        message: {
          text: [f.message, f.details, f.tip].filter(Boolean).join('\n\n'),
          ...(f.details || f.tip ? { markdown: [f.message, f.details, f.tip ? `**Instead:** ${f.tip}` : undefined].filter(Boolean).join('\n\n') } : {}),
        },
        locations: [location(lc.line, lc.column, lc.endLine, lc.endColumn)],
        ...(f.related.length > 0 ? {
          relatedLocations: f.related.map((r, k) => ({
            id: k + 1,
            ...location(r.range.start.line, r.range.start.column + 1, r.range.end.line, r.range.end.column + 1, r.path),
            message: { text: r.message },
          })),
        } : {}),
        partialFingerprints: { 'phpleak/v2': prints[i]! },
      };
    });
  });
  // Typed with @types/sarif: a misspelt or misplaced property fails the build.
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'phpleak',
          semanticVersion: report.version,
          version: report.version,
          informationUri: 'https://github.com/phpleak/phpleak',
          rules: report.rules.map((r) => ({
            id: r.id,
            name: r.id.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase()),
            shortDescription: { text: r.description },
            fullDescription: { text: firstParagraph(r.docs) ?? r.description },
            help: { text: r.docs, markdown: r.docs },
            ...(r.helpUri ? { helpUri: r.helpUri } : {}),
            defaultConfiguration: { level: LEVEL[r.severity] },
            properties: { tags: r.engine ? ['phpleak'] : ['memory', 'reliability'], fixable: r.fixable },
          })),
        },
      },
      ...(report.shard ? { automationDetails: { id: `phpleak/shard-${report.shard.index}-of-${report.shard.total}/` } } : {}),
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(report.base.endsWith('/') ? report.base : report.base + '/').href } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
};

/** The "What it does" paragraph of a rule's docs (a fuller description than the one-liner). */
function firstParagraph(md: string): string | null {
  const m = /^## What it does\s*\n+([\s\S]*?)(\n## |\n*$)/m.exec(md);
  const text = (m ? m[1]! : md.replace(/^#.*\n+/, '')).trim();
  return text ? text.split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, ' ') : null;
}
