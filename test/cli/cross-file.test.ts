import { describe, expect, it } from 'vitest';
import { CACHE, CONTROLLER, SERVICE, WORKER } from '../helpers/talk.js';
import { AUDIT_CONTROLLER, AUDIT_LOG, auditSetup } from '../helpers/callers.js';
import { SNIPPET_STACK } from '../helpers/snippet-stack.js';
import { makeProject, phpleak } from './helpers.js';

// The talk's UserService across files, end to end: the cache class is an error with the
// holders named when a worker keeps UserService alive, and stays a warning when only a
// request-scoped controller uses it.

interface JsonFinding { ruleId: string; severity: string; message: string; details?: string; line: number; related: { path?: string; line: number; message: string }[] }
const cacheFindings = (stdout: string): JsonFinding[] => {
  const body = JSON.parse(stdout) as { files: { path: string; findings: JsonFinding[] }[] };
  return body.files.find((f) => f.path === 'src/Cache/ArrayBasedCache.php')?.findings.filter((f) => f.ruleId === 'unbounded-cache') ?? [];
};

describe('cross-file: a cache kept alive by a worker in another file', () => {
  const worker = { 'src/Cache/ArrayBasedCache.php': CACHE, 'src/UserService.php': SERVICE, 'bin/worker.php': WORKER };
  it('raises the finding in ArrayBasedCache::set() and names the holders (json, stylish, sarif; with and without the cache)', () => {
    const p = makeProject(worker);
    for (const args of [['--no-cache'], ['--cache'], ['--cache']]) {
      const r = phpleak(['-j', '2', '-f', 'json', ...args], { cwd: p });
      expect(r.code).toBe(1);
      const [f, ...rest] = cacheFindings(r.stdout);
      expect(rest).toEqual([]);
      expect(f!.line).toBe(8);
      expect(f!.severity).toBe('error');
      expect(f!.message).toBe('`$this->cache` grows per key, never evicted: keyed by `$key` of the public `ArrayBasedCache::set()`, a cache of its callers\' keys');
      expect(f!.details).toContain('`ArrayBasedCache` is kept alive by `UserService` (src/UserService.php:8), held by bin/worker.php, a worker loop around `pop()` (line 5), which does not end after one request');
      // The holders, then the caller that hands set() its data (engine/project-callers.ts).
      expect(f!.related.filter((x) => x.path).map((x) => [x.path, x.line])).toEqual([['src/UserService.php', 8], ['bin/worker.php', 4], ['src/UserService.php', 19]]);
    }
    // Related locations are for --verbose; each is a clickable path:line:col.
    expect(phpleak(['-j', '1', '--no-cache'], { cwd: p }).stdout).not.toMatch(/kept alive/);
    const stylish = phpleak(['-j', '1', '--no-cache', '--verbose'], { cwd: p }).stdout;
    expect(stylish).toMatch(/^ {4}src\/UserService\.php:8:13 {2}kept alive by `UserService`/m);
    expect(stylish).toMatch(/^ {4}bin\/worker\.php:4:10 {2}kept alive by this code/m);
    const sarif = JSON.parse(phpleak(['-j', '1', '-f', 'sarif'], { cwd: p }).stdout);
    const uris = sarif.runs[0].results.flatMap((r: { relatedLocations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => (r.relatedLocations ?? []).map((l) => l.physicalLocation.artifactLocation.uri));
    expect(uris).toEqual(expect.arrayContaining(['src/UserService.php', 'bin/worker.php']));
  });
  it('keeps the default severity when only request-scoped code uses it', () => {
    const p = makeProject({ 'src/Cache/ArrayBasedCache.php': CACHE, 'src/UserService.php': SERVICE, 'src/Http/UserController.php': CONTROLLER });
    const [f] = cacheFindings(phpleak(['-j', '2', '-f', 'json'], { cwd: p }).stdout);
    expect(f!.severity).toBe('warning');
    expect(f!.details).not.toMatch(/kept alive/);
    expect(f!.related.filter((x) => x.path).map((x) => [x.path, x.line, x.message])).toEqual([['src/UserService.php', 19, 'called here with `$id` of the public `UserService::getUser()`']]);
  });
  it('keeps a severity the config pins, and sees only the files of the run', () => {
    const p = makeProject({ ...worker, 'phpleak.json': '{ "rules": { "unbounded-cache": "info" } }' });
    const [f] = cacheFindings(phpleak(['-j', '1', '-f', 'json'], { cwd: p }).stdout);
    expect(f!.severity).toBe('info');
    expect(f!.details).toMatch(/kept alive by `UserService`/);
    const alone = cacheFindings(phpleak(['-j', '1', '-f', 'json', 'src/Cache'], { cwd: p }).stdout);
    expect(alone.map((x) => x.details)).not.toEqual([expect.stringMatching(/kept alive/)]);
    // The message, which baselines and fingerprints match, is the same either way.
    expect(alone.map((x) => x.message)).toEqual([f!.message]);
  });
});

describe('cross-file: a cache of a class every caller makes for one call', () => {
  const enricher = `<?php
namespace App\\Support;

final class LinkEnricher
{
    private array $previews = [];

    public function previewOf(string $url): array
    {
        return $this->previews[$url] ??= ['url' => $url];
    }
}
`;
  const controller = `<?php
namespace App\\Http\\Controllers;

use App\\Support\\LinkEnricher;

final class PostController
{
    public function show(array $post): array
    {
        $enricher = new LinkEnricher();
        $post['preview'] = $enricher->previewOf($post['link']);

        return $post;
    }
}
`;
  const lines = (stdout: string): [string, number][] => (JSON.parse(stdout) as { files: { path: string; findings: JsonFinding[] }[] }).files
    .flatMap((f) => f.findings.filter((x) => x.ruleId === 'unbounded-cache').map((x): [string, number] => [f.path, x.line]));
  it('is silent over the project (with and without the cache), and reports the class linted alone', () => {
    const p = makeProject({ 'src/Support/LinkEnricher.php': enricher, 'src/Http/Controllers/PostController.php': controller });
    for (const args of [['--no-cache'], ['--cache'], ['--cache']]) {
      const r = phpleak(['-j', '2', '-f', 'json', ...args], { cwd: p });
      expect(r.code).toBe(0);
      expect(lines(r.stdout)).toEqual([]);
    }
    expect(lines(phpleak(['-j', '1', '-f', 'json', '--no-cache', 'src/Support'], { cwd: p }).stdout)).toEqual([['src/Support/LinkEnricher.php', 10]]);
  });
});

describe('cross-file: a static registry whose reset is called from another file', () => {
  const registry = SNIPPET_STACK;
  const middleware = (body: string) => `<?php
namespace App\\Http\\Middleware;

use App\\View\\SnippetStack;

final class RenderSnippets
{
    public function handle($request, \\Closure $next)
    {
        $response = $next($request);
        ${body}
        return $response;
    }
}
`;
  const registryFindings = (stdout: string): [number, string][] => {
    const body = JSON.parse(stdout) as { files: { path: string; findings: JsonFinding[] }[] };
    return (body.files.find((f) => f.path === 'src/View/SnippetStack.php')?.findings ?? []).map((f) => [f.line, f.message]);
  };
  it('reports the registry while no file calls flush(), and not once the middleware does (with and without the cache)', () => {
    const leaky = makeProject({ 'src/View/SnippetStack.php': registry, 'src/Http/Middleware/RenderSnippets.php': middleware('') });
    expect(registryFindings(phpleak(['-j', '1', '-f', 'json', '--no-cache'], { cwd: leaky }).stdout)).toEqual([
      [10, '`static::$pending` keeps every `$snippet` registered, by its own id, until someone calls `flush()`'],
    ]);
    const fixed = makeProject({ 'src/View/SnippetStack.php': registry, 'src/Http/Middleware/RenderSnippets.php': middleware('SnippetStack::flush();') });
    for (const args of [['--no-cache'], ['--cache'], ['--cache']]) {
      const r = phpleak(['-j', '2', '-f', 'json', ...args], { cwd: fixed });
      expect(r.code).toBe(0);
      expect(registryFindings(r.stdout)).toEqual([]);
    }
    // The registry's file alone: the caller is not among the files linted.
    expect(registryFindings(phpleak(['-j', '1', '-f', 'json', '--no-cache', 'src/View'], { cwd: fixed }).stdout)).toHaveLength(1);
  });
});

describe('cross-file: a registry whose callers decide its finding', () => {
  const setup = auditSetup('        AuditLog::ignore(CacheHit::class);\n        AuditLog::ignore(QueryExecuted::class);');
  const logFindings = (stdout: string): [number, string][] => {
    const body = JSON.parse(stdout) as { files: { path: string; findings: JsonFinding[] }[] };
    return (body.files.find((f) => f.path === 'src/Audit/AuditLog.php')?.findings ?? []).map((f) => [f.line, f.message]);
  };
  const reported = [[10, '`self::$ignored` grows per call, never evicted: appends `$value` of the public `AuditLog::ignore()`']];
  it('is silent while every caller passes class names, reported once a controller passes request input, and linted alone (with and without the cache)', () => {
    const p = makeProject({ 'src/Audit/AuditLog.php': AUDIT_LOG, 'src/Audit/AuditSubscriber.php': setup });
    for (const args of [['--no-cache'], ['--cache'], ['--cache']]) {
      const r = phpleak(['-j', '2', '-f', 'json', ...args], { cwd: p });
      expect(r.code).toBe(0);
      expect(logFindings(r.stdout)).toEqual([]);
    }
    expect(logFindings(phpleak(['-j', '1', '-f', 'json', '--no-cache', 'src/Audit/AuditLog.php'], { cwd: p }).stdout)).toEqual(reported);
    const open = makeProject({ 'src/Audit/AuditLog.php': AUDIT_LOG, 'src/Audit/AuditSubscriber.php': setup, 'src/Http/Controllers/AuditSettingsController.php': AUDIT_CONTROLLER });
    const r = phpleak(['-j', '2', '-f', 'json', '--cache'], { cwd: open });
    expect(logFindings(r.stdout)).toEqual(reported);
    const body = JSON.parse(r.stdout) as { files: { path: string; findings: JsonFinding[] }[] };
    expect(body.files.find((f) => f.path === 'src/Audit/AuditLog.php')!.findings[0]!.related.at(-1)).toMatchObject({
      path: 'src/Http/Controllers/AuditSettingsController.php', line: 11, message: 'called here with request input (`$request->input()`)',
    });
  });
});

describe('cross-file: a public reset of the cache that another file calls', () => {
  // A blocklist memo keyed by values handed to its public check; its cleanCache() empties it.
  const blocklist = `<?php
namespace App\\Model;

class ValueBlocklist
{
    private array $blocked = [];

    public function isBlocked(string $value): bool
    {
        if (isset($this->blocked[$value])) {
            return $this->blocked[$value];
        }
        return $this->blocked[$value] = $this->lookUp($value);
    }

    public function cleanCache(): void
    {
        $this->blocked = [];
    }

    private function lookUp(string $value): bool
    {
        return str_starts_with($value, 'x');
    }
}
`;
  const job = (after: string) => `<?php
namespace App\\Jobs;

use App\\Model\\ValueBlocklist;

class CorrelateEvent
{
    public function __construct(private ValueBlocklist $valueBlocklist, private Store $store) {}

    public function handle(array $values): void
    {
        foreach ($values as $v) {
            if (!$this->valueBlocklist->isBlocked($v)) {
                $this->store->save($v);
            }
        }
        ${after}
    }
}
`;
  const lines = (stdout: string): number[] => ((JSON.parse(stdout) as { files: { path: string; findings: JsonFinding[] }[] }).files
    .find((f) => f.path === 'src/Model/ValueBlocklist.php')?.findings ?? []).filter((f) => f.ruleId === 'unbounded-cache').map((f) => f.line);

  it('reports the memo while nobody calls cleanCache(), not once the job does on a receiver named for the class, and still when only an unrelated ->cleanCache() or a test calls it', () => {
    for (const args of [['--no-cache'], ['--cache'], ['--cache']]) {
      expect(lines(phpleak(['-j', '1', '-f', 'json', ...args], { cwd: makeProject({ 'src/Model/ValueBlocklist.php': blocklist, 'src/Jobs/CorrelateEvent.php': job('') }) }).stdout)).toEqual([13]);
      expect(lines(phpleak(['-j', '1', '-f', 'json', ...args], { cwd: makeProject({ 'src/Model/ValueBlocklist.php': blocklist, 'src/Jobs/CorrelateEvent.php': job('$this->valueBlocklist->cleanCache();') }) }).stdout)).toEqual([]);
      expect(lines(phpleak(['-j', '1', '-f', 'json', ...args], { cwd: makeProject({ 'src/Model/ValueBlocklist.php': blocklist, 'src/Jobs/CorrelateEvent.php': job('$this->store->cleanCache();') }) }).stdout)).toEqual([13]);
      expect(lines(phpleak(['-j', '1', '-f', 'json', ...args], { cwd: makeProject({ 'src/Model/ValueBlocklist.php': blocklist, 'src/Jobs/CorrelateEvent.php': job(''), 'tests/BlocklistTest.php': '<?php\nfunction t($valueBlocklist) { $valueBlocklist->cleanCache(); }\n' }) }).stdout)).toEqual([13]);
    }
  });
});
