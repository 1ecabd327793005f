import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { all, parseXml } from './xml.js';
import { makeProject, phpleak, PHP, read } from './helpers.js';

// Every format, end to end, against golden files (UPDATE_GOLDEN=1 rewrites them). The project
// only has findings the engine itself makes (parse errors, ignore comments), so the goldens do
// not move when a rule's wording changes; a path with a space, a quote and Unicode checks escaping.

const GOLDEN = join(import.meta.dirname, 'golden');
const FILES = {
  'src/Clean.php': PHP.clean,
  'src/Broken.php': PHP.syntaxError,
  "src/dir with space/it's ünïcode.php": PHP.bareIgnore,
  'src/Unused.php': PHP.unusedIgnore,
};
const project = makeProject(FILES);

function normalize(format: string, text: string): string {
  let t = text.replaceAll(project, '/PROJECT');
  if (format === 'sarif') {
    const log = JSON.parse(t);
    for (const run of log.runs) {
      run.tool.driver.semanticVersion = run.tool.driver.version = 'VERSION';
      run.tool.driver.rules = "RULES";
      for (const r of run.results) delete r.ruleIndex;
    }
    t = JSON.stringify(log, null, 2) + '\n';
  }
  if (format === 'json') t = t.replace(/"version": "[^"]+"/, '"version": "VERSION"');
  return t;
}

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const EXT: Record<string, string> = { stylish: 'txt', json: 'json', sarif: 'sarif.json', checkstyle: 'xml', junit: 'xml', github: 'txt', gitlab: 'json' };

describe('formats (golden files)', () => {
  for (const format of Object.keys(EXT)) {
    it(`${format}`, () => {
      const r = phpleak(['-f', format, '-j', '1'], { cwd: project });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      golden(`${format}.${EXT[format]}`, normalize(format, r.stdout));
    });
  }

  it('writes the report to --output (creating folders) and nothing to stdout', () => {
    const r = phpleak(['-f', 'json', '-o', 'reports/out dir/phpleak.json', '-j', '1'], { cwd: project });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(read(project, 'reports/out dir/phpleak.json')).summary.findings).toBe(3);
  });
});

describe('formats are well-formed for their consumers', () => {
  it('checkstyle parses back as XML with 1-based lines and columns', () => {
    const xml = parseXml(phpleak(['-f', 'checkstyle', '-j', '1'], { cwd: project }).stdout);
    expect(xml.name).toBe('checkstyle');
    const files = all(xml, 'file').map((f) => f.attrs.name);
    expect(files).toContain("src/dir with space/it's ünïcode.php");
    const errors = all(xml, 'error');
    expect(errors.map((e) => e.attrs.source)).toEqual(['phpleak.parse-error', 'phpleak.unused-ignore', 'phpleak.invalid-ignore']);
    const parse = errors[0]!;
    expect([parse.attrs.line, parse.attrs.column, parse.attrs.severity]).toEqual(['3', '6', 'error']);
  });

  it('junit parses back: one suite per file, a failure per finding, clean files pass', () => {
    // --include-info: the info finding (unused-ignore) is a failure too; without it, left out.
    const xml = parseXml(phpleak(['-f', 'junit', '-j', '1', '--include-info'], { cwd: project }).stdout);
    expect(xml.name).toBe('testsuites');
    const suites = all(xml, 'testsuite');
    expect(suites).toHaveLength(4);
    expect(all(xml, 'failure')).toHaveLength(3);
    const clean = suites.find((s) => s.attrs.name === 'src/Clean.php')!;
    expect(clean.attrs.failures).toBe('0');
    expect(all(clean, 'testcase')).toHaveLength(1);
    expect(xml.attrs.failures).toBe('3');
  });

  it('SARIF 2.1.0 has what GitHub code scanning requires', () => {
    const log = JSON.parse(phpleak(['-f', 'sarif', '-j', '1'], { cwd: project }).stdout);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    const rules = run.tool.driver.rules as { id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string; markdown: string }; defaultConfiguration: { level: string } }[];
    for (const r of rules) {
      expect(r.id).toMatch(/^[a-z0-9-]+$/);
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.fullDescription.text.length).toBeGreaterThan(0);
      expect(r.help.markdown.length).toBeGreaterThan(0);
      expect(['error', 'warning', 'note']).toContain(r.defaultConfiguration.level);
    }
    for (const res of run.results) {
      expect(rules[res.ruleIndex]!.id).toBe(res.ruleId);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\/|^file:/);
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
      expect(Object.values(res.partialFingerprints)[0]).toMatch(/^[0-9a-f]{64}$/);
    }
    const uris = run.results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain("src/dir%20with%20space/it's%20%C3%BCn%C3%AFcode.php");
    // The help of a registered rule is its docs page.
    const withDocs = rules.find((r) => !['parse-error', 'internal-error', 'unused-ignore', 'invalid-ignore', 'file-skipped'].includes(r.id));
    if (withDocs) expect(withDocs.help.markdown).toContain('## What it does');
  });

  it('github annotations escape properties and data', () => {
    const p = makeProject({ 'a,b:c%.php': '<?php\n// phpleak-ignore-next-line\n$x = 1;\n' });
    const out = phpleak(['-f', 'github', '-j', '1'], { cwd: p }).stdout;
    expect(out).toMatch(/^::warning file=a%2Cb%3Ac%25\.php,line=2,col=1,endLine=2,endColumn=\d+,title=phpleak invalid-ignore::/);
  });

  it('gitlab fingerprints are unique and survive a line move', () => {
    const p = makeProject({ 'a.php': PHP.bareIgnore + PHP.bareIgnore.replace('<?php\n', '') });
    const before = JSON.parse(phpleak(['-f', 'gitlab', '-j', '1'], { cwd: p }).stdout);
    writeFileSync(join(p, 'a.php'), '<?php\n\n\n\n' + PHP.bareIgnore.replace('<?php\n', '') + PHP.bareIgnore.replace('<?php\n', ''));
    const after = JSON.parse(phpleak(['-f', 'gitlab', '-j', '1'], { cwd: p }).stdout);
    const fp = (x: { fingerprint: string }[]) => x.map((i) => i.fingerprint).sort();
    expect(new Set(fp(before)).size).toBe(2);
    expect(fp(after)).toEqual(fp(before));
    expect(after[0].location.positions.begin.line).not.toBe(before[0].location.positions.begin.line);
  });
});
