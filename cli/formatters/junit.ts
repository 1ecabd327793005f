import { countFindings, lineCol, xmlEscape, type Formatter } from '../report.js';

// JUnit XML (GitLab/Jenkins/Azure test reports): one <testsuite> per linted file, a failing
// <testcase> per finding, one passing testcase for a clean file. With --shard the suites are
// named by shard, so the files of several shards merge as one <testsuites> list.

export const junit: Formatter = (report) => {
  const c = countFindings(report.files);
  const suffix = report.shard ? ` (shard ${report.shard.index}/${report.shard.total})` : '';
  const tests = report.files.reduce((n, f) => n + Math.max(1, f.findings.length), 0);
  const out = ['<?xml version="1.0" encoding="utf-8"?>', `<testsuites name="phpleak${xmlEscape(suffix)}" tests="${tests}" failures="${c.total}" errors="0">`];
  for (const file of report.files) {
    const path = xmlEscape(file.path);
    out.push(`  <testsuite name="${path}" tests="${Math.max(1, file.findings.length)}" failures="${file.findings.length}" errors="0" skipped="0">`);
    if (file.findings.length === 0) out.push(`    <testcase name="phpleak" classname="${path}"/>`);
    for (const f of file.findings) {
      const lc = lineCol(f);
      const text = `${file.path}:${lc.line}:${lc.column}: ${f.severity}: ${f.message} (${f.ruleId})${f.details ? `\n${f.details}` : ''}${f.tip ? `\n${f.tip}` : ''}`;
      out.push(`    <testcase name="${xmlEscape(`${f.ruleId} at ${lc.line}:${lc.column}`)}" classname="${path}">`);
      out.push(`      <failure message="${xmlEscape(f.message)}" type="${f.severity}">${xmlEscape(text)}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
};
