import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sh } from './helpers.js';

// What `npm pack` puts in the npm package: the compiled CLI, server, engine and rules (no
// source maps, no bench/fuzz/sea builds), the docs, the JSON schema and the MIT licence.

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [relative(ROOT, p)];
  });
}

describe('the npm tarball', () => {
  it('holds exactly the runtime files, the docs and the licence', () => {
    // --ignore-scripts: `npm test` has just built dist; prepare would only build it again.
    const r = sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, check: true });
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
    const allowed = /^(package\.json|README\.md|LICENSE|phpleak\.schema\.json|docs\/[\w.-]+\.md|rules\/[\w-]+\.md|dist\/(cli|engine|rules|server)\/[\w./-]+\.js)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);

    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; bin: Record<string, string> };
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(bin);
    const runtime = ['cli', 'engine', 'rules', 'server'].flatMap((d) => walk(join(ROOT, 'dist', d))).filter((f) => f.endsWith('.js')).sort();
    expect(files.filter((f) => f.startsWith('dist/'))).toEqual(runtime);
    const docs = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.md')).map((f) => `rules/${f}`).sort();
    expect(files.filter((f) => f.startsWith('rules/'))).toEqual(docs);

    expect(files).toContain('LICENSE');
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} .+\n\nPermission is hereby granted, free of charge/);
  });
});
