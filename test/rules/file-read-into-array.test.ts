import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';
import { lintText } from '../../engine/lint.js';
import { ruleById } from '../helpers/lint.js';

// The fixture runner checks where findings are; this checks how loud each one is, by where the
// stream comes from (engine/facts/streams.ts streamOrigin).

const sev = (text: string, opts: { longRunning?: boolean } = {}): string[] => lintWith(text, ['file-read-into-array'], opts).map((f) => `${f.range.start.line}:${f.severity}`);
const collect = (open: string, fn = 'collect'): string => `<?php\nfunction ${fn}(string $path, $sock): array {\n    $h = ${open};\n    $out = [];\n    while (($l = fgets($h)) !== false) {\n        $out[] = $l;\n    }\n    return $out;\n}\n`;

describe('file-read-into-array severity by the stream\'s origin', () => {
  it('keeps warning for data: sockets, URLs, standard input, uploads; info for a local import', () => {
    expect(sev(collect('fsockopen("mail.example.org", 110)'))).toEqual(['6:warning']);
    expect(sev(collect('fopen("https://example.org/feed", "r")'))).toEqual(['6:warning']);
    expect(sev(collect("fopen('php://stdin', 'r')"))).toEqual(['6:warning']);
    expect(sev(collect("fopen($_FILES['csv']['tmp_name'], 'r')"))).toEqual(['6:warning']);
    expect(sev(collect("fopen($path, 'r')", 'importOrders'))).toEqual(['6:info']);
    expect(sev(collect("fopen($path, 'r')", 'importOrders'), { longRunning: true })).toEqual(['6:error']);
    const fixture = readFileSync(new URL('../../fixtures/rules/file-read-into-array/bad-remote.php', import.meta.url), 'utf8');
    expect(lintWith(fixture, ['file-read-into-array']).map((f) => f.severity)).toEqual(['warning', 'warning', 'info', 'warning']);
  });
  it('is silent for a path from elsewhere in one-shot code, and an error in long-running code', () => {
    expect(sev(collect("fopen($path, 'r')"))).toEqual([]);
    expect(sev(collect("fopen($path, 'r')"), { longRunning: true })).toEqual(['6:error']);
  });
  it('is silent for the code\'s own files, data already in memory, and loaders', () => {
    expect(sev(collect("fopen(__DIR__ . '/data/codes.csv', 'r')"))).toEqual([]);
    expect(sev(collect("fopen(self::DICTIONARY, 'r')"))).toEqual([]);
    expect(sev(collect("fopen('php://temp', 'r+')"))).toEqual([]);
    expect(sev(collect("fopen($path, 'r')", 'loadConfiguration'))).toEqual([]);
  });
  it('config still decides: a severity set there wins over the origin', () => {
    const rule = ruleById.get('file-read-into-array')!;
    const found = lintText({ path: 'x.php', text: collect("fopen($path, 'r')", 'exportOrders'), rules: [{ rule, severity: 'warning' }] });
    expect(found.map((f) => f.severity)).toEqual(['warning']);
  });
  it('keeps the lines of a message, not the fields of a listing', () => {
    const listing = `<?php\nfunction uids($sock): array {\n    $out = [];\n    while (($l = fgets($sock)) !== false) {\n        [$n, $uid] = preg_split('/\\s+/', $l);\n        $out[$n] = $uid;\n    }\n    return $out;\n}\n`;
    expect(sev(listing.replace('$sock)', '$sock = null)').replace('$out = [];', '$out = [];\n    $sock = fsockopen("mail.example.org", 110);'))).toEqual([]);
    expect(sev(collect('fsockopen("mail.example.org", 110)'))).toEqual(['6:warning']);
  });
});
