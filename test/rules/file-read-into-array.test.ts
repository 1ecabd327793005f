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
  it('keeps warning for data: sockets, URLs, standard input, uploads; a local import is a one-run peak', () => {
    expect(sev(collect('fsockopen("mail.example.org", 110)'))).toEqual(['6:warning']);
    expect(sev(collect('fopen("https://example.org/feed", "r")'))).toEqual(['6:warning']);
    expect(sev(collect("fopen('php://stdin', 'r')"))).toEqual(['6:warning']);
    expect(sev(collect("fopen($_FILES['csv']['tmp_name'], 'r')"))).toEqual(['6:warning']);
    // Reviews judged the wallabag CSV imports not worth changing: silent in one-shot code.
    expect(sev(collect("fopen($path, 'r')", 'importOrders'))).toEqual([]);
    // In a worker a returned local is a peak as big as the file, freed on return: not an error.
    expect(sev(collect("fopen($path, 'r')", 'importOrders'), { longRunning: true })).toEqual(['6:warning']);
    const fixture = readFileSync(new URL('../../fixtures/rules/file-read-into-array/bad-remote.php', import.meta.url), 'utf8');
    expect(lintWith(fixture, ['file-read-into-array']).map((f) => f.severity)).toEqual(['info', 'warning', 'warning', 'warning', 'warning']);
  });
  it('is silent for a path from elsewhere in one-shot code; in long-running code a warning in a local, an error in a property', () => {
    expect(sev(collect("fopen($path, 'r')"))).toEqual([]);
    expect(sev(collect("fopen($path, 'r')"), { longRunning: true })).toEqual(['6:warning']);
    const kept = `<?php\nclass Feed {\n    private array $lines = [];\n    public function load(string $path): void {\n        $h = fopen($path, 'r');\n        while (($l = fgets($h)) !== false) {\n            $this->lines[] = $l;\n        }\n    }\n}\n`;
    expect(sev(kept, { longRunning: true })).toEqual(['7:error']);
  });
  it('is silent for the code\'s own files, data already in memory, and loaders', () => {
    expect(sev(collect("fopen(__DIR__ . '/data/codes.csv', 'r')"))).toEqual([]);
    expect(sev(collect("fopen(self::DICTIONARY, 'r')"))).toEqual([]);
    expect(sev(collect("fopen('php://temp', 'r+')"))).toEqual([]);
    expect(sev(collect("fopen($path, 'r')", 'loadConfiguration'))).toEqual([]);
  });
  it('config still decides: a severity set there wins over the origin', () => {
    const rule = ruleById.get('file-read-into-array')!;
    // One reply read to its terminator is info by origin; the config raises it.
    const text = `<?php\nfunction retr($host): array {\n    $sock = fsockopen($host, 110);\n    $out = [];\n    while (($line = fgets($sock)) !== false && $line !== ".\\r\\n") {\n        $out[] = $line;\n    }\n    return $out;\n}\n`;
    expect(lintWith(text, ['file-read-into-array']).map((f) => f.severity)).toEqual(['info']);
    const found = lintText({ path: 'x.php', text, rules: [{ rule, severity: 'warning' }] });
    expect(found.map((f) => f.severity)).toEqual(['warning']);
  });
  it('keeps the lines of a message, not the fields of a listing', () => {
    const listing = `<?php\nfunction uids($sock): array {\n    $out = [];\n    while (($l = fgets($sock)) !== false) {\n        [$n, $uid] = preg_split('/\\s+/', $l);\n        $out[$n] = $uid;\n    }\n    return $out;\n}\n`;
    expect(sev(listing.replace('$sock)', '$sock = null)').replace('$out = [];', '$out = [];\n    $sock = fsockopen("mail.example.org", 110);'))).toEqual([]);
    expect(sev(collect('fsockopen("mail.example.org", 110)'))).toEqual(['6:warning']);
  });
  it('makes one protocol reply read to its terminator and returned an info', () => {
    const reply = (test: string, keep = 'return $out;'): string => `<?php\nfunction retr($host): array {\n    $sock = fsockopen($host, 110);\n    $out = [];\n    $line = fgets($sock);\n    while (${test}) {\n        $out[] = $line;\n        $line = fgets($sock);\n    }\n    ${keep}\n}\n`;
    expect(sev(reply("!preg_match('/^\\.\\r\\n/', $line)"))).toEqual(['7:info']);
    expect(sev(reply('rtrim($line) !== "."'))).toEqual(['7:info']);
    // Read to the end of the stream: the whole input, whatever the protocol.
    expect(sev(reply('$line !== false'))).toEqual(['7:warning']);
    // Kept in a global, not returned: not the function's result.
    expect(sev(reply("!preg_match('/^\\.\\r\\n/', $line)", 'global $all; $all = $out; return [];'))).toEqual(['7:warning']);
  });
});
