import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/config.js';
import { DUMPS, NO_DUMPS, ROOT, scenarioProject, SCENARIOS } from '../helpers/heap.js';
import { phpleak } from './helpers.js';

// `phpleak heap` on the real php-meminfo dumps (../shared/heap-dumps), joined with the
// scenarios' own code (fixtures/heap/<scenario>): exact reports, as users read them.

const EXPECTED: Record<(typeof SCENARIOS)[number], { code: number; stdout: string }> = {
  'talk-cache': { code: 1, stdout: `dumps/talk-cache-1000.json → dumps/talk-cache-2000.json, 1,000 iterations apart
memory_usage 563.4 KB → 743.7 KB; 3,025 → 6,025 items

Growing between the dumps (ranked by retained growth):
  #  container               entries        retained             per iteration     declaration
  1  $service->cache->items  1,000 → 2,000  143.5 KB → 288.1 KB  +1 entry, +148 B  ArrayCache::$items  src/talk-cache.php:8:13
     holds       User ×2,000 (288.0 KB)
     confirmed   unbounded-cache at src/talk-cache.php:10:60

1 growing container: 1 confirmed by a finding, 0 heap-only
` },
  'static-registry': { code: 1, stdout: `dumps/static-registry-1000.json → dumps/static-registry-2000.json, 1,000 iterations apart
memory_usage 629.4 KB → 865.3 KB; 4,126 → 8,126 items

Growing between the dumps (ranked by retained growth):
  #  container               entries        retained             per iteration     declaration
  1  EventRecorder::$events  1,000 → 2,000  118.1 KB → 237.3 KB  +1 entry, +122 B  EventRecorder::$events  src/static-registry.php:5:20
     holds       MessageHandled ×2,000 (237.2 KB)
     confirmed   unbounded-cache at src/static-registry.php:6:58
  2  Slugger::$memo          1,000 → 2,000  32.2 KB → 65.4 KB    +1 entry, +34 B   Slugger::$memo  src/static-registry.php:10:20
     holds       string ×2,000 (65.3 KB)
     confirmed   unbounded-cache at src/static-registry.php:13:16

Not growing (largest):
  #  container      entries    retained  declaration
  1  Bounded::$lru  100 → 100  3.4 KB    Bounded::$lru  src/static-registry.php:18:20

2 growing containers: 2 confirmed by a finding, 0 heap-only
` },
  'listeners': { code: 1, stdout: `dumps/listeners-1000.json → dumps/listeners-2000.json, 1,000 iterations apart
memory_usage 1.5 MB → 2.7 MB; 23,025 → 46,025 items

Growing between the dumps (ranked by retained growth):
  #  container                        entries        retained           per iteration     declaration
  1  $events->listeners['terminate']  1,000 → 2,000  736.3 KB → 1.5 MB  +1 entry, +776 B  Dispatcher::$listeners  src/listeners.php:5:13
     holds       Closure ×2,000 (1.5 MB), each binding $this: RequestHandler (693 B each, 1.3 MB for all)
     heap-only   no rule flags Dispatcher::$listeners: the static analysis missed this growth

1 growing container: 0 confirmed by a finding, 1 heap-only
` },
  'bounded': { code: 0, stdout: `dumps/bounded-1000.json → dumps/bounded-2000.json, 1,000 iterations apart
memory_usage 387.9 KB → 387.9 KB; 75 → 75 items

No container grew between the dumps.

Not growing (largest):
  #  container         entries  retained  declaration
  1  $service->recent  50 → 50  2.6 KB    Service::$recent  src/bounded.php:7:13

0 growing containers: 0 confirmed by a finding, 0 heap-only
` },
};

const compare = (name: string, ...more: string[]) => ['heap', `dumps/${name}-1000.json`, '--compare', `dumps/${name}-2000.json`, ...more];

// Each test spawns the CLI (a few seconds each on a loaded 2-core machine).
describe.skipIf(!DUMPS)(`phpleak heap on the shared dumps${DUMPS ? '' : ` (skipped: ${NO_DUMPS})`}`, { timeout: 120_000 }, () => {
  for (const name of SCENARIOS) {
    it(`${name}: the exact ranked report with growth per iteration`, () => {
      const cwd = scenarioProject(name);
      const r = phpleak(compare(name, '--iterations', '1000', 'src'), { cwd });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(EXPECTED[name].stdout);
      expect(r.code).toBe(EXPECTED[name].code);
    });
  }

  it('talk-cache as JSON: the cache finding confirmed with its growth', () => {
    const cwd = scenarioProject('talk-cache');
    const r = phpleak([...compare('talk-cache', '--iterations', '1000', 'src'), '-f', 'json'], { cwd });
    const report = JSON.parse(r.stdout);
    expect(report.entries).toHaveLength(1);
    const [e] = report.entries;
    expect(e).toMatchObject({
      path: '$service->cache->items', owner: 'ArrayCache::$items', ownerKind: 'property', verdict: 'confirmed',
      declaration: { path: 'src/talk-cache.php', line: 8, column: 13 },
      entries: 2000, instances: 1,
      growth: { status: 'growing', entriesBefore: 1000, entries: 1000, perIteration: { entries: 1 } },
      findings: [{ ruleId: 'unbounded-cache', path: 'src/talk-cache.php', line: 10, column: 60 }],
    });
    expect(e.growth.retained).toBe(e.retained - e.growth.retainedBefore);
    expect(e.evidence).toMatch(/^heap: \+1,000 entries in \$service->cache->items between the dumps \(per iteration: \+1 entry, \+148 B\), 288\.1 KB retained \(\+144\.5 KB\)$/);
  });

  it('static-registry as SARIF: the evidence is in the result properties of each finding', () => {
    const cwd = scenarioProject('static-registry');
    const r = phpleak([...compare('static-registry', 'src'), '-f', 'sarif'], { cwd });
    const results = JSON.parse(r.stdout).runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; properties: { heap: Record<string, unknown> } }[];
    expect(results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region.startLine, x.properties.heap.container, x.properties.heap.verdict])).toEqual([
      ['unbounded-cache', 'src/static-registry.php', 6, 'EventRecorder::$events', 'confirmed'],
      ['unbounded-cache', 'src/static-registry.php', 13, 'Slugger::$memo', 'confirmed'],
    ]);
    expect(results[1]!.properties.heap).toMatchObject({ entries: 2000, entriesGrowth: 1000 });
  });

  it('listeners as SARIF: heap-only growth is a heap-growth result at the declaration', () => {
    const cwd = scenarioProject('listeners');
    const r = phpleak([...compare('listeners', 'src'), '-f', 'sarif'], { cwd });
    const results = JSON.parse(r.stdout).runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; properties: { heap: Record<string, unknown> } }[];
    expect(results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region.startLine, x.properties.heap.container, x.properties.heap.verdict])).toEqual([
      ['heap-growth', 'src/listeners.php', 5, "$events->listeners['terminate']", 'heap-only'],
    ]);
  });

  it('one dump ranks by retained size and makes no growth claim', () => {
    const cwd = scenarioProject('static-registry');
    const r = phpleak(['heap', 'dumps/static-registry-2000.json', 'src'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`dumps/static-registry-2000.json
memory_usage 865.3 KB; 8,126 items

Largest containers (ranked by retained size; compare with a later dump to see growth):
  #  container               entries  retained  declaration
  1  EventRecorder::$events  2,000    237.3 KB  EventRecorder::$events  src/static-registry.php:5:20
     holds       MessageHandled ×2,000 (237.2 KB)
     finding     unbounded-cache at src/static-registry.php:6:58
  2  Slugger::$memo          2,000    65.4 KB   Slugger::$memo  src/static-registry.php:10:20
     holds       string ×2,000 (65.3 KB)
     finding     unbounded-cache at src/static-registry.php:13:16
  3  Bounded::$lru           100      3.4 KB    Bounded::$lru  src/static-registry.php:18:20
     holds       string ×100 (3.3 KB)
`);
  });

  it('--ref-path CLASS: the chain that keeps every RequestHandler alive, grouped', () => {
    const cwd = scenarioProject('listeners');
    const r = phpleak(['heap', 'dumps/listeners-2000.json', '--ref-path', 'RequestHandler'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`RequestHandler in dumps/listeners-2000.json: 2,000 items, 1.3 MB retained

  2,000 × $events->listeners['terminate'][]{$this}  (1.3 MB retained)
      $events Dispatcher 0x7f2489458348 → ->listeners array 0x7f2489458370 → ['terminate'] array 0x7f248946a2c0 → [] Closure 0x7f248947b000 → {$this} RequestHandler 0x7f248947a000
`);
  });

  it('--ref-path 0xADDR: the item\'s chain and who references it', () => {
    const cwd = scenarioProject('listeners');
    const r = phpleak(['heap', 'dumps/listeners-2000.json', '--ref-path', '0x7f2489458348', '-f', 'json'], { cwd });
    const out = JSON.parse(r.stdout);
    expect(out.groups).toEqual([{ path: '$events', instances: 1, retained: out.retained, example: [{ step: '$events', what: 'Dispatcher', address: '0x7f2489458348' }] }]);
    // The global and every RequestHandler's $events property.
    expect(out.referrers.count).toBe(2000);
    expect(out.referrers.paths[0]).toMatch(/^\$events->listeners\['terminate'\]\[\]\{\$this\} \(RequestHandler 0x[0-9a-f]+\)$/);
  });

  it('--ref-path names what is missing', () => {
    const cwd = scenarioProject('listeners');
    expect(phpleak(['heap', 'dumps/bounded-1000.json', '--ref-path', 'NoSuchClass'], { cwd })).toMatchObject({ code: 2, stderr: 'phpleak: no instance of class NoSuchClass in dumps/bounded-1000.json\n' });
  });
});

describe('phpleak heap: usage', { timeout: 120_000 }, () => {
  it('needs a dump, and its options belong to it', () => {
    const cwd = scenarioProject('bounded');
    expect(phpleak(['heap'], { cwd })).toMatchObject({ code: 2, stderr: 'phpleak: heap expects a dump file, e.g. phpleak heap dump.json --compare later.json\n' });
    expect(phpleak(['--compare', 'x.json', 'src'], { cwd })).toMatchObject({ code: 2, stderr: 'phpleak: --compare, --iterations and --ref-path are options of phpleak heap\n' });
    expect(phpleak(['heap', 'a.json', '-f', 'junit'], { cwd })).toMatchObject({ code: 2, stderr: 'phpleak: heap supports --format stylish, json or sarif, got "junit"\n' });
    expect(phpleak(['heap', 'a.json', '--iterations', '10'], { cwd })).toMatchObject({ code: 2 });
    expect(phpleak(['heap', 'a.json', '--iterations', 'ten', '--compare', 'b.json'], { cwd }).stderr).toMatch(/--iterations expects a positive number/);
  });

  it('a missing dump or a file that is not a dump: exit 2 with the reason', () => {
    const cwd = scenarioProject('bounded');
    expect(phpleak(['heap', 'nope.json'], { cwd })).toMatchObject({ code: 2, stderr: 'phpleak: nope.json: cannot be read (ENOENT)\n' });
    expect(phpleak(['heap', 'src/bounded.php'], { cwd })).toMatchObject({ code: 2, stderr: 'phpleak: src/bounded.php: not a php-meminfo dump: not JSON (unexpected "<" at byte 0)\n' });
  });

  it('--help lists the heap command', () => {
    const cwd = scenarioProject('bounded');
    expect(phpleak(['--help'], { cwd }).stdout).toContain('phpleak heap DUMP.json [--compare LATER.json] [--iterations N] [--ref-path CLASS|0xADDR] [paths...]');
  });

  it('phpleak explain heap prints docs/heap.md, whose worked example is the real report', () => {
    const cwd = scenarioProject('bounded');
    const docs = readFileSync(join(ROOT, 'docs', 'heap.md'), 'utf8');
    expect(phpleak(['explain', 'heap'], { cwd })).toMatchObject({ code: 0, stdout: docs });
    const example = /\$ phpleak heap dumps\/talk-cache-1000\.json[^\n]*\n([\s\S]*?)```/.exec(docs)![1]!;
    expect(example).toBe(EXPECTED['talk-cache'].stdout);
  });
});

describe('phpleak.json heapDumps', () => {
  it('takes [before, after] or [dump], nothing else', () => {
    expect(parseConfig('{"heapDumps": ["var/a.json", "var/b.json"]}', '/p/phpleak.json', []).heapDumps).toEqual(['var/a.json', 'var/b.json']);
    expect(parseConfig('{}', '/p/phpleak.json', []).heapDumps).toEqual([]);
    expect(() => parseConfig('{"heapDumps": ["a", "b", "c"]}', '/p/phpleak.json', [])).toThrow('/p/phpleak.json:1:15: heapDumps: expected an array of one or two file paths ([before, after]), got an array of 3');
    expect(() => parseConfig('{"heapDumps": "a.json"}', '/p/phpleak.json', [])).toThrow('/p/phpleak.json:1:15: heapDumps: expected an array of one or two file paths ([before, after]), got "a.json"');
  });
});
