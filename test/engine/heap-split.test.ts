import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDump, readDumpText, type DumpRead } from '../../engine/heap/dump-reader.js';

// A large dump is read in two halves at once: a worker thread from an offset near the middle,
// this thread up to it (engine/heap/dump-reader.ts). The offset is a guess; wherever it falls
// (inside a string, inside an item's children, before "items" even) and whatever the second
// half holds (repeats of the first half's addresses, a syntax error, a cut), the graph must
// be exactly the one a single pass builds. The worker runs from the build (dist/).

const WORKER = new URL('../../dist/engine/heap/dump-worker.js', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'phpleak-heap-split-'));

function item(addr: string, fields: string, children?: [string, string][]): string {
  const kids = children ? `,\n        "children" : {\n${children.map(([k, v]) => `            ${JSON.stringify(k)}:"${v}"`).join(',\n')}\n        }` : '';
  return `    "${addr}" : {\n        ${fields}${kids}\n    }`;
}

/** A registry (global) holding `n` objects, each with a name string; names repeat, classes too. */
function registry(n: number, extra: string[] = []): string {
  const items = [item('0x10', '"type" : "array",\n        "size" : "72",\n        "symbol_name" : "registry",\n        "is_root" : true,\n        "frame" : "<GLOBAL>"',
    Array.from({ length: n }, (_, i) => [`k${i % 50}-${i}`, `0x${(0x1000 + 2 * i).toString(16)}`]))];
  for (let i = 0; i < n; i++) {
    const obj = `0x${(0x1000 + 2 * i).toString(16)}`, str = `0x${(0x1001 + 2 * i).toString(16)}`;
    items.push(item(obj, `"type" : "object",\n        "size" : "72",\n        "is_root" : false,\n        "class" : "App\\\\Entry${i % 7}",\n        "object_handle" : "${i}"`, [['name', str], ['owner', '0x10']]));
    items.push(item(str, `"type" : "string",\n        "size" : "${30 + (i % 9)}",\n        "is_root" : false`));
  }
  return `{\n  "header" : {\n    "memory_usage" : 123456\n  },\n  "items": {\n${[...items, ...extra].join('\n,\n')}\n}\n}\n`;
}

function comparable(r: DumpRead): unknown {
  const g = r.graph;
  const arr = (a: ArrayLike<number>) => Array.from(a);
  return {
    skipped: r.skipped, nodeCount: g.nodeCount, edgeCount: g.edgeCount, hi: arr(g.addrHi), lo: arr(g.addrLo), size: arr(g.size), type: arr(g.type), cls: arr(g.cls),
    edgeStart: arr(g.edgeStart), edgeTo: arr(g.edgeTo), edgeKey: arr(g.edgeKey), roots: g.roots, strings: g.strings.list, header: g.header,
  };
}

/** Reads `text` split at each offset (and in one pass); every split must give the one-pass graph. */
async function sameAtEverySplit(name: string, text: string, offsets: number[]): Promise<number> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const whole = comparable(readDumpText(text, file));
  expect(comparable(await readDump(file, { worker: null }))).toEqual(whole);
  for (const at of offsets) expect(comparable(await readDump(file, { worker: WORKER, splitAt: at, chunkBytes: 8192 })), `split at ${at}`).toEqual(whole);
  return offsets.length;
}

/** Offsets of every item boundary (right after the comma), and of a few places that are not. */
function offsets(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\n,\n    "0x/g)) out.push(m.index + 2);
  return [...out.filter((_, i) => i % Math.ceil(out.length / 12) === 0), 1, 5, text.indexOf('"items"'), text.indexOf('App\\\\Entry3') + 4, text.indexOf('"children"', text.length / 2), text.length - 3, text.length + 10];
}

describe('a dump read in two halves at once', () => {
  it('gives the one-pass graph wherever the split falls', async () => {
    const text = registry(3000);
    expect(await sameAtEverySplit('plain.json', text, offsets(text))).toBeGreaterThan(15);
  });

  it('joins names, repeated addresses and children that point across the split', async () => {
    // Items at the end repeat addresses from the start (the first read is kept), point back at
    // them, point nowhere, and bring names the first half never saw.
    const extra = [
      item('0x1000', '"type" : "int",\n        "size" : "16",\n        "is_root" : true,\n        "symbol_name" : "late",\n        "frame" : "<GLOBAL>"'),
      item('0x20', '"type" : "array",\n        "size" : "72",\n        "symbol_name" : "Only\\\\Here::$cache",\n        "is_root" : true,\n        "frame" : "<CLASS_STATIC_MEMBER>"', [['first', '0x1000'], ['gone', '0xdead'], ['bad', 'nowhere'], ['caf\\u00e9', '0x1001']]),
    ];
    const text = registry(2000, extra);
    const r = readDumpText(text);
    expect(r.skipped).toEqual([
      '1 items repeat an address already read: the first one was kept',
      '1 children are not addresses and were dropped',
      '1 children point at addresses that are not in the dump and were dropped',
    ]);
    await sameAtEverySplit('across.json', text, offsets(text));
  });

  it('a syntax error or a cut in the second half: the same partial graph and the same note', async () => {
    const text = registry(2000);
    const at = text.indexOf('"is_root" : false', text.length * 0.8) + 12;
    const broken = text.slice(0, at) + ']' + text.slice(at + 5);
    expect(readDumpText(broken).skipped[0]).toMatch(/^the dump is not valid JSON from byte \d+ \(unexpected "\]"\)/);
    await sameAtEverySplit('broken.json', broken, offsets(broken));
    const cut = text.slice(0, Math.floor(text.length * 0.7));
    expect(readDumpText(cut).skipped[0]).toMatch(/^the dump ends early/);
    await sameAtEverySplit('cut.json', cut, offsets(cut));
  });
});
