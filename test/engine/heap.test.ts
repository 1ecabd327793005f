import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dominators } from '../../engine/heap/dominators.js';
import { DumpError, readDump, readDumpText } from '../../engine/heap/dump-reader.js';
import { addressOf } from '../../engine/heap/graph.js';
import { JsonTokenizer, type JsonHandler } from '../../engine/heap/json-tokens.js';
import { analyse } from '../../engine/heap/snapshot.js';

// The dump reader and graph algorithms on small dumps written here in php-meminfo's format,
// including every kind of bad input the issue lists: never a crash, never a hang.

interface Item { type?: string; size?: number; root?: [symbol: string, frame: string]; cls?: string; children?: Record<string, string> }

/** A dump as php-meminfo writes it (its odd line breaks before commas included). */
function dump(items: Record<string, Item>, header = { memory_usage: 1000 }): string {
  const parts = Object.entries(items).map(([addr, it]) => {
    const f = [`"type" : "${it.type ?? 'array'}"`, `"size" : "${it.size ?? 72}"`];
    if (it.root) f.push(`"symbol_name" : ${JSON.stringify(it.root[0])}`, `"is_root" : true`, `"frame" : ${JSON.stringify(it.root[1])}`);
    else f.push('"is_root" : false');
    if (it.cls) f.push(`"class" : ${JSON.stringify(it.cls)}`, '"object_handle" : "1"');
    if (it.children) f.push(`"children" : {\n${Object.entries(it.children).map(([k, v]) => `            ${JSON.stringify(k)}:"${v}"`).join(',\n')}\n        }`);
    return `    "${addr}" : {\n        ${f.join('\n,\n        ')}\n    }`;
  });
  return `{\n  "header" : ${JSON.stringify(header)},\n  "items": {\n${parts.join(',\n')}\n}\n}\n`;
}

const G = (s: string): [string, string] => [s, '<GLOBAL>'];

/** service → cache (object) → items (array of 3 users); users share a name string. */
const SMALL = dump({
  '0x10': { type: 'object', root: G('service'), cls: 'UserService', children: { cache: '0x20' } },
  '0x20': { type: 'object', cls: 'ArrayCache', children: { items: '0x30' } },
  '0x30': { children: { 0: '0x40', 1: '0x50', 2: '0x60' } },
  '0x40': { type: 'object', cls: 'User', size: 100 },
  '0x50': { type: 'object', cls: 'User', size: 100 },
  '0x60': { type: 'object', cls: 'User', size: 100 },
});

describe('the streaming tokenizer', () => {
  /** Events as text, to compare chunkings. */
  function events(chunks: Buffer[]): string {
    const out: string[] = [];
    const h: JsonHandler = {
      startObject: () => out.push('{'), endObject: () => out.push('}'), startArray: () => out.push('['), endArray: () => out.push(']'),
      key: (b, s, e) => out.push(`k:${b.toString('utf8', s, e)}`), string: (b, s, e) => out.push(`s:${b.toString('utf8', s, e)}`),
      number: (b, s, e) => out.push(`n:${b.toString('latin1', s, e)}`), literal: (v) => out.push(`l:${v}`),
    };
    const t = new JsonTokenizer(h);
    for (const c of chunks) t.feed(c);
    t.end();
    expect(t.done).toBe(true);
    return out.join(' ');
  }

  it('gives the same events whatever the chunk boundaries (every split of a dump)', () => {
    const text = Buffer.from('{"a" : [1, -2.5e3, true, false, null, "x\\"y", {"k\\\\": "é"}], "b":{}}');
    const whole = events([text]);
    expect(whole).toBe('{ k:a [ n:1 n:-2.5e3 l:true l:false l:null s:x\\"y { k:k\\\\ s:é } ] k:b { } }');
    for (let i = 1; i < text.length; i++) expect(events([text.subarray(0, i), text.subarray(i)])).toBe(whole);
    expect(events([...text].map((b) => Buffer.from([b])))).toBe(whole);
  });

  it('reports a misplaced token with its byte offset', () => {
    const t = new JsonTokenizer({ startObject() {}, endObject() {}, startArray() {}, endArray() {}, key() {}, string() {}, number() {}, literal() {} });
    expect(() => t.feed(Buffer.from('{"a" 1}'))).toThrow('unexpected byte 0x31 at byte 5'.replace('byte 0x31', '"1"'));
  });

  it('the offset is the same whatever chunks cut the tokens before the error', () => {
    const noop = { startObject() {}, endObject() {}, startArray() {}, endArray() {}, key() {}, string() {}, number() {}, literal() {} };
    const text = Buffer.from('{"abc": "defgh", "ij": [12345, true], "k" 1}');
    for (const size of [1, 2, 3, 5, 7, text.length]) {
      const t = new JsonTokenizer(noop);
      const fed = () => { for (let i = 0; i < text.length; i += size) t.feed(text.subarray(i, i + size)); };
      expect(fed, `chunks of ${size}`).toThrow('unexpected "1" at byte 42');
    }
  });
});

describe('reading a dump', () => {
  it('builds the graph: items, references, roots, classes and the header', () => {
    const { graph: g, skipped } = readDumpText(SMALL);
    expect(skipped).toEqual([]);
    expect([g.nodeCount, g.edgeCount, g.roots.length, g.header.memory_usage]).toEqual([6, 5, 1, 1000]);
    expect(addressOf(g, 0)).toBe('0x10');
    expect(g.strings.get(g.cls[1]!)).toBe('ArrayCache');
  });

  it('retained sizes, names in source terms and rows', () => {
    const s = analyse('small.json', readDumpText(SMALL));
    expect(s.rows).toEqual([{
      path: '$service->cache->items', owner: { kind: 'property', cls: 'ArrayCache', name: 'items' },
      instances: 1, entries: 3, self: 72, retained: 372, retainedItems: 4, holds: [{ what: 'User', count: 3, retained: 300 }], sample: 2,
    }]);
  });

  it('reads a file in chunks the same as text in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phpleak-heap-'));
    const items: Record<string, Item> = { '0x1': { root: G('big'), children: {} } };
    const kids = items['0x1']!.children!;
    // Over 1 MB of text, read 64 KB at a time, so items straddle the reader's chunks.
    for (let i = 0; i < 20_000; i++) { kids[`key-${i}`] = `0x${(0x1000 + i).toString(16)}`; items[`0x${(0x1000 + i).toString(16)}`] = { type: 'string', size: 40 }; }
    const text = dump(items);
    expect(text.length).toBeGreaterThan(1024 * 1024);
    writeFileSync(join(dir, 'd.json'), text);
    const fromFile = await readDump(join(dir, 'd.json'), { chunkBytes: 64 * 1024 });
    const inMemory = readDumpText(text);
    expect(fromFile.graph.nodeCount).toBe(20_001);
    expect(fromFile.graph.edgeCount).toBe(20_000);
    expect(Buffer.from(fromFile.graph.edgeTo.buffer).equals(Buffer.from(inMemory.graph.edgeTo.buffer))).toBe(true);
    expect(analyse('d', fromFile).rows[0]).toMatchObject({ path: '$big', entries: 20_000, retained: 72 + 40 * 20_000 });
  });
});

describe('dominators', () => {
  it('a shared child is retained by neither parent, only by their common dominator', () => {
    const s = analyse('d', readDumpText(dump({
      '0x1': { type: 'object', cls: 'R', root: G('r'), size: 10, children: { a: '0x2', b: '0x3' } },
      '0x2': { type: 'object', cls: 'A', size: 20, children: { c: '0x4' } },
      '0x3': { type: 'object', cls: 'B', size: 30, children: { c: '0x4' } },
      '0x4': { type: 'object', cls: 'C', size: 40 },
    })));
    expect(Array.from(s.dom!.retained)).toEqual([100, 20, 30, 40]);
    expect(Array.from(s.dom!.idom)).toEqual([4, 0, 0, 0]);
  });

  it('reference cycles: each item counted once, retained by the first one reached', () => {
    const s = analyse('d', readDumpText(dump({
      '0x1': { type: 'object', cls: 'Parent', root: G('p'), size: 10, children: { child: '0x2' } },
      '0x2': { type: 'object', cls: 'Child', size: 20, children: { parent: '0x1', self: '0x2' } },
    })));
    expect(Array.from(s.dom!.retained)).toEqual([30, 20]);
  });

  it('two roots on one item: the virtual root dominates it', () => {
    const s = analyse('d', readDumpText(dump({
      '0x1': { type: 'object', cls: 'A', root: G('a'), size: 10, children: { x: '0x3' } },
      '0x2': { type: 'object', cls: 'B', root: ['B::x', '<CLASS_STATIC_MEMBER>'], size: 10, children: { x: '0x3' } },
      '0x3': { size: 50 },
    })));
    expect(Array.from(s.dom!.retained)).toEqual([10, 10, 50]);
    expect(s.rows[0]).toMatchObject({ path: '$a->x', owner: { kind: 'property', cls: 'A', name: 'x' } });
  });

  it('a chain of 100,000 linked objects: no stack overflow (recursion would overflow)', () => {
    const n = 100_000;
    const parts = [`{"items":{"0x1":{"type":"object","size":"8","symbol_name":"head","is_root":true,"frame":"<GLOBAL>","class":"Node","children":{"next":"0x2"}}`];
    for (let i = 2; i <= n; i++) parts.push(`,"0x${i.toString(16)}":{"type":"object","size":"8","is_root":false,"class":"Node","children":{${i < n ? `"next":"0x${(i + 1).toString(16)}"` : ''}}}`);
    parts.push('}}');
    const s = analyse('d', readDumpText(parts.join('')));
    expect(s.dom!.retained[0]).toBe(8 * n);
    expect(s.dom!.reachable).toBe(n);
  });
});

describe('bad input: a clear error or a partial result that says what was skipped', () => {
  const notADump = (text: string | Buffer) => {
    try { readDumpText(text, 'x.json'); } catch (e) { expect(e).toBeInstanceOf(DumpError); return (e as Error).message; }
    throw new Error('no error');
  };

  it('files that are not dumps', () => {
    expect(notADump('')).toBe('x.json: not a php-meminfo dump: the file is empty');
    expect(notADump('<?php echo 1;')).toBe('x.json: not a php-meminfo dump: not JSON (unexpected "<" at byte 0)');
    expect(notADump('[1, 2, 3]')).toBe('x.json: not a php-meminfo dump: the JSON is not an object with "items"');
    expect(notADump('{"name": "phpleak", "version": "1.0.0"}')).toBe('x.json: not a php-meminfo dump: no "items" object (top-level keys: "name", "version")');
    expect(notADump(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]))).toBe('x.json: not a php-meminfo dump: not JSON (unexpected byte 0x89 at byte 0)');
    expect(notADump('{"header": {"memory_usage": 1}, "ite')).toBe('x.json: not a php-meminfo dump: the text ends before an "items" object');
  });

  it('a truncated dump: the complete items are read, the cut one is dropped', () => {
    const cut = SMALL.indexOf('"0x50" :') + 30;
    const r = readDumpText(SMALL.slice(0, cut), 'x.json');
    expect(r.graph.nodeCount).toBe(4);
    expect(r.skipped[0]).toBe(`the dump ends early (truncated after ${cut} bytes): read 4 complete items, the rest is missing`);
    expect(r.skipped[1]).toBe('2 children point at addresses that are not in the dump and were dropped');
    // Every cut point: never a throw once "items" began, never a hang.
    const start = SMALL.indexOf('"items": {') + 10;
    for (let i = start; i < SMALL.length - 3; i += 7) expect(() => analyse('x', readDumpText(SMALL.slice(0, i)))).not.toThrow();
  });

  it('a syntax error part-way: what came before it is kept', () => {
    const broken = SMALL.replace('"0x50" : {', '"0x50" : {]');
    const r = readDumpText(broken);
    expect(r.graph.nodeCount).toBe(4);
    expect(r.skipped[0]).toMatch(/^the dump is not valid JSON from byte \d+ \(unexpected "\]"\): read the 4 items before it, the rest is skipped$/);
  });

  it('children pointing at missing addresses, keys that are not addresses, repeated addresses', () => {
    const text = dump({
      '0x1': { root: G('list'), children: { 0: '0x2', 1: '0xdead', 2: 'nowhere' } },
      '0x2': { type: 'string', size: 10 },
      'not-an-address': { type: 'string', size: 10 },
    }).replace('"0x2" : {', '"0x2" : { "type": "int", "size": "16" }, "0x2" : {');
    const r = readDumpText(text);
    expect(r.skipped).toEqual([
      '1 items under keys that are not addresses were skipped',
      '1 items repeat an address already read: the first one was kept',
      '1 children are not addresses and were dropped',
      '1 children point at addresses that are not in the dump and were dropped',
    ]);
    expect(r.graph.edgeCount).toBe(1);
  });

  it('older meminfo versions: names that are not UTF-8 and unescaped backslashes', () => {
    const text = Buffer.concat([
      Buffer.from('{"items":{"0x1":{"type":"object","size":"72","symbol_name":"svc","is_root":true,"frame":"<GLOBAL>","class":"App\\Cache\\Store","children":{"caf'),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from('":"0x2","\\ud800x":"0x2"}},"0x2":{"type":"array","size":"72","is_root":false,"children":{}}}}'),
    ]);
    const r = readDumpText(text);
    expect(r.skipped).toEqual([
      '1 names are not valid UTF-8 (shown with \uFFFD)',
      '2 unknown escapes in names were read as written (older meminfo versions do not escape \\)',
    ]);
    const s = analyse('x', r);
    expect(s.rows.map((x) => [x.path, x.owner])).toEqual([
      ['$svc->caf\uFFFD', { kind: 'property', cls: 'App\\Cache\\Store', name: 'caf\uFFFD' }],
    ]);
  });

  it('items no root reaches are counted apart; a dump without roots says so', () => {
    const r = readDumpText(dump({ '0x1': { root: G('a') }, '0x2': { size: 500 } }));
    expect(analyse('x', r).skipped).toEqual(['1 items (500 bytes) are not reachable from any root: not ranked']);
    expect(readDumpText(dump({ '0x1': {} })).skipped).toEqual(['no item is marked "is_root": nothing can be named or ranked']);
  });

  it('nesting deeper than the tokenizer allows is a syntax error, not a stack overflow', () => {
    const deep = '{"items":{"0x1":{"type":"array","size":"1","is_root":true,"symbol_name":"a","frame":"<GLOBAL>"},"x":' + '['.repeat(10_000);
    const r = readDumpText(deep);
    expect(r.graph.nodeCount).toBe(1);
    expect(r.skipped[0]).toMatch(/nesting deeper than 4096 levels/);
  });
});
