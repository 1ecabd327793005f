import { describe, expect, it } from 'vitest';
import { lintTextDetailed } from '../../engine/lint.js';
import { enrich, ProjectIndex, type FileSummary } from '../../engine/project-index.js';
import type { Finding } from '../../engine/types.js';
import { allIds, ruleById } from '../helpers/lint.js';
import { SNIPPET_STACK } from '../helpers/snippet-stack.js';

// A static registry that only its own reset empties (rules/unbounded-cache-transient.ts) is
// reported unless another file of the project calls that reset: the summary lists the calls of
// each file, and enrich drops the finding when one answers it.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));
const lint = (path: string, text: string): { findings: Finding[]; summary: FileSummary } => {
  const r = lintTextDetailed({ path, text, rules, knownRuleIds: allIds, summary: true });
  return { findings: r.findings, summary: r.summary! };
};

const REGISTRY = SNIPPET_STACK;

const middleware = (call: string): string => `<?php
namespace App\\Http\\Middleware;

use App\\View\\SnippetStack;

final class RenderSnippets
{
    public function handle($request, \\Closure $next)
    {
        $response = $next($request);
        ${call};

        return $response;
    }
}
`;

function run(files: [string, string][]): Finding[] {
  const index = new ProjectIndex();
  const results = new Map<string, Finding[]>();
  for (const [p, t] of files) { const r = lint(p, t); index.set(r.summary); results.set(p, r.findings); }
  return enrich('src/View/SnippetStack.php', results.get('src/View/SnippetStack.php')!, index, { rules: metas });
}

describe('calls in file summaries', () => {
  it('lists static calls by resolved class, instance calls by name and by receiver name, sorted', () => {
    const s = lint('src/Http/Middleware/RenderSnippets.php', middleware('SnippetStack::flush(); $this->log->info("x"); self::boot(); $stack->clear(); $this->make()->reset()')).summary;
    expect(s.calls).toEqual(['->clear', '->info', '->make', '->reset', 'app\\http\\middleware\\rendersnippets::boot', 'app\\view\\snippetstack::flush', 'log->info', 'stack->clear']);
  });
  it('lists no calls for a test file: a tearDown() that resets does not reset production', () => {
    expect(lint('tests/SnippetTest.php', middleware('SnippetStack::flush()')).summary.calls).toEqual([]);
  });
});

describe('a reset called from another file', () => {
  it('is reported at the write, naming the reset, while no file calls it', () => {
    const out = run([['src/View/SnippetStack.php', REGISTRY], ['src/Http/Middleware/RenderSnippets.php', middleware('$x = 1')]]);
    expect(out.map((f) => [f.ruleId, f.range.start.line, f.range.start.column, f.range.end.column, f.message])).toEqual([
      ['unbounded-cache', 10, 8, 54, '`static::$pending` keeps every `$snippet` registered, by its own id, until someone calls `flush()`'],
    ]);
    expect(out[0]!.unlessCalled).toEqual(['app\\view\\snippetstack::flush']);
  });
  it('is dropped when a middleware calls the static reset by its class', () => {
    expect(run([['src/View/SnippetStack.php', REGISTRY], ['src/Http/Middleware/RenderSnippets.php', middleware('SnippetStack::flush()')]])).toEqual([]);
  });
  it('stays when only a test calls it, or another class\'s flush() is called, statically or on an object', () => {
    expect(run([['src/View/SnippetStack.php', REGISTRY], ['tests/SnippetTest.php', middleware('SnippetStack::flush()')]])).toHaveLength(1);
    expect(run([['src/View/SnippetStack.php', REGISTRY], ['src/Http/Middleware/RenderSnippets.php', middleware('\\App\\Cache\\Pool::flush()')]])).toHaveLength(1);
    expect(run([['src/View/SnippetStack.php', REGISTRY], ['src/Http/Middleware/RenderSnippets.php', middleware('$this->em->flush()')]])).toHaveLength(1);
  });
  it('takes a call on an object for an instance reset: the index does not type receivers', () => {
    const instance = REGISTRY.replace('public static function flush', 'public function flush');
    const index = new ProjectIndex();
    const own = lint('src/View/SnippetStack.php', instance);
    expect(own.findings[0]!.unlessCalled).toEqual(['app\\view\\snippetstack::flush', '->flush']);
    index.set(own.summary);
    index.set(lint('src/Http/Middleware/RenderSnippets.php', middleware('$this->snippets->flush()')).summary);
    expect(enrich('src/View/SnippetStack.php', own.findings, index, { rules: metas })).toEqual([]);
  });
  it('follows the index as the caller changes (LSP)', () => {
    const index = new ProjectIndex();
    const own = lint('src/View/SnippetStack.php', REGISTRY);
    index.set(own.summary);
    index.set(lint('src/Http/Middleware/RenderSnippets.php', middleware('SnippetStack::flush()')).summary);
    expect(enrich('src/View/SnippetStack.php', own.findings, index, { rules: metas })).toEqual([]);
    index.set(lint('src/Http/Middleware/RenderSnippets.php', middleware('$x = 1')).summary);
    expect(enrich('src/View/SnippetStack.php', own.findings, index, { rules: metas })).toHaveLength(1);
    index.set(lint('src/Http/Middleware/RenderSnippets.php', middleware('SnippetStack::flush()')).summary);
    index.delete('src/Http/Middleware/RenderSnippets.php');
    expect(enrich('src/View/SnippetStack.php', own.findings, index, { rules: metas })).toHaveLength(1);
  });
});
