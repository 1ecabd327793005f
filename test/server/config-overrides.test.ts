import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver/node.js';
import { clientStarter, repoRoot } from './lsp-client.js';

// phpleak.json's JSONC and per-path `overrides` in the language server (issue 13 point 5).

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');
const start = clientStarter();
const sev = (ds: Diagnostic[], code: string): number | undefined => ds.find((d) => d.code === code)?.severity;

describe('phpleak-lsp and phpleak.json overrides', () => {
  it('applies the overrides that match each document, under the client settings', async () => {
    const c = await start({ settings: { debounceMs: 5 } });
    writeFileSync(join(c.root, 'phpleak.json'), [
      '{',
      '  // JSONC: comments and trailing commas',
      '  "rules": { "gc-disabled": "warning" },',
      '  "overrides": [',
      '    { "files": ["src/Legacy/**"], "rules": { "gc-disabled": "error", "eval-in-loop": "off" } },',
      '  ],',
      '}',
    ].join('\n'));
    const plain = c.write('src/Importer.php', demo);
    const legacy = c.write('src/Legacy/Importer.php', demo);
    await c.open(plain, demo, 1);
    await c.open(legacy, demo, 1);
    const p = await c.diagnosticsFor(plain, 1);
    const l = await c.diagnosticsFor(legacy, 1);
    expect(sev(p, 'gc-disabled')).toBe(2);
    expect(p.map((d) => d.code)).toContain('eval-in-loop');
    expect(sev(l, 'gc-disabled')).toBe(1);
    expect(l.map((d) => d.code)).not.toContain('eval-in-loop');
    expect(c.messages).toEqual([]);
  });

  it('a bad file warns with the line and column', async () => {
    const c = await start({ settings: { debounceMs: 5 } });
    const cfg = join(c.root, 'phpleak.json');
    writeFileSync(cfg, '{\n  "overrides": [\n    { "files": ["tests/**"], "rules": { "gc-disabled": "loud" } }\n  ]\n}\n');
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    await c.diagnosticsFor(uri, 1);
    const msg = await c.waitFor(() => c.messages.find((m) => m.type === 2), 'a warning');
    expect(msg.message).toBe(`phpleak: ${cfg}:3:56: overrides[0].rules["gc-disabled"]: expected one of "error", "warning", "info", "hint", "off", got "loud". Using the defaults until it is fixed.`);
  });
});

describe('phpleak-lsp and the HTTP runtime of composer.json', () => {
  const middleware = [
    '<?php', 'namespace App\\Http\\Middleware;', '', 'use Closure;', 'use Illuminate\\Support\\Facades\\Event;', '',
    'class TrackJobs', '{', '    private int $seen = 0;', '',
    '    public function handle($request, Closure $next)', '    {',
    "        Event::listen('job.done', function () {", '            $this->seen++;', '        });',
    '        return $next($request);', '    }', '}', '',
  ].join('\n');

  it('says nothing of a middleware\'s per-request listener in a PHP-FPM application, and reports it under Octane', async () => {
    const fpm = await start({ settings: { debounceMs: 5 } });
    writeFileSync(join(fpm.root, 'composer.json'), JSON.stringify({ type: 'project', require: { 'laravel/framework': '^11.0' } }));
    const a = fpm.write('app/Http/Middleware/TrackJobs.php', middleware);
    await fpm.open(a, middleware, 1);
    expect((await fpm.diagnosticsFor(a, 1)).map((d) => d.code)).toEqual([]);

    const octane = await start({ settings: { debounceMs: 5 } });
    writeFileSync(join(octane.root, 'composer.json'), JSON.stringify({ type: 'project', require: { 'laravel/framework': '^11.0', 'laravel/octane': '^2.0' } }));
    const b = octane.write('app/Http/Middleware/TrackJobs.php', middleware);
    await octane.open(b, middleware, 1);
    const ds = await octane.diagnosticsFor(b, 1);
    expect(ds.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`)).toEqual(['12:8 listener-in-loop']);
  });
});
