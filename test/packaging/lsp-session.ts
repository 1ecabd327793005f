import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node.js';
import type { Diagnostic, Hover, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver/node.js';
import { pushCapabilities } from '../server/lsp-client.js';

export interface Session { init: InitializeResult; diagnostics: Diagnostic[]; hover: Hover | null; exitCode: number | null; stderr: string }

/**
 * One editor session over a server's stdin/stdout (real JSON-RPC framing): initialize, open a
 * file, wait for its diagnostics, hover the first one, shutdown and exit.
 */
export async function lspSession(cmd: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; root: string; file: string }): Promise<Session> {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const uri = pathToFileURL(opts.file).href;
  const published = new Promise<Diagnostic[]>((resolve) => {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { if (p.uri === uri && p.diagnostics.length > 0) resolve(p.diagnostics); });
  });
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  conn.listen();
  const timeout = <T>(p: Promise<T>, what: string): Promise<T> => Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${stderr}`)), 30_000))]);
  try {
    const init = await timeout(conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid, rootUri: pathToFileURL(opts.root).href, capabilities: pushCapabilities,
      workspaceFolders: [{ uri: pathToFileURL(opts.root).href, name: 'root' }],
    }), 'initialize');
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'php', version: 1, text: readFileSync(opts.file, 'utf8') } });
    const diagnostics = await timeout(published, 'diagnostics');
    const hover = await timeout(conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: diagnostics[0]!.range.start }), 'hover');
    await timeout(conn.sendRequest('shutdown'), 'shutdown');
    await conn.sendNotification('exit');
    return { init, diagnostics, hover, exitCode: await timeout(exited, 'exit'), stderr };
  } finally {
    conn.dispose();
    proc.kill();
  }
}
