import type { Severity } from '../../engine/types.js';
import { fingerprints, lineCol, type Formatter } from '../report.js';

// GitLab Code Quality report (artifacts:reports:codequality): a JSON array of issues with
// stable fingerprints (the finding identity of engine/identity.ts: rule, project-relative path,
// line-free message, the normalised code at the finding, and an occurrence number; a finding
// keeps its fingerprint when lines move or phpleak runs elsewhere), so merge requests show only
// new findings.

const SEVERITY: Record<Severity, 'critical' | 'major' | 'minor' | 'info'> = { error: 'critical', warning: 'major', info: 'minor', hint: 'info' };

export const gitlab: Formatter = (report) => {
  const issues = report.files.flatMap((file) => {
    const prints = fingerprints(file, report.root);
    return file.findings.map((f, i) => {
      const lc = lineCol(f);
      return {
        type: 'issue',
        check_name: f.ruleId,
        description: f.message,
        ...(f.details || f.tip ? { content: { body: [f.details, f.tip ? `**Instead:** ${f.tip}` : undefined].filter(Boolean).join('\n\n') } } : {}),
        categories: ['Performance'],
        severity: SEVERITY[f.severity],
        fingerprint: prints[i]!,
        location: {
          path: file.path,
          positions: { begin: { line: lc.line, column: lc.column }, end: { line: lc.endLine, column: lc.endColumn } },
        },
      };
    });
  });
  return JSON.stringify(issues, null, 2) + '\n';
};
