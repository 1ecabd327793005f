import { afterEach, describe, expect, it } from 'vitest';
import { frame, hover, RawServer } from './raw-wire.js';

// Malformed framing on the real server process, raw bytes on the wire. The stock
// vscode-jsonrpc reader stays out of step for good after any of these; server/framing.ts answers
// the broken frame (-32700, with the request's id when it can be read), skips to the next
// Content-Length header and goes on serving.

const servers: RawServer[] = [];
function start(): RawServer {
  const s = RawServer.start();
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(s.badOutput).toBeNull();
    await s.stop();
  }
});

const body = (id: number): string => JSON.stringify(hover(id));
const len = (s: string): number => Buffer.byteLength(s, 'utf8');

interface Case { name: string; bytes: (id: number) => string; /** id the -32700 names: the request's, or null when it cannot be read */ parseErrorId: 'id' | null }

const CASES: Case[] = [
  { name: 'Content-Length missing', bytes: (id) => `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'Content-Length not a number', bytes: (id) => `Content-Length: twelve\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'Content-Length negative', bytes: (id) => `Content-Length: -${len(body(id))}\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'Content-Length too short', bytes: (id) => `Content-Length: ${len(body(id)) - 20}\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'Content-Length too long (the next frame starts inside the declared body)', bytes: (id) => `Content-Length: ${len(body(id)) + 300}\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'Content-Length huge', bytes: (id) => `Content-Length: 99999999999999999999999\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'Content-Length above the size limit', bytes: (id) => `Content-Length: ${2 ** 40}\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'two different Content-Length headers', bytes: (id) => `Content-Length: 3\r\nContent-Length: ${len(body(id))}\r\n\r\n${body(id)}`, parseErrorId: 'id' },
  { name: 'body not JSON', bytes: () => frame('{{{ this is not json'), parseErrorId: null },
  { name: 'body cut short (invalid JSON) with its id readable', bytes: (id) => frame(body(id).slice(0, 60)), parseErrorId: 'id' },
  { name: 'body with a trailing comma', bytes: (id) => frame(body(id).replace(/}$/, ',}')), parseErrorId: 'id' },
  { name: 'a body without any header', bytes: (id) => body(id), parseErrorId: 'id' },
  { name: 'an HTTP request instead of a frame', bytes: () => 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', parseErrorId: null },
  { name: 'binary garbage', bytes: () => '\u0000\u0001\u00ff\ufffd\r\n\r\n\u0000', parseErrorId: null },
];

describe('phpleak-lsp framing: malformed frames are answered and skipped', () => {
  it('answers each malformed frame with -32700 and serves the next request (one server, one case after another)', async () => {
    const s = start();
    await s.initialize();
    let id = 100;
    for (const c of CASES) {
      const bad = id++;
      const good = id++;
      const before = s.received.length;
      s.write(c.bytes(bad) + frame(hover(good)));
      const ok = await s.response(good).catch((e: Error) => { throw new Error(`${c.name}: ${e.message}`); });
      expect(ok.result, c.name).toBeNull();
      const expectedId = c.parseErrorId === 'id' ? bad : null;
      const err = await s.waitFor(() => s.received.slice(before).find((m) => m.error?.code === -32700 && m.id === expectedId), `${c.name}: -32700 for ${expectedId}`);
      expect(err.error!.message, c.name).toMatch(/^Parse error: /);
      // The broken request is never run as if it were fine.
      expect(s.responses(bad).every((m) => m.error !== undefined), c.name).toBe(true);
    }
    // Still linting after all that.
    s.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///tmp/wire-a.php', languageId: 'php', version: 1, text: '<?php\ngc_disable();\n' } } });
    const diags = await s.waitFor(() => s.received.find((m) => m.method === 'textDocument/publishDiagnostics'), 'diagnostics');
    expect(JSON.stringify(diags.params)).toContain('gc-disabled');
    expect(s.received.some((m) => m.method === 'window/logMessage' && /resynchronised at the next Content-Length header/.test(JSON.stringify(m.params)))).toBe(true);
  });

  it('accepts headers with LF-only line breaks, extra headers, and blank lines between frames', async () => {
    const s = start();
    await s.initialize();
    const b = body(1);
    s.write(`Content-Length: ${len(b)}\n\n${b}`);
    expect((await s.response(1)).result).toBeNull();
    const b2 = body(2);
    s.write(`\r\n\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:${len(b2)}\r\n\r\n${b2}`);
    expect((await s.response(2)).result).toBeNull();
    expect(s.received.filter((m) => m.error)).toEqual([]);
  });

  it('survives every malformed frame sent in one write, in a row, and answers what follows', async () => {
    const s = start();
    await s.initialize();
    let id = 1;
    const bad: number[] = [];
    let bytes = '';
    for (const c of CASES) {
      const i = id++;
      if (c.parseErrorId === 'id') bad.push(i);
      bytes += c.bytes(i);
    }
    s.write(bytes + frame(hover(999)));
    expect((await s.response(999)).result).toBeNull();
    // every broken request whose id was readable was answered with -32700, none with a result
    for (const i of bad) {
      const answers = s.responses(i);
      expect(answers.map((a) => a.error?.code), `request ${i}`).toContain(-32700);
      expect(answers.every((a) => a.result === undefined)).toBe(true);
    }
  });

  it('reads frames delivered one byte at a time, broken ones included', async () => {
    const s = start();
    await s.initialize();
    await s.trickle(`Content-Length: ${len(body(1)) - 9}\r\n\r\n${body(1)}${frame(hover(2))}`, 1, 0);
    expect((await s.response(2)).result).toBeNull();
    expect((await s.response(1)).error?.code).toBe(-32700);
    await s.trickle(frame(hover(3)), 7, 1);
    expect((await s.response(3)).result).toBeNull();
  });

  it('answers a too-long frame whose body is complete JSON when no more bytes come', async () => {
    const s = start();
    await s.initialize();
    const t = Date.now();
    s.write(`Content-Length: ${len(body(5)) + 40}\r\n\r\n${body(5)}`);
    const err = await s.response(5, 5000);
    expect(err.error?.code).toBe(-32700);
    expect(Date.now() - t).toBeLessThan(3000);
    // the missing 40 bytes turn up late as spaces: skipped; then a normal request
    s.write(' '.repeat(40) + frame(hover(6)));
    expect((await s.response(6)).result).toBeNull();
  });

  it('answers JSON that is not a JSON-RPC message with -32600', async () => {
    const s = start();
    await s.initialize();
    s.write(frame('[1, 2, 3]'));
    s.write(frame({ jsonrpc: '2.0', id: 7, method: 42 }));
    s.write(frame({ jsonrpc: '2.0', id: null, method: 'textDocument/hover' }));
    s.write(frame(hover(8)));
    expect((await s.response(8)).result).toBeNull();
    expect((await s.response(7)).error?.code).toBe(-32600);
    await s.waitFor(() => s.received.filter((m) => m.id === null && m.error?.code === -32600).length === 2, 'two -32600 with id null');
  });

  it('answers a malformed frame before initialize, then initializes', async () => {
    const s = start();
    s.write(`Content-Length: x\r\n\r\n${body(1)}`);
    expect((await s.response(1)).error?.code).toBe(-32700);
    await s.initialize();
    s.send(hover(2));
    expect((await s.response(2)).result).toBeNull();
  });

  it('reads a 5 MB frame arriving in small pieces, and keeps UTF-8 characters whole across them', async () => {
    const s = start();
    await s.initialize();
    const text = `<?php\n// ${'é😀'.repeat(10)}\ngc_disable();\n${'$a = "ünïcödé";\n'.repeat(300_000)}`;
    const open = frame({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///tmp/wire-big.php', languageId: 'php', version: 1, text } } });
    expect(len(open)).toBeGreaterThan(5_000_000);
    s.write(open);
    s.send(hover(1));
    expect((await s.response(1)).result).toBeNull();
    expect(s.received.filter((m) => m.error)).toEqual([]);
  });
});
