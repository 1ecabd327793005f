import { describe, expect, it } from 'vitest';
import { lintTextDetailed } from '../../engine/lint.js';
import { enrich, ProjectIndex, type FileSummary } from '../../engine/project-index.js';
import type { Finding } from '../../engine/types.js';
import { allIds, ruleById } from '../helpers/lint.js';
import { CACHE, CONTROLLER, SERVICE, WORKER } from '../helpers/talk.js';

// The talk's UserService across files: the summary each lint returns, the index, and enrich.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const lint = (path: string, text: string): { findings: Finding[]; summary: FileSummary } => {
  const r = lintTextDetailed({ path, text, rules, knownRuleIds: allIds, summary: true });
  return { findings: r.findings, summary: r.summary! };
};
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));

describe('file summaries', () => {
  it('names classes by FQN and the holds of properties, constructor parameters and new', () => {
    const s = lint('src/UserService.php', SERVICE).summary;
    expect(s.classes.map((c) => c.fqn)).toEqual(['App\\UserService']);
    expect(s.holds.map((h) => [h.holder, h.held, h.via, h.range.start.line])).toEqual([
      ['App\\UserService', 'App\\Cache\\ArrayBasedCache', 'property', 8],
      ['App\\UserService', 'PDO', 'constructor', 10],
      ['App\\UserService', 'App\\Cache\\ArrayBasedCache', 'new', 12],
    ]);
    expect(s.longRunning).toBeNull();
  });
  it('gives a script holder and the long-running reason', () => {
    const s = lint('bin/worker.php', WORKER).summary;
    expect(s.holds.map((h) => [h.holder, h.held])).toEqual([[null, 'App\\UserService'], [null, 'PDO']]);
    expect(s.longRunning).toBe('a worker loop around `pop()` (line 5)');
  });
  it('is empty for broken or skipped files', () => {
    expect(lint('x.php', '<?php class {').summary).toMatchObject({ classes: [], holds: [] });
    const r = lintTextDetailed({ path: 'big.php', text: SERVICE, rules, summary: true, maxFileBytes: 10 });
    expect(r.summary).toEqual({ path: 'big.php', classes: [], holds: [], longRunning: null, creates: [], resolved: [] });
  });
});

describe('enrich', () => {
  const build = (files: [string, string][]): { index: ProjectIndex; results: Map<string, Finding[]> } => {
    const index = new ProjectIndex();
    const results = new Map<string, Finding[]>();
    for (const [p, t] of files) { const r = lint(p, t); index.set(r.summary); results.set(p, r.findings); }
    return { index, results };
  };
  it('raises a cache kept alive through UserService by a worker, names the holders, and never mutates the input', () => {
    const { index, results } = build([['src/Cache/ArrayBasedCache.php', CACHE], ['src/UserService.php', SERVICE], ['bin/worker.php', WORKER]]);
    const before = results.get('src/Cache/ArrayBasedCache.php')!;
    expect(before.map((f) => [f.ruleId, f.severity])).toEqual([['unbounded-cache', 'warning']]);
    const snapshot = JSON.stringify(before);
    const [f] = enrich('src/Cache/ArrayBasedCache.php', before, index, { rules: metas });
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(f!.severity).toBe('error');
    expect(f!.message).toBe(before[0]!.message);
    expect(f!.details).toMatch(/\. `ArrayBasedCache` is kept alive by `UserService` \(src\/UserService\.php:8\), held by bin\/worker\.php, a worker loop around `pop\(\)` \(line 5\), which does not end after one request, so the cache keeps every entry until the process exits\.$/);
    expect(f!.related.filter((r) => r.path).map((r) => [r.path, r.range.start.line, r.message])).toEqual([
      ['src/UserService.php', 8, 'kept alive by `UserService`, which holds `ArrayBasedCache` here'],
      ['bin/worker.php', 4, 'kept alive by this code, which creates `UserService` here: a worker loop around `pop()` (line 5), which does not end after one request'],
      // The evidence is `$key` of the public set(): the caller that hands it data is named.
      ['src/UserService.php', 19, 'called here with `$id` of the public `UserService::getUser()`'],
    ]);
  });
  it('leaves a cache used only from request-scoped code at its default severity', () => {
    const { index, results } = build([['src/Cache/ArrayBasedCache.php', CACHE], ['src/UserService.php', SERVICE], ['src/Http/UserController.php', CONTROLLER]]);
    const out = enrich('src/Cache/ArrayBasedCache.php', results.get('src/Cache/ArrayBasedCache.php')!, index, { rules: metas });
    expect(out.map((f) => [f.severity, f.related.filter((r) => r.path).map((r) => r.message)])).toEqual([['warning', ['called here with `$id` of the public `UserService::getUser()`']]]);
  });
  it('leaves a cache keyed by the ids of a table that may be a catalogue at info, and raises one keyed by visitors to error', () => {
    const byProduct = CACHE.replace(/string \$key/g, 'object $product').replace(/\$this->cache\[\$key\]/g, '$this->cache[$product->getId()]');
    const byVisitor = byProduct.replace(/\$product/g, '$visitor');
    for (const [text, raised] of [[byProduct, 'info'], [byVisitor, 'error']] as const) {
      const { index, results } = build([['src/Cache/ArrayBasedCache.php', text], ['src/UserService.php', SERVICE], ['bin/worker.php', WORKER]]);
      const found = results.get('src/Cache/ArrayBasedCache.php')!;
      // A catalogue's ids alone are info, also when long-running code keeps the cache alive.
      expect(found.map((f) => [f.severity, f.raiseTo ?? null])).toEqual([raised === 'info' ? ['info', 'info'] : ['warning', null]]);
      expect(enrich('src/Cache/ArrayBasedCache.php', found, index, { rules: metas })[0]!.severity).toBe(raised);
    }
  });
  it('keeps a pinned severity but still explains', () => {
    const { index, results } = build([['src/Cache/ArrayBasedCache.php', CACHE], ['src/UserService.php', SERVICE], ['bin/worker.php', WORKER]]);
    const [f] = enrich('src/Cache/ArrayBasedCache.php', results.get('src/Cache/ArrayBasedCache.php')!, index, { rules: metas, pinned: new Set(['unbounded-cache']) });
    expect(f!.severity).toBe('warning');
    expect(f!.details).toMatch(/kept alive by `UserService`/);
  });
  it('follows the index as files change (LSP)', () => {
    const { index, results } = build([['src/Cache/ArrayBasedCache.php', CACHE], ['src/UserService.php', SERVICE], ['bin/worker.php', WORKER]]);
    index.set(lint('bin/worker.php', '<?php\n$users = new App\\UserService($pdo);\n').summary);
    expect(enrich('src/Cache/ArrayBasedCache.php', results.get('src/Cache/ArrayBasedCache.php')!, index, { rules: metas })[0]!.severity).toBe('warning');
    index.set(lint('bin/worker.php', WORKER).summary);
    expect(enrich('src/Cache/ArrayBasedCache.php', results.get('src/Cache/ArrayBasedCache.php')!, index, { rules: metas })[0]!.severity).toBe('error');
    index.delete('bin/worker.php');
    expect(enrich('src/Cache/ArrayBasedCache.php', results.get('src/Cache/ArrayBasedCache.php')!, index, { rules: metas })[0]!.severity).toBe('warning');
  });
});

describe('test files in the index', () => {
  it('a test that creates a class and is a console command keeps nothing alive', () => {
    const text = '<?php\nuse Symfony\\Component\\Console\\Command\\Command;\nclass Foo extends Command { function t() { $this->s = new \\App\\UserService(); while (true) { $q->pop(); } } }\n';
    const r = lintTextDetailed({ path: 'tests/FooTest.php', text, rules: [], summary: true });
    expect(r.summary?.holds).toEqual([]);
    expect(r.summary?.longRunning).toBeNull();
    const asCode = lintTextDetailed({ path: 'src/Foo.php', text, rules: [], summary: true });
    expect(asCode.summary?.holds.map((h) => h.held)).toEqual(['App\\UserService']);
  });
});

describe('holders store what they keep alive', () => {
  const holds = (text: string): string[] => lintTextDetailed({ path: 'src/Foo.php', text, rules: [], summary: true }).summary!.holds.map((h) => `${h.holder ?? 'script'} ${h.via} ${h.held}`);
  it('a method that creates an object and drops it holds nothing', () => {
    expect(holds('<?php\nnamespace App;\nclass Sync { function run() { $s = new UserService(); $s->sync(); } }\n')).toEqual([]);
  });
  it('a property, a static, a script variable and a kept constructor parameter hold', () => {
    expect(holds('<?php\nnamespace App;\nclass Sync { private static $c; function __construct(Repo $r, Log $l) { $this->users = $cache ?? new UserService(); self::$c = new Cache(); $this->r = $r; } }\n$w = new Worker();\n')).toEqual([
      'App\\Sync constructor App\\Repo', 'script new App\\Worker', 'App\\Sync new App\\UserService', 'App\\Sync new App\\Cache',
    ]);
  });
  it('an event or a DTO is not a holder', () => {
    expect(holds('<?php\nnamespace App;\nclass UserCreatedEvent { public function __construct(public UserService $users) {} }\n')).toEqual([]);
  });
});

describe('the index kept up to date file by file', () => {
  // The language server indexes a workspace in walk order and re-indexes files as they change;
  // the chains it reports must be those of an index filled once, in path order (the CLI's).
  const at = { line: 1, column: 0, offset: 0 };
  const range = { start: at, end: at };
  const file = (path: string, holds: [string | null, string][], longRunning: string | null = null): FileSummary => ({
    path, longRunning, classes: [...new Set(holds.map(([h]) => h).filter((h): h is string => h !== null))].map((fqn) => ({ fqn, range })),
    holds: holds.map(([holder, held]) => ({ holder, held, via: 'property' as const, range })), creates: [], resolved: [],
  });
  const files = [
    file('b/Service.php', [['Service', 'Cache'], ['Service', 'Pdo']]),
    file('a/Other.php', [['Other', 'cache']]),
    file('z/worker.php', [[null, 'Service']], 'a worker loop'),
    file('c/daemon.php', [[null, 'Other']], 'a daemon'),
    file('d/Unrelated.php', [['Unrelated', 'Pdo']]),
  ];
  const chain = (idx: ProjectIndex, fqn: string): string => JSON.stringify(idx.keptAliveBy(fqn));

  it('gives the chains of an index filled once, whatever the order, after replacements and deletions', () => {
    const once = new ProjectIndex();
    for (const f of [...files].sort((x, y) => (x.path < y.path ? -1 : 1))) once.set(f);
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]]) {
      const idx = new ProjectIndex();
      // Each file first indexed with other holds, then replaced by its real summary.
      for (const i of order) idx.set({ ...files[i]!, holds: [{ holder: null, held: 'Stale', via: 'new', range }] });
      for (const i of order) idx.set(files[i]!);
      for (const fqn of ['Cache', 'Pdo', 'Service', 'Other', 'Stale']) expect(chain(idx, fqn)).toBe(chain(once, fqn));
    }
    expect(once.keptAliveBy('Cache')?.links.map((l) => l.path)).toEqual(['a/Other.php', 'c/daemon.php']);
    const idx = new ProjectIndex();
    for (const f of files) idx.set(f);
    expect(idx.delete('c/daemon.php')).toBe(true);
    expect(idx.delete('c/daemon.php')).toBe(false);
    expect(idx.keptAliveBy('Cache')?.links.map((l) => l.path)).toEqual(['b/Service.php', 'z/worker.php']);
    idx.delete('z/worker.php');
    expect(idx.keptAliveBy('Cache')).toBeNull();
  });
});
