import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverMain } from './lsp-client.js';
import { Waiter } from './waiter.js';

// The server process with raw bytes on the wire: what the tests write is exactly what the
// server reads (no client library fixes our framing). What the server writes is parsed with a
// strict Content-Length reader: the server's own output must always be well framed.

export interface WireMessage { jsonrpc: '2.0'; id?: number | string | null; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } }

export class RawServer {
  readonly received: WireMessage[] = [];
  stderr = '';
  readonly root: string;
  readonly exited: Promise<number | null>;
  private out = Buffer.alloc(0);
  private readonly waiter = new Waiter(() => `received: ${JSON.stringify(this.received).slice(0, 3000)}; stderr: ${this.stderr}`);
  /** Set when the server wrote something that is not a well-framed JSON message. */
  badOutput: string | null = null;

  private constructor(readonly proc: ChildProcess, root: string) {
    this.root = root;
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.stderr!.on('data', (b: Buffer) => { this.stderr += b.toString(); });
    proc.stdout!.on('data', (b: Buffer) => { this.out = Buffer.concat([this.out, b]); this.parse(); });
    proc.stdin!.on('error', () => { /* the server is gone: the test sees it in its answers */ });
  }

  static start(root = mkdtempSync(join(tmpdir(), 'phpleak-wire-'))): RawServer {
    if (!existsSync(serverMain)) throw new Error(`${serverMain} is missing: run \`npx tsc -p tsconfig.json\` first`);
    return new RawServer(spawn(process.execPath, [serverMain, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] }), root);
  }

  write(bytes: string | Buffer): void { this.proc.stdin!.write(bytes); }

  /** Writes `bytes` in pieces of `size` bytes with a pause between them. */
  async trickle(bytes: string | Buffer, size: number, pauseMs = 2): Promise<void> {
    const b = Buffer.from(bytes);
    for (let i = 0; i < b.length; i += size) {
      this.write(b.subarray(i, i + size));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  send(message: object): void { this.write(frame(message)); }

  /** Sends initialize + initialized and waits for the answer. */
  async initialize(id: number | string = 'init'): Promise<void> {
    this.send({ jsonrpc: '2.0', id, method: 'initialize', params: { processId: null, rootUri: pathToFileURL(this.root).href, capabilities: {} } });
    await this.response(id);
    this.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  }

  response(id: number | string | null, ms = 10_000): Promise<WireMessage> {
    return this.waitFor(() => this.received.find((m) => 'id' in m && m.id === id && m.method === undefined), `the response to ${JSON.stringify(id)}`, ms);
  }

  responses(id: number | string | null): WireMessage[] {
    return this.received.filter((m) => 'id' in m && m.id === id && m.method === undefined);
  }

  waitFor<T>(pred: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
    return this.waiter.waitFor(pred, what, ms);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      this.send({ jsonrpc: '2.0', id: 'bye', method: 'shutdown', params: null });
      this.send({ jsonrpc: '2.0', method: 'exit', params: null });
      const code = await Promise.race([this.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 5000))]);
      if (code === 'late') this.proc.kill();
    }
  }

  private parse(): void {
    for (;;) {
      const end = this.out.indexOf('\r\n\r\n');
      if (end < 0) break;
      const header = this.out.subarray(0, end).toString('ascii');
      const m = /^Content-Length: (\d+)$/im.exec(header);
      if (!m || !/^(?:[A-Za-z-]+: [^\r\n]*)(?:\r\n[A-Za-z-]+: [^\r\n]*)*$/.test(header)) {
        this.badOutput ??= `bad header from the server: ${JSON.stringify(header)}`;
        this.out = Buffer.alloc(0);
        break;
      }
      const len = Number(m[1]);
      if (this.out.length < end + 4 + len) break;
      const body = this.out.subarray(end + 4, end + 4 + len).toString('utf8');
      this.out = this.out.subarray(end + 4 + len);
      try {
        this.received.push(JSON.parse(body) as WireMessage);
      } catch {
        this.badOutput ??= `bad body from the server: ${body.slice(0, 200)}`;
      }
    }
    this.waiter.poke();
  }
}

/** A correctly framed message. */
export function frame(message: object | string): string {
  const json = typeof message === 'string' ? message : JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`;
}

/** A request the server answers with a null result and no side effect. */
export function hover(id: number | string): object {
  return { jsonrpc: '2.0', id, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///nowhere/x.php' }, position: { line: 0, character: 0 } } };
}
