import { DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver/node.js';
import { CONFIG_FILE_NAME } from '../engine/config.js';
import type { Server } from './server.js';
import { uriToPath } from './uri.js';

// Where configuration comes from at run time:
// - PHP files changed on disk are indexed again (server/workspace-index.ts);
// - phpleak.json: reloaded on workspace/didChangeWatchedFiles (a watcher is registered when the
//   client supports dynamic registration; otherwise its mtime is checked before each analysis);
// - the client's `phpleak` settings: pulled with workspace/configuration where supported (at
//   start and on every didChangeConfiguration), else taken from didChangeConfiguration's payload.

export function registerConfiguration(server: Server): void {
  const c = server.connection;

  c.onDidChangeConfiguration((params) => {
    if (server.caps.configuration) {
      void pullSettings(server);
      return;
    }
    const settings = (params.settings as { phpleak?: unknown } | null)?.phpleak;
    if (settings !== undefined) server.config.setSettings(settings);
  });

  c.onDidChangeWatchedFiles(({ changes }) => {
    for (const ch of changes) {
      const path = uriToPath(ch.uri);
      if (path?.endsWith('.php')) server.workspace.fileChanged(ch.uri, ch.type === FileChangeType.Deleted);
      if (!path || !path.endsWith(CONFIG_FILE_NAME)) continue;
      server.log('info', `phpleak: ${path} ${ch.type === FileChangeType.Deleted ? 'deleted' : ch.type === FileChangeType.Created ? 'created' : 'changed'}: reloading`);
      server.config.fileChanged(path);
    }
  });
}

/** After `initialized`: register the watchers and read the client's settings. */
export function configurationInitialized(server: Server): void {
  const c = server.connection;
  if (server.caps.watchedFilesDynamic) {
    // PHP files too: the workspace index follows changes made outside the editor (git checkout).
    void c.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: '**/*.php' }] }).catch(() => undefined);
  }
  if (server.caps.configurationDynamic) {
    void c.client.register(DidChangeConfigurationNotification.type, { section: 'phpleak' }).catch(() => undefined);
  }
  void pullSettings(server);
}

async function pullSettings(server: Server): Promise<void> {
  if (!server.caps.configuration) return;
  try {
    const [section] = (await server.connection.sendRequest('workspace/configuration', { items: [{ section: 'phpleak' }] })) as unknown[];
    // Clients answer null for a section they know nothing about: then initializationOptions.settings, or the defaults, hold.
    server.config.setSettings(section ?? server.options.settings);
  } catch (e) {
    server.log('warn', `phpleak: workspace/configuration failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
