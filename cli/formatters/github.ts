import { SEVERITY_RANK, type Finding, type Severity } from '../../engine/types.js';
import { lineCol, type Formatter } from '../report.js';

// GitHub Actions workflow commands: one annotation per finding on the PR's diff.
// Escaping as in @actions/core: data escapes % \r \n; property values also : and ,.

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Errors first, then warnings (then the rest), each in file order: GitHub shows at most 10
 * annotations of each kind per step and 50 per job, so the ones kept are the ones that matter.
 */
export const github: Formatter = (report) => {
  const out: string[] = [];
  const all: { path: string; f: Finding }[] = report.files.flatMap((file) => file.findings.map((f) => ({ path: file.path, f })));
  all.sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity]);
  for (const { path, f } of all) {
    const lc = lineCol(f);
    const props = [
      `file=${escapeProperty(path)}`, `line=${lc.line}`, `col=${lc.column}`, `endLine=${lc.endLine}`, `endColumn=${lc.endColumn}`,
      `title=${escapeProperty(`phpleak ${f.ruleId}`)}`,
    ];
    out.push(`::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.tip ? `${f.message}\n${f.tip}` : f.message)}`);
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
};
