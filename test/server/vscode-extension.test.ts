import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './lsp-client.js';

// The VS Code client (editors/vscode) builds and packages with @vscode/vsce. Its dependencies
// live in editors/vscode only (`npm ci --prefix editors/vscode`); without them this is skipped.

const dir = join(repoRoot, 'editors', 'vscode');
const installed = existsSync(join(dir, 'node_modules', '@vscode', 'vsce'));

function zipEntries(file: string): Promise<string[]> {
  const yauzl = createRequire(join(dir, 'package.json'))('yauzl') as {
    open(p: string, o: object, cb: (e: Error | null, z: { on(ev: string, f: (x: { fileName: string }) => void): void; readEntry(): void }) => void): void;
  };
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e) => { names.push(e.fileName); zip.readEntry(); });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

describe.skipIf(!installed)('the VS Code extension', () => {
  it('builds and packages into a .vsix with the client, its dependencies and the phpleak.json schema', async () => {
    const vsix = join(dir, 'phpleak.vsix');
    rmSync(vsix, { force: true });
    execFileSync('npm', ['run', 'package'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
    const names = await zipEntries(vsix);
    for (const f of ['extension/package.json', 'extension/out/extension.js', 'extension/phpleak.schema.json', 'extension/node_modules/vscode-languageclient/package.json']) {
      expect(names).toContain(f);
    }
    expect(names.some((n) => n.startsWith('extension/src/') || n.includes('node_modules/typescript/'))).toBe(false);
  }, 180_000);
});
