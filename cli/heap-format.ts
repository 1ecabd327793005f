import { bytes, count, evidenceText, heldText, perIteration, signed } from '../engine/heap/evidence.js';
import type { RefPathResult } from '../engine/heap/ref-path.js';
import type { FindingRef, HeapEntry, HeapReport } from '../engine/heap/report.js';
import type { Range, Severity } from '../engine/types.js';
import type { FormatName } from './args.js';
import { VERSION } from './meta.js';
import { relativeUri } from './formatters/sarif.js';

// The report of `phpleak heap`: stylish (a ranked table, sizes in KB/MB, then what each
// container holds and what the code says), json (the data, 1-based positions), sarif (the
// findings with the heap evidence in `properties.heap`, and heap-only growth as `heap-growth`).

export function formatHeap(r: HeapReport, format: FormatName, opts: { color: boolean }): string {
  if (format === 'json') return JSON.stringify(jsonReport(r), null, 2) + '\n';
  if (format === 'sarif') return JSON.stringify(sarifReport(r), null, 2) + '\n';
  return stylish(r, opts.color);
}

const at = (path: string, range: Range): string => `${path}:${range.start.line}:${range.start.column + 1}`;

function stylish(r: HeapReport, color: boolean): string {
  const b = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  const hue = (code: number) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[39m` : s);
  const out: string[] = [];
  const mem = (x: number | null) => (x === null ? '?' : bytes(x));
  if (r.after) {
    const apart = r.iterations ? `, ${count(r.iterations)} iterations apart` : '';
    out.push(b(`${r.before.file} → ${r.after.file}${apart}`));
    out.push(`memory_usage ${mem(r.before.memoryUsage)} → ${mem(r.after.memoryUsage)}; ${count(r.before.items)} → ${count(r.after.items)} items`, '');
  } else {
    out.push(b(r.before.file), `memory_usage ${mem(r.before.memoryUsage)}; ${count(r.before.items)} items`, '');
  }
  const declText = (e: HeapEntry) => (e.declaration ? `${e.ownerText}  ${dim(at(e.declaration.path, e.declaration.range))}` : e.ownerText);
  const details = (e: HeapEntry): string[] => {
    const lines = e.holds.map((h, i) => `${i === 0 ? 'holds' : ''}`.padEnd(12) + heldText(h));
    const fnd = (f: FindingRef) => `${f.ruleId} at ${at(f.path, f.range)}`;
    switch (e.verdict) {
      case 'confirmed': for (const f of e.findings) lines.push(hue(32)('confirmed'.padEnd(12)) + fnd(f)); break;
      case 'heap-only': lines.push(hue(33)('heap-only'.padEnd(12)) + `no rule flags ${e.ownerText}: the static analysis missed this growth`); break;
      case 'unmapped': lines.push(hue(33)('unmapped'.padEnd(12)) + (e.owner.kind === 'property' || e.owner.kind === 'static'
        ? `${e.owner.cls} is not declared in the files analysed (vendor code, or give the project's paths)`
        : `${e.ownerText} has no declaration to join with`)); break;
      case 'not-growing': for (const f of e.findings) lines.push(dim('not growing'.padEnd(12)) + `${fnd(f)}: no growth between these dumps`); break;
      case 'held': for (const f of e.findings) lines.push('finding'.padEnd(12) + fnd(f)); break;
      case 'flat': break;
    }
    return lines.map((l) => `     ${l}`);
  };
  if (r.after) {
    if (r.entries.length === 0) {
      out.push('No container grew between the dumps.');
    } else {
      out.push(b('Growing between the dumps (ranked by retained growth):'));
      const head = ['#', 'container', 'entries', 'retained', r.iterations ? 'per iteration' : 'growth', 'declaration'];
      const rows = r.entries.map((e, i) => [
        String(i + 1), e.path, `${count(e.growth!.entriesBefore)} → ${count(e.entries)}`, `${bytes(e.growth!.retainedBefore)} → ${bytes(e.retained)}`,
        e.growth!.perIteration ? perIteration(e.growth!.perIteration) : `${signed(e.growth!.entries)}, ${signed(e.growth!.retained, bytes)}`, declText(e),
      ]);
      table(out, head, rows, r.entries.map(details));
    }
    if (r.flat.length > 0) {
      out.push('', b('Not growing (largest):'));
      table(out, ['#', 'container', 'entries', 'retained', 'declaration'],
        r.flat.map((e, i) => [String(i + 1), e.path, `${count(e.growth!.entriesBefore)} → ${count(e.entries)}`, bytes(e.retained), declText(e)]),
        r.flat.map((e) => details({ ...e, holds: [] })));
    }
    const confirmed = r.entries.filter((e) => e.verdict === 'confirmed').length;
    const heapOnly = r.entries.filter((e) => e.verdict === 'heap-only').length;
    out.push('', `${count(r.entries.length)} growing ${r.entries.length === 1 ? 'container' : 'containers'}: ${confirmed} confirmed by a finding, ${heapOnly} heap-only${r.projectClasses === 0 ? ' (no project classes to join with)' : ''}`);
  } else {
    out.push(b('Largest containers (ranked by retained size; compare with a later dump to see growth):'));
    table(out, ['#', 'container', 'entries', 'retained', 'declaration'],
      r.entries.map((e, i) => [String(i + 1), e.path, count(e.entries), bytes(e.retained), declText(e)]), r.entries.map(details));
  }
  return out.join('\n') + '\n';
}

/** Columns padded to their widest cell (colour codes excluded), each row followed by its detail lines. */
function table(out: string[], head: string[], rows: string[][], details: string[][]): void {
  const width = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const w = head.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c]!))));
  const line = (cells: string[]) => '  ' + cells.map((x, c) => (c === cells.length - 1 ? x : x + ' '.repeat(w[c]! - width(x)))).join('  ');
  out.push(line(head));
  rows.forEach((r, i) => { out.push(line(r)); out.push(...details[i]!); });
}

const pos = (path: string, r: Range) => ({ path, line: r.start.line, column: r.start.column + 1, endLine: r.end.line, endColumn: r.end.column + 1 });

function jsonEntry(e: HeapEntry) {
  return {
    path: e.path, owner: e.ownerText, ownerKind: e.owner.kind,
    declaration: e.declaration ? pos(e.declaration.path, e.declaration.range) : null,
    instances: e.instances, entries: e.entries, retained: e.retained, retainedItems: e.retainedItems,
    holds: e.holds, growth: e.growth, verdict: e.verdict,
    findings: e.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, ...pos(f.path, f.range) })),
    evidence: evidenceText(e),
  };
}

function jsonReport(r: HeapReport) {
  return {
    version: VERSION, before: r.before, after: r.after, iterations: r.iterations,
    entries: r.entries.map(jsonEntry), flat: r.flat.map(jsonEntry),
  };
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

function sarifReport(r: HeapReport) {
  const location = (path: string, range: Range) => ({
    physicalLocation: {
      artifactLocation: { uri: relativeUri(path), uriBaseId: '%SRCROOT%' },
      region: { startLine: range.start.line, startColumn: range.start.column + 1, endLine: range.end.line, endColumn: range.end.column + 1 },
    },
  });
  const heapProps = (e: HeapEntry) => ({
    container: e.path, owner: e.ownerText, entries: e.entries, retainedBytes: e.retained, verdict: e.verdict,
    ...(e.growth ? { entriesGrowth: e.growth.entries, retainedGrowthBytes: e.growth.retained, ...(e.growth.perIteration ? { perIteration: e.growth.perIteration } : {}) } : {}),
  });
  const results: unknown[] = [];
  const seen = new Set<string>();
  for (const e of [...r.entries, ...r.flat]) {
    for (const f of e.findings) {
      const key = `${f.ruleId}\0${f.path}\0${f.range.start.offset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      results.push({
        ruleId: f.ruleId, level: LEVEL[f.severity],
        message: { text: `${f.message}\n${evidenceText(e)}` },
        locations: [location(f.path, f.range)],
        properties: { heap: heapProps(e) },
      });
    }
    if (e.verdict === 'heap-only' || e.verdict === 'unmapped') {
      results.push({
        ruleId: 'heap-growth', level: 'note',
        message: { text: `${e.ownerText} grew between the heap dumps and no rule flags it. ${evidenceText(e)}` },
        ...(e.declaration ? { locations: [location(e.declaration.path, e.declaration.range)] } : { locations: [{ logicalLocations: [{ fullyQualifiedName: e.ownerText }] }] }),
        properties: { heap: heapProps(e) },
      });
    }
  }
  const ids = [...new Set(results.map((x) => (x as { ruleId: string }).ruleId))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'phpleak', version: VERSION, informationUri: 'https://github.com/phpleak/phpleak', rules: ids.map((id) => ({ id, ...(id === 'heap-growth' ? { shortDescription: { text: 'A container that grew between two heap dumps where no rule fired.' } } : {}) })) } },
      results,
    }],
  };
}

export function formatRefPaths(r: RefPathResult, file: string, format: FormatName): string {
  if (format === 'json') return JSON.stringify({ version: VERSION, dump: file, ...r }, null, 2) + '\n';
  const out = [`${r.query} in ${file}: ${count(r.instances)} ${r.instances === 1 ? 'item' : 'items'}, ${bytes(r.retained)} retained`, ''];
  for (const g of r.groups) {
    out.push(`  ${count(g.instances)} × ${g.path}  (${bytes(g.retained)} retained)`);
    if (g.example.length > 0) out.push(`      ${g.example.map((s) => `${s.step} ${s.what} ${s.address}`).join(' → ')}`);
  }
  if (r.referrers) {
    out.push('', `  referenced by ${count(r.referrers.count)} ${r.referrers.count === 1 ? 'item' : 'items'}${r.referrers.count > r.referrers.paths.length ? `, ${r.referrers.paths.length} shown` : ''}:`);
    for (const p of r.referrers.paths) out.push(`      ${p}`);
  }
  return out.join('\n') + '\n';
}
