import { describe, expect, it } from 'vitest';
import { pullCapabilities, pushCapabilities, clientStarter } from './lsp-client.js';

// Protocol hygiene of the real server process over stdio.

const start = clientStarter();

function errorCode(p: Promise<unknown>): Promise<number | string> {
  return p.then(() => 'no error', (e: { code?: number }) => e.code ?? 'no code');
}

describe('phpleak-lsp protocol', () => {
  it('answers requests before initialize with ServerNotInitialized (-32002), then initializes', async () => {
    const c = await start({ raw: true });
    expect(await errorCode(c.request('textDocument/hover', { textDocument: { uri: 'file:///x.php' }, position: { line: 0, character: 0 } }))).toBe(-32002);
    expect(await errorCode(c.request('shutdown', null))).toBe(-32002);
    const r = await c.initialize();
    expect(r.serverInfo?.name).toBe('phpleak-lsp');
  });

  it('declares incremental sync, hover, quick fixes and fix-all in the initialize result; pull only for clients that advertise it', async () => {
    const push = await start({ capabilities: pushCapabilities });
    const caps = push.initializeResult!.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(caps.hoverProvider).toBe(true);
    expect(caps.codeActionProvider).toMatchObject({ codeActionKinds: ['quickfix', 'source.fixAll.phpleak'] });
    expect(caps.diagnosticProvider).toBeUndefined();
    const pull = await start({ capabilities: pullCapabilities });
    expect(pull.initializeResult!.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: false, workspaceDiagnostics: false });
  });

  it('answers unknown requests with MethodNotFound (-32601) and ignores unknown notifications', async () => {
    const c = await start();
    await c.notify('phpleak/noSuchNotification', {});
    expect(await errorCode(c.request('phpleak/noSuchMethod', {}))).toBe(-32601);
    expect(await errorCode(c.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.php' }, position: { line: 0, character: 0 } }))).toBe('no error');
  });

  it('answers a failing handler with an error and lives on', async () => {
    const c = await start();
    // Malformed params make the handler throw inside the server.
    expect(await errorCode(c.request('textDocument/hover', {}))).toBe(-32603);
    expect(await errorCode(c.request('textDocument/codeAction', { textDocument: null }))).toBe(-32603);
    const uri = c.uri('a.php');
    await c.open(uri, '<?php\ngc_disable();\n');
    expect((await c.diagnosticsFor(uri, 1)).map((d) => d.code)).toContain('gc-disabled');
  });

  it('after shutdown answers requests with InvalidRequest (-32600) and exits with 0 on exit', async () => {
    const c = await start();
    await c.request('shutdown', null);
    expect(await errorCode(c.request('textDocument/hover', { textDocument: { uri: 'file:///x.php' }, position: { line: 0, character: 0 } }))).toBe(-32600);
    expect(await errorCode(c.request('shutdown', null))).toBe(-32600);
    await c.notify('exit', null);
    expect(await c.exited).toBe(0);
  });

  it('exits with 1 on exit without shutdown', async () => {
    const c = await start();
    await c.notify('exit', null);
    expect(await c.exited).toBe(1);
  });

  it('exits when the client closes stdin', async () => {
    const c = await start();
    c.proc.stdin!.end();
    expect(await c.exited).toBe(1);
  });
});
