import { CodeActionKind, TextDocumentSyncKind, type InitializeParams, type ServerCapabilities } from 'vscode-languageserver/node.js';

// What the client can do (read once from `initialize`) and what the server declares. Everything
// the server offers is declared in the initialize result: Neovim 0.7 ignores later registrations.

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.phpleak`;

export type DiagnosticMode = 'auto' | 'push' | 'pull' | 'both';

export interface ClientCaps {
  /**
   * Pushing (textDocument/publishDiagnostics): "always", "never", or "until-pulled": pushed for a
   * document until the client pulls diagnostics for it (then its pushed set is cleared).
   */
  push: 'always' | 'never' | 'until-pulled';
  /** The server answers textDocument/diagnostic (declared diagnosticProvider). */
  pull: boolean;
  pullRefresh: boolean;
  documentChanges: boolean;
  configuration: boolean;
  watchedFilesDynamic: boolean;
  configurationDynamic: boolean;
  relatedInformation: boolean;
  markdownHover: boolean;
  codeActionLiterals: boolean;
}

export interface InitOptions {
  /**
   * "auto" (default): every client gets pushed diagnostics, and clients that advertise pull
   * diagnostics (VS Code, Neovim 0.10+, Helix, Sublime LSP) may pull instead: once a client pulls
   * for a document, the server stops pushing for it and clears what it had pushed, so no
   * finding shows twice (VS Code keeps pushed and pulled diagnostics in separate collections).
   * "push": publishDiagnostics only; "pull": textDocument/diagnostic only (for clients that can
   * pull); "both": both, always.
   */
  diagnosticMode?: DiagnosticMode;
  /** Time bound of one analysis (ms): php-parser loops forever on some half-typed input. */
  timeoutMs?: number;
  /** Initial `phpleak` settings for clients without workspace/configuration. */
  settings?: unknown;
  /** false: no background index of the workspace's files (cross-file facts then come from open documents only). */
  workspaceIndex?: boolean;
  /** Folder of the persisted workspace index (default: the user's cache folder); null: not persisted. */
  indexCacheDir?: string | null;
}

export function readInitOptions(raw: unknown): InitOptions {
  if (typeof raw !== 'object' || raw === null) return {};
  const o = raw as Record<string, unknown>;
  const mode = o.diagnosticMode;
  return {
    ...(mode === 'auto' || mode === 'push' || mode === 'pull' || mode === 'both' ? { diagnosticMode: mode } : {}),
    ...(typeof o.timeoutMs === 'number' && o.timeoutMs > 0 ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.settings !== undefined ? { settings: o.settings } : {}),
    ...(typeof o.workspaceIndex === 'boolean' ? { workspaceIndex: o.workspaceIndex } : {}),
    ...(o.indexCacheDir === null || (typeof o.indexCacheDir === 'string' && o.indexCacheDir !== '') ? { indexCacheDir: o.indexCacheDir } : {}),
  };
}

export function clientCaps(params: InitializeParams, opts: InitOptions): ClientCaps {
  const c = params.capabilities;
  const canPull = c.textDocument?.diagnostic !== undefined;
  const mode: DiagnosticMode = canPull ? opts.diagnosticMode ?? 'auto' : 'push';
  return {
    push: mode === 'pull' ? 'never' : mode === 'auto' ? 'until-pulled' : 'always',
    pull: mode !== 'push',
    pullRefresh: c.workspace?.diagnostics?.refreshSupport === true,
    documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
    configuration: c.workspace?.configuration === true,
    watchedFilesDynamic: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    configurationDynamic: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
    markdownHover: c.textDocument?.hover?.contentFormat?.includes('markdown') ?? false,
    codeActionLiterals: c.textDocument?.codeAction?.codeActionLiteralSupport !== undefined,
  };
}

export function serverCapabilities(caps: ClientCaps): ServerCapabilities {
  return {
    // Saves update the workspace index (the file on disk changed).
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
    hoverProvider: true,
    ...(caps.pull ? { diagnosticProvider: { identifier: 'phpleak', interFileDependencies: false, workspaceDiagnostics: false } } : {}),
  };
}
