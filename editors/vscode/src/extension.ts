import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commands, window, workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

// A minimal client: starts `phpleak-lsp --stdio` and lets vscode-languageclient do the rest.
// Everything phpleak does (diagnostics, quick fixes, fix-all on save, hover) is the server's.

let client: LanguageClient | undefined;

/** phpleak.server.path, else the workspace's node_modules/.bin/phpleak-lsp, else phpleak-lsp on PATH. */
function serverCommand(): string {
  const configured = workspace.getConfiguration('phpleak').get<string>('server.path', '').trim();
  if (configured) return configured;
  const bin = process.platform === 'win32' ? 'phpleak-lsp.cmd' : 'phpleak-lsp';
  for (const folder of workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', bin);
    if (existsSync(local)) return local;
  }
  return bin;
}

async function start(): Promise<void> {
  const command = serverCommand();
  const serverOptions: ServerOptions = { command, args: ['--stdio'], options: { shell: process.platform === 'win32' } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'php' }, { scheme: 'untitled', language: 'php' }],
    // VS Code pulls diagnostics (LSP 3.17); the server stops pushing for a file once it is pulled.
    initializationOptions: {},
  };
  client = new LanguageClient('phpleak', 'phpleak', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    void window.showErrorMessage(`phpleak: could not start \`${command} --stdio\` (${e instanceof Error ? e.message : String(e)}). Install phpleak (npm install --save-dev phpleak) or set phpleak.server.path.`);
  }
}

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(commands.registerCommand('phpleak.restartServer', async () => {
    await client?.stop();
    await start();
  }));
  context.subscriptions.push(workspace.onDidChangeConfiguration(async (e) => {
    if (e.affectsConfiguration('phpleak.server.path')) {
      await client?.stop();
      await start();
    }
  }));
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
