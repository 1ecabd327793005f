import type { Severity } from '../../engine/types.js';
import { lineCol, xmlEscape, type Formatter } from '../report.js';

// Checkstyle XML (read by Jenkins warnings-ng, reviewdog, SonarQube importers). One <file> per
// linted file, an <error> per finding; source is "phpleak.<rule-id>".

const SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info', hint: 'info' };

export const checkstyle: Formatter = (report) => {
  const out = ['<?xml version="1.0" encoding="utf-8"?>', '<checkstyle version="4.3">'];
  for (const file of report.files) {
    if (file.findings.length === 0) continue;
    out.push(`  <file name="${xmlEscape(file.path)}">`);
    for (const f of file.findings) {
      const lc = lineCol(f);
      out.push(`    <error line="${lc.line}" column="${lc.column}" severity="${SEVERITY[f.severity]}" message="${xmlEscape(f.message)}" source="phpleak.${xmlEscape(f.ruleId)}"/>`);
    }
    out.push('  </file>');
  }
  out.push('</checkstyle>');
  return out.join('\n') + '\n';
};
