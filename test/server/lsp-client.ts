import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver/node.js';
import type {
  ClientCapabilities, Diagnostic, InitializeResult, LogMessageParams, PublishDiagnosticsParams, ShowMessageParams, TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node.js';
import { afterEach } from 'vitest';
import { Waiter } from './waiter.js';

// A real LSP client for tests: spawns `node dist/server/main.js --stdio` and speaks JSON-RPC to it
// over the process's stdin/stdout (vscode-jsonrpc's stream reader and writer). No mocks.

export const repoRoot = join(import.meta.dirname, '..', '..');
export const serverMain = join(repoRoot, 'dist', 'server', 'main.js');

/** Like Neovim 0.7: push diagnostics only, no documentChanges, no dynamic registration. */
export const pushCapabilities: ClientCapabilities = {
  textDocument: {
    synchronization: { didSave: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
  },
  workspace: { configuration: true, workspaceEdit: { documentChanges: false } },
};

/** Like VS Code: pull diagnostics, documentChanges, watchers and refresh. */
export const pullCapabilities: ClientCapabilities = {
  textDocument: { ...pushCapabilities.textDocument, diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
  workspace: {
    configuration: true, workspaceEdit: { documentChanges: true },
    didChangeWatchedFiles: { dynamicRegistration: true }, didChangeConfiguration: { dynamicRegistration: true },
    diagnostics: { refreshSupport: true },
  },
};

export interface StartOptions {
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** What the client answers to workspace/configuration for section `phpleak`. */
  settings?: unknown;
  root?: string;
  /** Do not send initialize (protocol tests). */
  raw?: boolean;
}

export class LspClient {
  readonly publishes: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly registrations: unknown[] = [];
  readonly configurationRequests: unknown[] = [];
  /** `workspace/diagnostic/refresh` requests received. */
  refreshes = 0;
  stderr = '';
  settings: unknown;
  initializeResult: InitializeResult | null = null;
  readonly exited: Promise<number | null>;
  private readonly waiter = new Waiter(() => `publishes: ${JSON.stringify(this.publishes.map((p) => [p.uri.split('/').pop(), p.version, p.diagnostics.length]))}; logs: ${JSON.stringify(this.logs.map((l) => l.message))}; stderr: ${this.stderr}`);

  private constructor(readonly proc: ChildProcess, readonly conn: MessageConnection, readonly root: string, opts: StartOptions) {
    this.settings = opts.settings;
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.stderr!.on('data', (b: Buffer) => { this.stderr += b.toString(); });
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { this.publishes.push(p); this.poke(); });
    conn.onNotification('window/showMessage', (p: ShowMessageParams) => { this.messages.push(p); this.poke(); });
    conn.onNotification('window/logMessage', (p: LogMessageParams) => { this.logs.push(p); this.poke(); });
    conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
      this.configurationRequests.push(p);
      this.poke();
      return p.items.map((i) => (i.section === 'phpleak' ? this.settings ?? null : null));
    });
    conn.onRequest('client/registerCapability', (p: unknown) => { this.registrations.push(p); this.poke(); return null; });
    conn.onRequest('workspace/diagnostic/refresh', () => { this.refreshes++; this.poke(); return null; });
    conn.listen();
  }

  static async start(opts: StartOptions = {}): Promise<LspClient> {
    if (!existsSync(serverMain)) throw new Error(`${serverMain} is missing: run \`npx tsc -p tsconfig.json\` first`);
    const root = opts.root ?? mkdtempSync(join(tmpdir(), 'phpleak-lsp-'));
    // The persisted workspace index goes to a temp cache folder, not the user's ~/.cache.
    const env = { ...process.env, XDG_CACHE_HOME: testCacheHome() };
    const proc = spawn(process.execPath, [serverMain, '--stdio'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, conn, root, opts);
    if (!opts.raw) await client.initialize(opts);
    return client;
  }

  async initialize(opts: StartOptions = {}): Promise<InitializeResult> {
    this.initializeResult = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(this.root).href,
      workspaceFolders: [{ uri: pathToFileURL(this.root).href, name: 'ws' }],
      capabilities: opts.capabilities ?? pushCapabilities,
      ...(opts.initializationOptions !== undefined ? { initializationOptions: opts.initializationOptions } : {}),
    }) as InitializeResult;
    await this.conn.sendNotification('initialized', {});
    return this.initializeResult;
  }

  /** Writes a file under the workspace root; returns its URI. */
  write(rel: string, text: string): string {
    const p = join(this.root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return pathToFileURL(p).href;
  }

  uri(rel: string): string { return pathToFileURL(join(this.root, rel)).href; }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'php', version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> { return this.conn.sendRequest(method, params) as Promise<R>; }
  notify(method: string, params: unknown): Promise<void> { return this.conn.sendNotification(method, params); }

  /** Resolves when `pred` holds (checked on every message from the server), or rejects after `ms`. */
  waitFor<T>(pred: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
    return this.waiter.waitFor(pred, what, ms);
  }

  /** The diagnostics published for `uri` at `version` (waits for them). */
  diagnosticsFor(uri: string, version: number, ms?: number): Promise<Diagnostic[]> {
    return this.waitFor(() => this.publishes.find((p) => p.uri === uri && p.version === version)?.diagnostics, `diagnostics of ${uri} v${version}`, ms);
  }

  publishesFor(uri: string): PublishDiagnosticsParams[] { return this.publishes.filter((p) => p.uri === uri); }

  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null) {
      try {
        await this.request('shutdown', null);
        await this.notify('exit', null);
      } catch { /* already gone */ }
    }
    const code = await Promise.race([this.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (code === null && this.proc.exitCode === null) this.proc.kill();
    this.conn.dispose();
    return code;
  }

  private poke(): void { this.waiter.poke(); }
}

let cacheHome: string | undefined;
function testCacheHome(): string { return (cacheHome ??= mkdtempSync(join(tmpdir(), 'phpleak-lsp-cache-'))); }

/** A temp workspace folder. */
export function tempRoot(): string { return mkdtempSync(join(tmpdir(), 'phpleak-lsp-')); }

/**
 * `start` for a test file: starts the real server process and stops every started one after
 * each test.
 */
export function clientStarter(): (...a: Parameters<typeof LspClient.start>) => Promise<LspClient> {
  const clients: LspClient[] = [];
  afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.stop())); });
  return async (...a) => {
    const c = await LspClient.start(...a);
    clients.push(c);
    return c;
  };
}
