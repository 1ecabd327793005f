import { countFindings, lineCol, type Formatter } from '../report.js';

// The stable JSON shape (documented in docs/ci.md; `version` changes only with a breaking
// change). Lines and columns are 1-based; endColumn is exclusive (as in SARIF).

export const JSON_FORMAT_VERSION = 1;

export const json: Formatter = (report) => {
  const c = countFindings(report.files);
  const body = {
    version: JSON_FORMAT_VERSION,
    tool: { name: 'phpleak', version: report.version },
    ...(report.shard ? { shard: report.shard } : {}),
    summary: {
      files: report.files.length,
      filesWithFindings: report.files.filter((f) => f.findings.length > 0).length,
      findings: c.total,
      error: c.bySeverity.error, warning: c.bySeverity.warning, info: c.bySeverity.info, hint: c.bySeverity.hint,
      fixable: c.fixable,
    },
    files: report.files.filter((f) => f.findings.length > 0).map((f) => ({
      path: f.path,
      findings: f.findings.map((x) => ({
        ruleId: x.ruleId,
        severity: x.severity,
        message: x.message,
        ...(x.details ? { details: x.details } : {}),
        ...(x.tip ? { tip: x.tip } : {}),
        ...lineCol(x),
        related: x.related.map((r) => ({
          message: r.message, ...(r.path ? { path: r.path } : {}), line: r.range.start.line, column: r.range.start.column + 1, endLine: r.range.end.line, endColumn: r.range.end.column + 1,
        })),
        fixes: x.fixes.map((fx) => ({ title: fx.title, safety: fx.safety })),
      })),
    })),
    ...(report.baseline ? { baseline: report.baseline } : {}),
  };
  return JSON.stringify(body, null, 2) + '\n';
};
