import { readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver/node.js';
import { pullCapabilities, pushCapabilities, repoRoot, clientStarter } from './lsp-client.js';

// Configuration: phpleak.json (reloaded on didChangeWatchedFiles, or by mtime for clients
// without watchers) and the client's phpleak.* settings; bad values warn and the last good stay.

const demo = readFileSync(join(repoRoot, 'fixtures', 'lsp', 'Importer.php'), 'utf8');

const start = clientStarter();

const sev = (ds: Diagnostic[], code: string): number | undefined => ds.find((d) => d.code === code)?.severity;

describe('phpleak-lsp configuration', () => {
  it('re-publishes when the client settings change, and keeps the last good settings on a bad value', async () => {
    const c = await start({ settings: { debounceMs: 5 } });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    const first = await c.diagnosticsFor(uri, 1);
    expect(sev(first, 'gc-disabled')).toBe(3);

    c.settings = { debounceMs: 5, rules: { 'gc-disabled': 'error', 'eval-in-loop': 'off' } };
    const n = c.publishes.length;
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const next = await c.waitFor(() => c.publishes.slice(n).find((p) => p.uri === uri)?.diagnostics, 'a re-publish');
    expect(sev(next, 'gc-disabled')).toBe(1);
    expect(next.map((d) => d.code)).not.toContain('eval-in-loop');
    expect(c.publishes.at(-1)!.version).toBe(1);

    c.settings = { rules: { 'no-such-rule': 'error' } };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const msg = await c.waitFor(() => c.messages.find((m) => m.type === 2), 'a warning');
    expect(msg.message).toContain('phpleak.rules.no-such-rule');
    expect(msg.message).toMatch(/known rule id/);
    // the last good settings stay: an edit is analysed with them
    await c.change(uri, 2, [{ text: `${demo}\n` }]);
    const after = await c.diagnosticsFor(uri, 2);
    expect(sev(after, 'gc-disabled')).toBe(1);
    expect(after.map((d) => d.code)).not.toContain('eval-in-loop');
  });

  it('takes the settings from didChangeConfiguration when the client has no workspace/configuration', async () => {
    const caps = { ...pushCapabilities, workspace: { ...pushCapabilities.workspace, configuration: false } };
    const c = await start({ capabilities: caps });
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    await c.diagnosticsFor(uri, 1);
    const n = c.publishes.length;
    await c.notify('workspace/didChangeConfiguration', { settings: { phpleak: { longRunning: true } } });
    const next = await c.waitFor(() => c.publishes.slice(n).find((p) => p.uri === uri)?.diagnostics, 'a re-publish');
    // gc-disabled is info in ordinary code and warning in long-running code
    expect(sev(next, 'gc-disabled')).toBe(2);
    expect(c.configurationRequests).toEqual([]);
  });

  it('reloads phpleak.json on didChangeWatchedFiles (watcher registered); a bad file warns with file and key, and the last good config stays', async () => {
    const c = await start({ capabilities: pullCapabilities, initializationOptions: { diagnosticMode: 'push' } });
    const cfg = join(c.root, 'phpleak.json');
    writeFileSync(cfg, JSON.stringify({ rules: { 'gc-disabled': 'warning' } }));
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    expect(sev(await c.diagnosticsFor(uri, 1), 'gc-disabled')).toBe(2);
    await c.waitFor(() => JSON.stringify(c.registrations).includes('**/phpleak.json'), 'a phpleak.json watcher');

    const cfgUri = pathToFileURL(cfg).href;
    writeFileSync(cfg, JSON.stringify({ rules: { 'gc-disabled': 'error' } }));
    let n = c.publishes.length;
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: cfgUri, type: 2 }] });
    const next = await c.waitFor(() => c.publishes.slice(n).find((p) => p.uri === uri)?.diagnostics, 'a re-publish');
    expect(sev(next, 'gc-disabled')).toBe(1);

    writeFileSync(cfg, JSON.stringify({ rules: { 'gc-disabled': 'loud' } }));
    n = c.publishes.length;
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: cfgUri, type: 2 }] });
    const msg = await c.waitFor(() => c.messages.find((m) => m.type === 2), 'a warning');
    expect(msg.message).toContain(cfg);
    expect(msg.message).toContain('rules["gc-disabled"]');
    expect(msg.message).toMatch(/expected one of .*"error"/);
    const kept = await c.waitFor(() => c.publishes.slice(n).find((p) => p.uri === uri)?.diagnostics, 'a re-publish');
    expect(sev(kept, 'gc-disabled')).toBe(1);

    unlinkSync(cfg);
    n = c.publishes.length;
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: cfgUri, type: 3 }] });
    const defaults = await c.waitFor(() => c.publishes.slice(n).find((p) => p.uri === uri)?.diagnostics, 'a re-publish');
    expect(sev(defaults, 'gc-disabled')).toBe(3);
  });

  it('sees an edited phpleak.json without file watchers (Neovim 0.7), on the next analysis', async () => {
    const c = await start({ capabilities: pushCapabilities });
    const cfg = join(c.root, 'phpleak.json');
    writeFileSync(cfg, JSON.stringify({ rules: { 'gc-disabled': 'warning' } }));
    const uri = c.write('src/Importer.php', demo);
    await c.open(uri, demo, 1);
    expect(sev(await c.diagnosticsFor(uri, 1), 'gc-disabled')).toBe(2);
    writeFileSync(cfg, JSON.stringify({ rules: { 'gc-disabled': 'off' } }));
    const later = new Date(Date.now() + 5000);
    utimesSync(cfg, later, later);
    await c.change(uri, 2, [{ text: `${demo}\n` }]);
    const ds = await c.waitFor(() => { const p = c.publishesFor(uri).at(-1)!; return p.version === 2 && !p.diagnostics.some((d) => d.code === 'gc-disabled') && p.diagnostics; }, 'gc-disabled off');
    expect(ds.map((d) => d.code)).toContain('eval-in-loop');
  });

  it('honours exclude and longRunning globs of phpleak.json, and leaves vendor/ alone', async () => {
    const c = await start();
    writeFileSync(join(c.root, 'phpleak.json'), JSON.stringify({ exclude: ['legacy/**'], longRunning: ['bin/'] }));
    const excluded = c.write('legacy/Importer.php', demo);
    const worker = c.write('bin/Importer.php', demo);
    const vendor = c.write('vendor/acme/lib/Importer.php', demo);
    await c.open(excluded, demo, 1);
    await c.open(worker, demo, 1);
    await c.open(vendor, demo, 1);
    expect(await c.diagnosticsFor(excluded, 1)).toEqual([]);
    expect(await c.diagnosticsFor(vendor, 1)).toEqual([]);
    expect(sev(await c.diagnosticsFor(worker, 1), 'gc-disabled')).toBe(2);
  });
});
