import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, type PublishDiagnosticsParams } from 'vscode-languageserver/node.js';

// One phpleak-lsp process over stdio with one document open, for the benches: sends edits,
// records when each publishDiagnostics arrives, and reads the process's memory and CPU time
// from /proc (worker threads included: they are threads of the same process).

export interface Publish { version: number; at: number; count: number }

export class BenchSession {
  readonly publishes: Publish[] = [];
  private listeners: (() => void)[] = [];
  private readonly lines: string[];
  version = 1;

  private constructor(readonly proc: ChildProcess, readonly conn: MessageConnection, readonly uri: string, text: string) {
    this.lines = text.split(/\r?\n/);
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      if (p.uri !== this.uri || p.version === undefined) return;
      this.publishes.push({ version: p.version, at: performance.now(), count: p.diagnostics.length });
      for (const l of this.listeners.splice(0)) l();
    });
  }

  /** Starts the server, opens `file` and waits for its first diagnostics; `openMs` is how long that took. */
  static async open(serverMain: string, file: string, opts: { debounce?: number; timeoutMs: number }): Promise<{ s: BenchSession; openMs: number }> {
    const { debounce, timeoutMs } = opts;
    const text = readFileSync(file, 'utf8');
    const proc = spawn(process.execPath, [serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => (debounce === undefined ? null : { debounceMs: debounce })));
    const s = new BenchSession(proc, conn, pathToFileURL(resolve(file)).href, text);
    conn.listen();
    await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(dirname(resolve(file))).href, initializationOptions: { timeoutMs },
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    await conn.sendNotification('initialized', {});
    const t = performance.now();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: s.uri, languageId: 'php', version: 1, text } });
    await s.published(1);
    return { s, openMs: performance.now() - t };
  }

  get lineCount(): number { return this.lines.length; }
  lineLength(line: number): number { return this.lines[line]!.length; }
  lineText(line: number): string { return this.lines[line]!; }

  /** Inserts `text` (no newline) at line:col, or deletes `del` characters there; returns the new version and when it was sent. */
  edit(line: number, col: number, text: string, del = 0): { version: number; at: number } {
    const l = this.lines[line]!;
    this.lines[line] = l.slice(0, col) + text + l.slice(col + del);
    const version = ++this.version;
    const at = performance.now();
    void this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: this.uri, version },
      contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + del } }, text }],
    });
    return { version, at };
  }

  /** The first publish for `version` or a newer one (waits for it). */
  published(version: number, timeoutMs = 120_000): Promise<Publish> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${version} after ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const p = this.publishes.find((x) => x.version >= version);
        if (p) { clearTimeout(timer); resolve(p); } else this.listeners.push(check);
      };
      check();
    });
  }

  /** Resident and high-water memory of the server, MB. */
  memory(): { rss: number; hwm: number } {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const mb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
    return { rss: mb('VmRSS'), hwm: mb('VmHWM') };
  }

  /** User + system CPU time of the server (all its threads), ms. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms (USER_HZ = 100)
  }

  async stop(): Promise<void> {
    await this.conn.sendRequest('shutdown').catch(() => undefined);
    await this.conn.sendNotification('exit').catch(() => undefined);
    await new Promise<void>((r) => { if (this.proc.exitCode !== null) r(); else this.proc.once('exit', () => r()); setTimeout(r, 5000); });
    this.conn.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

export function pct(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
